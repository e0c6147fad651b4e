#include "arch/x86/platform.h"
#include "arch/x86/io.h"

/* PM1 control: SLP_TYP 12:10, SLP_EN 13, SCI_EN 0 ("PM1 Control Registers"). */
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN (1u << 13)
#define PM1_SCI_EN (1u << 0)
/* Bounded waits: a device that never answers must not hang the end of a run. */
#define SPIN 1000000

void platform_qemu_exit(u32 status)
{
	outl(ISA_DEBUG_EXIT_PORT, status);
}

void platform_bochs_shutdown(void)
{
	for (const char *s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN_PORT, (u8)*s);
}

void platform_reset_via_port(u16 port, u8 value)
{
	outb(port, value);
}

void platform_reset_control_register(void)
{
	/* SYS_RST first, then RST_CPU with it: the 0-to-1 edge of RST_CPU resets. */
	u8 keep = inb(RESET_CONTROL_PORT) & (u8) ~(RESET_CONTROL_SYS_RST | RESET_CONTROL_RST_CPU);

	outb(RESET_CONTROL_PORT, keep | RESET_CONTROL_SYS_RST);
	outb(RESET_CONTROL_PORT, keep | RESET_CONTROL_SYS_RST | RESET_CONTROL_RST_CPU);
}

void platform_reset_keyboard_controller(void)
{
	for (int spin = 0; spin < SPIN; spin++)
		if (!(inb(KBC_STATUS_PORT) & KBC_STATUS_INPUT_FULL))
			break;
	outb(KBC_COMMAND_PORT, KBC_PULSE_RESET);
}

static u16 pm1_with_typ(u16 port, u8 typ)
{
	return (u16)((inw(port) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN)) |
		     ((u16)typ << PM1_SLP_TYP_SHIFT));
}

void platform_acpi_sleep(u16 pm1a_cnt, u16 pm1b_cnt, u8 typ_a, u8 typ_b)
{
	u16 a = pm1_with_typ(pm1a_cnt, typ_a), b = pm1b_cnt ? pm1_with_typ(pm1b_cnt, typ_b) : 0;

	/* SLP_TYP into both registers first, then SLP_EN into both. */
	outw(pm1a_cnt, a);
	if (pm1b_cnt)
		outw(pm1b_cnt, b);
	outw(pm1a_cnt, a | PM1_SLP_EN);
	if (pm1b_cnt)
		outw(pm1b_cnt, b | PM1_SLP_EN);
}

bool platform_acpi_enable(u16 pm1a_cnt, u16 smi_cmd, u8 acpi_enable)
{
	if (inw(pm1a_cnt) & PM1_SCI_EN)
		return true;
	if (!smi_cmd || !acpi_enable)
		return false;
	outb(smi_cmd, acpi_enable);
	for (int spin = 0; spin < SPIN; spin++)
		if (inw(pm1a_cnt) & PM1_SCI_EN)
			return true;
	return false;
}
