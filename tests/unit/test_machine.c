/*
 * hv/base/machine.c and hv/console.c against the model: which machine the ACPI
 * tables and CPUID describe, how a run ends on it (the port writes that
 * reach tests/model/io.c), and which UART becomes the console.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/unit/acpi_build.h"
#include "tests/model/model.h"
#include "hv/boot/acpi.h"
#include "hv/console.h"
#include "hv/base/log.h"
#include "hv/base/machine.h"
#include "hv/base/status.h"
#include "hv/run/options.h"
#include "arch/x86/platform.h"
#include "arch/x86/serial.h"

#define RSDT_AT 0x1000
#define FADT_AT 0x2000
#define DSDT_AT 0x3000
#define SPCR_AT 0x3800
#define UART_AT 0x5000 /* an MMIO UART in the window */
#define FADT_LEN 244
#define PM1A_CNT 0x604

static u8 *mem;
static struct boot_info *boot;

/* The table builders, at an address of this file's model memory. */
static void table(u64 at, const char *sig, u32 len)
{
	acpi_table_header(mem + at, sig, len);
}

/* An RSDT with the RSDT's entries given; fix its checksum. */
static void rsdt(u32 first, u32 second)
{
	table(RSDT_AT, "RSDT", 44);
	acpi_put32(mem + RSDT_AT + 36, first);
	acpi_put32(mem + RSDT_AT + 40, second);
	acpi_fix_checksum(mem + RSDT_AT, 44, 9);
}

/*
 * A machine whose FADT has this OEM ID, PM1a control at 0x604, the reset
 * register 0xcf9/6 where reset_reg, SMI_CMD 0xb2/0xf0, and a DSDT with
 * Name (_S5, Package () {5, 0}); no SPCR. boot gets the RSDP.
 */
static void machine_tables(const char *oem, bool reset_reg)
{
	static const u8 s5[] = { 0x08, '_',  'S',  '5',	 '_',  0x12, 0x08,
				 0x04, 0x0a, 0x05, 0x00, 0x00, 0x00 };
	u8 *f;

	mem = model_mem_map(0, 0x6000, 0);
	boot = calloc(1, sizeof(*boot));
	f = mem + FADT_AT;
	table(FADT_AT, "FACP", FADT_LEN);
	memcpy(f + 10, oem, 6);
	acpi_put32(f + 40, DSDT_AT);
	acpi_put32(f + 48, 0xb2);
	f[52] = 0xf0;
	acpi_put32(f + 64, PM1A_CNT);
	if (reset_reg) {
		acpi_put32(f + 112, 1u << 10);
		f[116] = 1;
		acpi_put64(f + 120, 0xcf9);
		f[128] = 6;
	}
	acpi_fix_checksum(f, FADT_LEN, 9);
	table(DSDT_AT, "DSDT", 36 + sizeof(s5));
	memcpy(mem + DSDT_AT + 36, s5, sizeof(s5));
	rsdt(FADT_AT, FADT_AT);
	memcpy(boot->rsdp, ACPI_RSDP_SIGNATURE, 8);
	acpi_put32(boot->rsdp + 16, RSDT_AT);
	acpi_fix_checksum(boot->rsdp, 20, 8);
	boot->rsdp_len = 20;
}

static void cpuid_hypervisor(const char *name)
{
	struct cpuid_regs r = { 0 };
	char padded[12] = { 0 }; /* "KVMKVMKVM" ends in NULs */

	memcpy(padded, name, strlen(name));
	model_cpuid_set(1, 0, (struct cpuid_regs){ .ecx = CPUID_1_ECX_HYPERVISOR });
	memcpy(&r.ebx, padded, 4);
	memcpy(&r.ecx, padded + 4, 4);
	memcpy(&r.edx, padded + 8, 4);
	model_cpuid_set(0x40000000, 0, r);
}

/* Back to "hardware, on_end=auto", the state other tests expect, and free boot. */
static void forget_machine(void)
{
	struct boot_info none = { 0 };
	char err[120];

	machine_identify(&none);
	machine_set_end(ON_END_AUTO, err, sizeof(err));
	free(boot);
	boot = NULL;
}

static void run_ends(void *arg)
{
	hv_exit(*(int *)arg);
}

