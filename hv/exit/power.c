#include "hv/exit/power.h"
#include "hv/exit/vmexit.h"
#include "hv/base/log.h"
#include "hv/base/status.h"
#include "arch/x86/io.h"
#include "arch/x86/vmx_bitmap.h"

#define PM1_CNT_SIZE 2 /* ACPI "PM1 Control Registers": 16 bits */

static struct acpi_power acpi;

void power_init(const struct boot_info *boot)
{
	char err[120];

	if (!boot->rsdp_len) {
		pr_warn("acpi: no RSDP: ACPI power-off will not be seen by the hypervisor");
		return;
	}
	if (!acpi_read_power_ports(boot->rsdp, boot->rsdp_len, &acpi, err, sizeof(err))) {
		pr_warn("acpi: %s: ACPI power-off will not be seen by the hypervisor", err);
		return;
	}
	pr_info("acpi: PM1a_CNT port 0x%x, PM1b_CNT port 0x%x, reset register port 0x%x value "
		"0x%x",
		acpi.pm1a_cnt, acpi.pm1b_cnt, acpi.reset_port, acpi.reset_value);
}

void power_intercept_ports(u8 *a, u8 *b)
{
	if (acpi.pm1a_cnt)
		io_bitmap_intercept(a, b, acpi.pm1a_cnt, PM1_CNT_SIZE);
	if (acpi.pm1b_cnt)
		io_bitmap_intercept(a, b, acpi.pm1b_cnt, PM1_CNT_SIZE);
	if (acpi.reset_port)
		io_bitmap_intercept(a, b, acpi.reset_port, 1);
	io_bitmap_intercept(a, b, KBC_COMMAND_PORT, 1);
	io_bitmap_intercept(a, b, RESET_CONTROL_PORT, 1);
}

static bool is_pm1_cnt(u16 port)
{
	return (acpi.pm1a_cnt && port == acpi.pm1a_cnt) || (acpi.pm1b_cnt && port == acpi.pm1b_cnt);
}

bool power_port_owns(u16 port, u8 size)
{
	if (is_pm1_cnt(port))
		return size <= PM1_CNT_SIZE;
	return size == 1 && (port == KBC_COMMAND_PORT || port == RESET_CONTROL_PORT ||
			     (acpi.reset_port && port == acpi.reset_port));
}

u32 power_port_in(u16 port, u8 size)
{
	return size == 1 ? inb(port) : inw(port);
}

bool power_port_out(u16 port, u8 size, u32 value)
{
	if (is_pm1_cnt(port) && size == PM1_CNT_SIZE && (value & ACPI_PM1_SLP_EN)) {
		guest_stop(HV_STATUS_OK, "guest powered off via ACPI (SLP_TYP %u to port 0x%x)",
			   ACPI_PM1_SLP_TYP(value), port);
		return false;
	}
	if (acpi.reset_port && port == acpi.reset_port && value == acpi.reset_value) {
		guest_stop(
			HV_STATUS_OK,
			"guest reset the machine via the ACPI reset register (0x%x to port 0x%x)",
			value, port);
		return false;
	}
	if (port == KBC_COMMAND_PORT && value == KBC_PULSE_RESET) {
		guest_stop(
			HV_STATUS_OK,
			"guest reset the machine via the keyboard controller (0x%x to port 0x%x)",
			value, port);
		return false;
	}
	if (port == RESET_CONTROL_PORT && (value & RESET_CONTROL_RST_CPU)) {
		guest_stop(HV_STATUS_OK, "guest reset the machine via port 0x%x (0x%x)", port,
			   value);
		return false;
	}
	if (size == 1)
		outb(port, (u8)value);
	else
		outw(port, (u16)value);
	return true;
}
