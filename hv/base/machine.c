#include "hv/base/machine.h"
#include "hv/boot/acpi.h"
#include "hv/base/log.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/io.h"
#include "arch/x86/platform.h"
#include "lib/printf.h"
#include "lib/string.h"

#define CPUID_HYPERVISOR_LEAF 0x40000000

static struct {
	enum machine_kind kind;
	enum on_end end;
	char oem_id[7];
	char hypervisor[13]; /* CPUID leaf 0x40000000's name; "" without the hypervisor bit */
	bool have_power;
	struct acpi_power power;
	struct acpi_machine acpi;
} machine;

static const char *const kind_names[] = {
	[MACHINE_HARDWARE] = "hardware",
	[MACHINE_QEMU] = "QEMU",
	[MACHINE_BOCHS] = "Bochs",
};

static void read_hypervisor_name(char name[13])
{
	struct cpuid_regs r;

	memset(name, 0, 13);
	if (!(cpuid(1).ecx & CPUID_1_ECX_HYPERVISOR))
		return;
	r = cpuid(CPUID_HYPERVISOR_LEAF);
	memcpy(name, &r.ebx, 4);
	memcpy(name + 4, &r.ecx, 4);
	memcpy(name + 8, &r.edx, 4);
	/* The hypervisor bit with an empty leaf still says "not bare metal". */
	if (!name[0])
		memcpy(name, "?", 2);
}

static enum machine_kind classify(void)
{
	if (strcmp(machine.oem_id, MACHINE_ACPI_OEM_EMULATOR))
		return MACHINE_HARDWARE;
	if (!machine.hypervisor[0])
		return MACHINE_BOCHS;
	/* "KVMKVMKVM" is padded with NULs to 12 bytes. */
	if (!strcmp(machine.hypervisor, "TCGTCGTCGTCG") || !strcmp(machine.hypervisor, "KVMKVMKVM"))
		return MACHINE_QEMU;
	return MACHINE_HARDWARE;
}

void machine_identify(const struct boot_info *boot)
{
	char err[120];

	memset(&machine.acpi, 0, sizeof(machine.acpi));
	machine.have_power = false;
	if (boot->rsdp_len) {
		acpi_read_machine(boot->rsdp, boot->rsdp_len, &machine.acpi);
		machine.have_power = acpi_read_power_ports(boot->rsdp, boot->rsdp_len,
							   &machine.power, err, sizeof(err));
	}
	memcpy(machine.oem_id, machine.acpi.oem_id, sizeof(machine.oem_id));
	read_hypervisor_name(machine.hypervisor);
	machine.kind = classify();
}

enum machine_kind machine_kind(void)
{
	return machine.kind;
}

static bool can_power_off(void)
{
	return machine.have_power && machine.power.pm1a_cnt && machine.acpi.have_s5;
}

bool machine_set_end(u64 on_end, char *err, size_t errlen)
{
	if (on_end == ON_END_POWEROFF && !can_power_off()) {
		snprintf_hv(err, errlen, "on_end=poweroff: %s: use on_end=halt or on_end=reboot",
			    !machine.have_power || !machine.power.pm1a_cnt
				    ? "no ACPI PM1 control register in the FADT"
				    : "no \\_S5 sleep type in the DSDT");
		return false;
	}
	machine.end = (enum on_end)on_end;
	return true;
}

static enum on_end end_in_force(void)
{
	return machine.end;
}

static bool ends_through_emulator(void)
{
	return end_in_force() == ON_END_AUTO && machine.kind != MACHINE_HARDWARE;
}

static void describe_end(char *buf, size_t size)
{
	switch (end_in_force()) {
	case ON_END_AUTO:
		if (machine.kind == MACHINE_QEMU)
			snprintf_hv(buf, size, "QEMU's isa-debug-exit port 0x%x",
				    ISA_DEBUG_EXIT_PORT);
		else if (machine.kind == MACHINE_BOCHS)
			snprintf_hv(buf, size, "Bochs' shutdown port 0x%x", BOCHS_SHUTDOWN_PORT);
		else
			snprintf_hv(buf, size,
				    "halting the CPU (on_end=reboot or poweroff to change)");
		break;
	case ON_END_HALT:
		snprintf_hv(buf, size, "halting the CPU");
		break;
	case ON_END_REBOOT:
		if (machine.have_power && machine.power.reset_port)
			snprintf_hv(buf, size,
				    "reboot through the ACPI reset register (0x%x to port 0x%x)",
				    machine.power.reset_value, machine.power.reset_port);
		else
			snprintf_hv(buf, size, "reboot through port 0x%x", RESET_CONTROL_PORT);
		break;
	case ON_END_POWEROFF:
		snprintf_hv(buf, size, "ACPI power-off (S5: SLP_TYP %u to port 0x%x)",
			    machine.acpi.s5_typ_a, machine.power.pm1a_cnt);
		break;
	}
}

void machine_report(void)
{
	char end[120];

	describe_end(end, sizeof(end));
	pr_info("machine: %s (ACPI OEM ID '%s', CPUID hypervisor '%s'); the run ends by %s",
		kind_names[machine.kind], machine.oem_id, machine.hypervisor, end);
}

void machine_announce_end(void)
{
	char end[120];

	if (end_in_force() != ON_END_REBOOT && end_in_force() != ON_END_POWEROFF)
		return;
	describe_end(end, sizeof(end));
	pr_info("ending the run: %s", end);
}

/*
 * A reset or a sleep takes effect some time after the write that asks for
 * it (on QEMU, when its main loop next runs): wait about 0.1 s of port
 * 0x80 reads (the POST port Linux also uses for I/O delays, a microsecond
 * each on hardware) before trying the next way or saying it failed.
 */
#define SETTLE_READS 100000
#define POST_PORT 0x80

static void wait_for_the_machine(void)
{
	for (int i = 0; i < SETTLE_READS; i++)
		(void)inb(POST_PORT);
}

static void reboot(void)
{
	if (machine.have_power && machine.power.reset_port) {
		platform_reset_via_port(machine.power.reset_port, machine.power.reset_value);
		wait_for_the_machine();
	}
	platform_reset_control_register();
	wait_for_the_machine();
	platform_reset_keyboard_controller();
	wait_for_the_machine();
	pr_err("the machine did not reset: halting");
}

static void power_off(void)
{
	if (!platform_acpi_enable(machine.power.pm1a_cnt, machine.acpi.smi_cmd,
				  machine.acpi.acpi_enable))
		pr_warn("the firmware did not switch to ACPI mode (SCI_EN clear)");
	platform_acpi_sleep(machine.power.pm1a_cnt, machine.power.pm1b_cnt, machine.acpi.s5_typ_a,
			    machine.acpi.s5_typ_b);
	wait_for_the_machine();
	pr_err("the machine did not power off: halting");
}

void machine_end(u32 status)
{
	if (ends_through_emulator()) {
		if (machine.kind == MACHINE_QEMU)
			platform_qemu_exit(status);
		else
			platform_bochs_shutdown();
	} else if (end_in_force() == ON_END_REBOOT) {
		reboot();
	} else if (end_in_force() == ON_END_POWEROFF) {
		power_off();
	}
	platform_stop(status);
}
