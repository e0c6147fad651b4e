/* Control registers and the bits pmuvisor uses. Intel SDM Vol. 3A, "Control Registers". */
#ifndef ARCH_X86_CR_H
#define ARCH_X86_CR_H

#include "lib/types.h"

#define X86_CR0_PE BIT(0)
#define X86_CR0_NE BIT(5)
#define X86_CR0_WP BIT(16)
#define X86_CR0_NW BIT(29)
#define X86_CR0_CD BIT(30)
#define X86_CR0_PG BIT(31)

#define X86_CR4_PAE BIT(5)
#define X86_CR4_PCE BIT(8) /* RDPMC allowed at CPL > 0 */
#define X86_CR4_VMXE BIT(13)
#define X86_CR4_OSXSAVE BIT(18)

#ifndef __ASSEMBLY__
#ifndef HOST_MODEL
#define DEFINE_CR_ACCESS(n)                                            \
	static inline u64 read_cr##n(void)                             \
	{                                                              \
		u64 v;                                                 \
		asm volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                              \
	}                                                              \
	static inline void write_cr##n(u64 v)                          \
	{                                                              \
		asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR_ACCESS(0)
DEFINE_CR_ACCESS(2)
DEFINE_CR_ACCESS(3)
DEFINE_CR_ACCESS(4)
#undef DEFINE_CR_ACCESS

static inline u64 read_rflags(void)
{
	u64 v;
	asm volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

__attribute__((noreturn)) static inline void cpu_halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}
#else
u64 rdtsc(void);
#endif
#endif /* __ASSEMBLY__ */

#endif
