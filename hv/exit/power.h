/*
 * The guest ending the machine: ACPI power-off (SLP_EN written to the
 * PM1 control register the FADT names), a reset through the keyboard
 * controller (0xfe to port 0x64), port 0xcf9 or the FADT's reset
 * register. The hypervisor, not the platform, sees it: the run ends with
 * the report (hv/exit/power.c).
 */
#ifndef HV_EXIT_POWER_H
#define HV_EXIT_POWER_H

#include "hv/boot/acpi.h"
#include "arch/x86/platform.h" /* the ports */

/* Read the ports from the ACPI tables (boot's RSDP copy); one line about them. */
void power_init(const struct boot_info *boot);
/* Make the guest's accesses to those ports exit. */
void power_intercept_ports(u8 *io_bitmap_a, u8 *io_bitmap_b);
/*
 * Whether an access of size bytes at port is one of the registers; one
 * that only straddles into a register (a 32-bit access to 0xcf8, PCI
 * CONFIG_ADDRESS, covers 0xcf9) is not, and goes to the hardware.
 */
bool power_port_owns(u16 port, u8 size);
/*
 * Reads go to the hardware; a power-off or reset write asks for the end
 * of the guest (guest_stop()) and returns false, others go on to the
 * hardware.
 */
u32 power_port_in(u16 port, u8 size);
bool power_port_out(u16 port, u8 size, u32 value);

#endif
