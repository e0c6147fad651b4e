/*
 * Ending a run: the mechanisms. QEMU's isa-debug-exit device (iobase 0xf4)
 * exits QEMU with (status << 1) | 1; Bochs exits when "Shutdown" is
 * written to port 0x8900. A machine resets through the FADT's reset
 * register, the PIIX/ICH reset control register at 0xcf9 or the keyboard
 * controller, and powers off through ACPI's PM1 control registers. Which
 * of them ends a run is policy: hv/base/machine.c.
 */
#ifndef ARCH_X86_PLATFORM_H
#define ARCH_X86_PLATFORM_H

#include "lib/types.h"

#define ISA_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900
#define KBC_STATUS_PORT 0x64
#define KBC_STATUS_INPUT_FULL (1u << 1) /* the controller has not taken the last byte */
#define KBC_COMMAND_PORT 0x64
#define KBC_PULSE_RESET 0xfe
#define RESET_CONTROL_PORT 0xcf9	/* PIIX/ICH reset control register */
#define RESET_CONTROL_SYS_RST (1u << 1) /* with RST_CPU: a hard reset */
#define RESET_CONTROL_RST_CPU (1u << 2)

/* Write the emulator's exit port; returns when it did not exit. */
void platform_qemu_exit(u32 status);
void platform_bochs_shutdown(void);
/* Each returns when the machine did not reset. */
void platform_reset_via_port(u16 port, u8 value);
void platform_reset_control_register(void);
void platform_reset_keyboard_controller(void);
/*
 * Enter the sleep state with these SLP_TYP values (soft-off: \_S5's):
 * SLP_TYP and SLP_EN to PM1a control, and to PM1b control where there is
 * one (ACPI Specification, "Sleeping/Wake Control"). Returns when the
 * machine is still on.
 */
void platform_acpi_sleep(u16 pm1a_cnt, u16 pm1b_cnt, u8 typ_a, u8 typ_b);
/* Switch a machine in legacy mode to ACPI mode ("ACPI Enable"); true when SCI_EN is set. */
bool platform_acpi_enable(u16 pm1a_cnt, u16 smi_cmd, u8 acpi_enable);

/* The CPU stops here for good. */
__attribute__((noreturn)) void platform_stop(u32 status);

#endif
