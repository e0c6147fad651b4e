/* Shared by hostile's C and assembly: its GDT selectors and the NMI counter. */
#ifndef GUESTS_HOSTILE_HOSTILE_H
#define GUESTS_HOSTILE_HOSTILE_H

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_CS (0x18 | 3)
#define USER_DS (0x20 | 3)
#define TSS_SEL 0x28
#define EFLAGS_IOPL3 (3 << 12)

#ifndef __ASSEMBLY__
#include "lib/types.h"
extern volatile u32 nmi_count;
void nmi_stub(void);
__attribute__((noreturn)) void enter_ring3(void (*fn)(void), u32 stack_top);
#endif

#endif