/* Identify, choose the end, end the run with status; true if it ended. */
static bool end_run(u64 on_end, int status)
{
	char err[120];

	machine_identify(boot);
	if (!CHECK(machine_set_end(on_end, err, sizeof(err))))
		return false;
	return CHECK(model_expect_exit(run_ends, &status)) &&
	       CHECK_EQ_U64(model_platform.exit_status, (u32)status);
}

static unsigned emulator_port_writes(void)
{
	return model_io_writes_to(ISA_DEBUG_EXIT_PORT) + model_io_writes_to(BOCHS_SHUTDOWN_PORT);
}

TEST(machine_qemu_ends_through_isa_debug_exit_only)
{
	machine_tables(MACHINE_ACPI_OEM_EMULATOR, false);
	cpuid_hypervisor("TCGTCGTCGTCG");
	if (end_run(ON_END_AUTO, 3)) {
		CHECK_EQ_U64(machine_kind(), MACHINE_QEMU);
		CHECK_EQ_U64(model_io_nr_writes, 1);
		CHECK_EQ_U64(model_io_writes[0].port, ISA_DEBUG_EXIT_PORT);
		CHECK_EQ_U64(model_io_writes[0].size, 4);
		CHECK_EQ_U64(model_io_writes[0].value, 3);
		CHECK_CONTAINS(model_com1_output(), "pmuvisor: exit status 3\r\n");
	}
	/* QEMU under KVM too. */
	model_io_reset();
	cpuid_hypervisor("KVMKVMKVM");
	if (end_run(ON_END_AUTO, 0))
		CHECK_EQ_U64(model_io_writes_to(ISA_DEBUG_EXIT_PORT), 1);
	CHECK_EQ_U64(machine_kind(), MACHINE_QEMU);
	forget_machine();
}

TEST(machine_bochs_ends_through_its_shutdown_port_only)
{
	machine_tables(MACHINE_ACPI_OEM_EMULATOR, false);
	if (end_run(ON_END_AUTO, 1)) {
		char written[9] = "";
		CHECK_EQ_U64(machine_kind(), MACHINE_BOCHS);
		CHECK_EQ_U64(model_io_nr_writes, 8);
		for (unsigned i = 0; i < 8 && i < model_io_nr_writes; i++)
			if (model_io_writes[i].port == BOCHS_SHUTDOWN_PORT)
				written[i] = (char)model_io_writes[i].value;
		CHECK_STR(written, "Shutdown");
	}
	forget_machine();
}

/* Hardware: the run halts by default, and no emulator port is ever written. */
TEST(machine_hardware_never_writes_emulator_ports)
{
	static const char *const hypervisors[] = { NULL, "KVMKVMKVM", "VMwareVMware" };

	for (unsigned i = 0; i < ARRAY_SIZE(hypervisors); i++) {
		machine_tables("DELL  ", true);
		model_io_reset();
		if (hypervisors[i])
			cpuid_hypervisor(hypervisors[i]);
		if (end_run(ON_END_AUTO, 2)) {
			CHECK_EQ_U64(machine_kind(), MACHINE_HARDWARE);
			CHECK_EQ_U64(model_io_nr_writes, 0);
		}
		forget_machine();
	}
	/* QEMU's OEM ID with another hypervisor's CPUID name is not QEMU either. */
	machine_tables(MACHINE_ACPI_OEM_EMULATOR, true);
	cpuid_hypervisor("VMwareVMware");
	if (end_run(ON_END_AUTO, 2))
		CHECK_EQ_U64(model_io_nr_writes, 0);
	CHECK_EQ_U64(machine_kind(), MACHINE_HARDWARE);
	/* And without any ACPI table: hardware. */
	boot->rsdp_len = 0;
	model_io_reset();
	if (end_run(ON_END_AUTO, 4))
		CHECK_EQ_U64(model_io_nr_writes, 0);
	forget_machine();
}

/* on_end=halt on QEMU: the emulator port stays unwritten. */
TEST(machine_on_end_halt_writes_nothing)
{
	machine_tables(MACHINE_ACPI_OEM_EMULATOR, true);
	cpuid_hypervisor("TCGTCGTCGTCG");
	if (end_run(ON_END_HALT, 0))
		CHECK_EQ_U64(model_io_nr_writes, 0);
	forget_machine();
}

