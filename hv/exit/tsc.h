/* The guest's time-stamp counter: an offset from the processor's (hv/exit/tsc.c). */
#ifndef HV_EXIT_TSC_H
#define HV_EXIT_TSC_H

#include "lib/types.h"

/* Whether the processor has IA32_TSC_ADJUST (CPUID.(EAX=7,ECX=0):EBX[1]). */
bool tsc_adjust_present(void);
void tsc_init_guest(void);
bool tsc_write(u32 msr, u64 value);
bool tsc_adjust_read(u32 msr, u64 *value);
bool tsc_adjust_write(u32 msr, u64 value);
/* IA32_TSC_DEADLINE, intercepted once the guest's TSC is offset from the processor's. */
bool tsc_deadline_read(u32 msr, u64 *value);
bool tsc_deadline_write(u32 msr, u64 value);

#endif
