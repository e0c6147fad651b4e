/*
 * Ending a run. QEMU's isa-debug-exit device (iobase 0xf4) exits QEMU with
 * (status << 1) | 1; Bochs exits when "Shutdown" is written to port 0x8900;
 * on real hardware the CPU halts after the final line.
 */
#ifndef ARCH_X86_PLATFORM_H
#define ARCH_X86_PLATFORM_H

#include "lib/types.h"

#define ISA_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900

__attribute__((noreturn)) void platform_exit(u32 status);

#endif