TEST(machine_reboot_through_the_fadt_reset_register_then_0xcf9_then_the_kbc)
{
	machine_tables("DELL  ", true);
	if (end_run(ON_END_REBOOT, 0) && CHECK_EQ_U64(model_io_nr_writes, 4)) {
		CHECK_EQ_U64(model_io_writes[0].port, 0xcf9);
		CHECK_EQ_U64(model_io_writes[0].value, 6);
		CHECK_EQ_U64(model_io_writes[1].port, RESET_CONTROL_PORT);
		CHECK_EQ_U64(model_io_writes[1].value & 6, RESET_CONTROL_SYS_RST);
		CHECK_EQ_U64(model_io_writes[2].value & 6, 6);
		CHECK_EQ_U64(model_io_writes[3].port, KBC_COMMAND_PORT);
		CHECK_EQ_U64(model_io_writes[3].value, KBC_PULSE_RESET);
	}
	CHECK_CONTAINS(model_com1_output(),
		       "pmuvisor: ending the run: reboot through the ACPI reset register (0x6 to "
		       "port 0xcf9)\r\npmuvisor: exit status 0\r\n");
	CHECK_CONTAINS(model_com1_output(), "the machine did not reset: halting");
	forget_machine();
	/* Without the reset register, on QEMU: 0xcf9 first, and never port 0xf4. */
	machine_tables(MACHINE_ACPI_OEM_EMULATOR, false);
	cpuid_hypervisor("TCGTCGTCGTCG");
	model_io_reset();
	if (end_run(ON_END_REBOOT, 1) && CHECK_EQ_U64(model_io_nr_writes, 3)) {
		CHECK_EQ_U64(model_io_writes[0].port, RESET_CONTROL_PORT);
		CHECK_EQ_U64(model_io_writes[2].port, KBC_COMMAND_PORT);
	}
	CHECK_EQ_U64(emulator_port_writes(), 0);
	forget_machine();
}

TEST(machine_poweroff_through_acpi_s5)
{
	machine_tables("DELL  ", false);
	model_io_port_set(PM1A_CNT, ACPI_PM1_SCI_EN); /* already in ACPI mode */
	if (end_run(ON_END_POWEROFF, 0) && CHECK_EQ_U64(model_io_nr_writes, 2)) {
		CHECK_EQ_U64(model_io_writes[0].port, PM1A_CNT);
		CHECK_EQ_U64(model_io_writes[0].size, 2);
		CHECK_EQ_U64(model_io_writes[0].value, (5u << 10) | ACPI_PM1_SCI_EN);
		CHECK_EQ_U64(model_io_writes[1].value,
			     (5u << 10) | ACPI_PM1_SLP_EN | ACPI_PM1_SCI_EN);
	}
	CHECK_CONTAINS(
		model_com1_output(),
		"pmuvisor: ending the run: ACPI power-off (S5: SLP_TYP 5 to port 0x604)\r\n");
	forget_machine();
	/* In legacy mode: ACPI_ENABLE to SMI_CMD first. */
	machine_tables("DELL  ", false);
	model_io_reset();
	model_io_port_set(PM1A_CNT, 0);
	if (end_run(ON_END_POWEROFF, 0) && CHECK_EQ_U64(model_io_nr_writes, 3)) {
		CHECK_EQ_U64(model_io_writes[0].port, 0xb2);
		CHECK_EQ_U64(model_io_writes[0].value, 0xf0);
		CHECK_EQ_U64(model_io_writes[2].value, (5u << 10) | ACPI_PM1_SLP_EN);
	}
	forget_machine();
}

TEST(machine_poweroff_needs_s5)
{
	char err[120] = "";

	machine_tables("DELL  ", false);
	memset(mem + DSDT_AT + 36, 0, 13); /* no \_S5 */
	machine_identify(boot);
	CHECK(!machine_set_end(ON_END_POWEROFF, err, sizeof(err)));
	CHECK_STR(err, "on_end=poweroff: no \\_S5 sleep type in the DSDT: use on_end=halt or "
		       "on_end=reboot");
	forget_machine();
}

/* console_start() with these options (NULL: as before the command line is read). */
static bool start(const struct hv_options *o, char *err)
{
	log_init();
	log_set_level(LOG_INFO);
	pr_info("early");
	return console_start(o, boot, err, 160);
}

static void spcr(u8 type, u8 space, u8 width, u8 access, u64 address)
{
	u8 *s = mem + SPCR_AT;

	table(SPCR_AT, "SPCR", 80);
	s[8] = 2;
	s[36] = type;
	s[40] = space, s[41] = width, s[43] = access;
	acpi_put64(s + 44, address);
	s[58] = 7;
	acpi_fix_checksum(s, 80, 9);
	rsdt(FADT_AT, SPCR_AT);
}

