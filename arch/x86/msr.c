/* The fault-tolerant MSR and PMC accessors; the plain ones are inline in msr.h and pmu.h. */
#include "arch/x86/msr.h"
#include "arch/x86/extable.h"
#include "arch/x86/pmu.h"

bool rdmsr_safe(u32 msr, u64 *v)
{
	u32 lo = 0, hi = 0;
	u8 ok = 1;

	asm volatile("1: rdmsr\n\t"
		     "jmp 3f\n"
		     "2: movb $0, %2\n"
		     "3:\n\t" ASM_EXTABLE(1b, 2b)
		     : "+a"(lo), "+d"(hi), "+r"(ok)
		     : "c"(msr));
	*v = ((u64)hi << 32) | lo;
	return ok;
}

bool wrmsr_safe(u32 msr, u64 v)
{
	u8 ok = 1;

	asm volatile("1: wrmsr\n\t"
		     "jmp 3f\n"
		     "2: movb $0, %0\n"
		     "3:\n\t" ASM_EXTABLE(1b, 2b)
		     : "+r"(ok)
		     : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32))
		     : "memory");
	return ok;
}

bool rdpmc_safe(u32 ecx, u64 *v)
{
	u32 lo = 0, hi = 0;
	u8 ok = 1;

	asm volatile("1: rdpmc\n\t"
		     "jmp 3f\n"
		     "2: movb $0, %2\n"
		     "3:\n\t" ASM_EXTABLE(1b, 2b)
		     : "+a"(lo), "+d"(hi), "+r"(ok)
		     : "c"(ecx));
	*v = ((u64)hi << 32) | lo;
	return ok;
}
