/* Shared by hostile's C and assembly: the jump to ring 3 and the NMI counter. */
#ifndef GUESTS_HOSTILE_HOSTILE_H
#define GUESTS_HOSTILE_HOSTILE_H

#define EFLAGS_IOPL3 (3 << 12)

#ifndef __ASSEMBLY__
#include "lib/types.h"
extern volatile u32 nmi_count;
void nmi_stub(void);
__attribute__((noreturn)) void enter_ring3(void (*fn)(void), u32 stack_top);
#endif

#endif