static const struct uart com1 = {
	.base = COM1_BASE, .stride = 1, .baud = 115200, .clock = UART_CLOCK_HZ
};

TEST(console_default_is_the_spcr_uart)
{
	char err[160];

	machine_tables("DELL  ", false);
	spcr(SPCR_16550, 1, 8, 1, COM2_BASE);
	model_uart_enable(COM2_BASE, true);
	CHECK(start(NULL, err));
	CHECK_STR(model_com2_output(),
		  "pmuvisor: early\r\npmuvisor: console: 16550 at I/O port 0x2f8, from the ACPI "
		  "SPCR table\r\n");
	CHECK_STR(model_com1_output(), "");
	/* Absent: a warning, and COM1. */
	model_uart_enable(COM2_BASE, false);
	CHECK(start(NULL, err));
	CHECK_STR(model_com1_output(),
		  "pmuvisor: early\r\npmuvisor: warning: console: the ACPI SPCR table names a "
		  "UART that does not answer\r\npmuvisor: console: 16550 at I/O port 0x3f8, from "
		  "COM1, the default\r\n");
	/* Not a 16550 (an ARM PL011): COM1. */
	model_com1_clear();
	spcr(0x03, 0, 32, 3, 0x9000000);
	CHECK(start(NULL, err));
	CHECK_CONTAINS(model_com1_output(), "the ACPI SPCR table names interface type 0x3, not a "
					    "16550\r\n");
	log_set_console(&com1);
	forget_machine();
}

TEST(console_spcr_mmio_uart_with_32_bit_registers)
{
	char err[160];
	u8 *uart;

	machine_tables("DELL  ", false);
	spcr(SPCR_16550_GAS, 0, 32, 3, UART_AT);
	uart = mem + UART_AT;
	uart[UART_LSR * 4] = UART_LSR_THRE | UART_LSR_TEMT;
	CHECK(start(NULL, err));
	CHECK_EQ_U64(uart[UART_LCR * 4], UART_LCR_8N1);
	CHECK_EQ_U64(uart[UART_MCR * 4], UART_MCR_DTR_RTS_OUT2);
	CHECK_EQ_U64(uart[UART_THR], '\n'); /* the last byte of the console line */
	/* Nothing at byte-register offsets. */
	CHECK_EQ_U64(uart[UART_LCR], 0);
	CHECK_EQ_U64(uart[UART_MCR], 0);
	CHECK_STR(model_com1_output(), "");
	log_set_console(&com1);
	pr_info("x");
	CHECK_STR(model_com1_output(), "pmuvisor: x\r\n");
	forget_machine();
}

TEST(console_named_on_the_command_line)
{
	struct hv_options o;
	char err[160] = "";

	machine_tables("DELL  ", false);
	options_set_defaults(&o);
	o.console = CONSOLE_IO;
	o.console_base = COM2_BASE;
	model_uart_enable(COM2_BASE, true);
	CHECK(start(&o, err));
	CHECK_STR(model_com2_output(),
		  "pmuvisor: early\r\npmuvisor: console: 16550 at I/O port 0x2f8 (console=)\r\n");
	CHECK_STR(model_com1_output(), "");
	/* A UART named there that does not answer is an error, shown on the default console. */
	o.console_base = 0x2e8;
	CHECK(!start(&o, err));
	CHECK_STR(err, "console=: no UART answers: 16550 at I/O port 0x2e8");
	CHECK_STR(model_com1_output(),
		  "pmuvisor: early\r\npmuvisor: console: 16550 at I/O port 0x3f8, from COM1, the "
		  "default\r\n");
	log_set_console(&com1);
	forget_machine();
}

/* A desktop: no SPCR, no UART at COM1. The run goes on without a console. */
TEST(console_none_without_a_uart)
{
	char err[160];

	machine_tables("DELL  ", false);
	model_uart_enable(COM1_BASE, false);
	model_e9_enable(true);
	CHECK(start(NULL, err));
	CHECK_STR(model_com1_output(), "");
	CHECK_STR(model_e9_output(),
		  "pmuvisor: early\npmuvisor: console: none (no UART answers at COM1)\n");
	model_uart_enable(COM1_BASE, true);
	log_set_console(&com1);
	forget_machine();
}
