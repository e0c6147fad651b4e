/* Control registers and the bits pmuvisor uses. Intel SDM Vol. 3A, "Control Registers". */
#ifndef ARCH_X86_CR_H
#define ARCH_X86_CR_H

#include "lib/types.h"

#define X86_CR0_PE BIT(0)
#define X86_CR0_MP BIT(1)
#define X86_CR0_EM BIT(2)
#define X86_CR0_TS BIT(3)
#define X86_CR0_ET BIT(4) /* hardwired to 1 */
#define X86_CR0_NE BIT(5)
#define X86_CR0_WP BIT(16)
#define X86_CR0_AM BIT(18)
#define X86_CR0_NW BIT(29)
#define X86_CR0_CD BIT(30)
#define X86_CR0_PG BIT(31)

#define X86_CR4_PSE BIT(4)
#define X86_CR4_PAE BIT(5)
#define X86_CR4_MCE BIT(6) /* machine checks raise #MC instead of shutting down */
#define X86_CR4_PGE BIT(7)
#define X86_CR4_PCE BIT(8) /* RDPMC allowed at CPL > 0 */
#define X86_CR4_VMXE BIT(13)
#define X86_CR4_LA57 BIT(12)
#define X86_CR4_PCIDE BIT(17)
#define X86_CR4_OSXSAVE BIT(18)
#define X86_CR4_SMEP BIT(20)
#define X86_CR4_PKE BIT(22)
#define X86_CR4_CET BIT(23)

/* RFLAGS. SDM Vol. 1, "EFLAGS Register". */
#define X86_EFLAGS_TF BIT(8)
#define X86_EFLAGS_IF BIT(9)
#define X86_EFLAGS_DF BIT(10)

#define X86_CR3_PCID_MASK 0xfffULL /* CR3[11:0] with CR4.PCIDE = 1 */

#ifndef __ASSEMBLY__
/*
 * The checks MOV to CR0/CR4 makes before it changes anything, for a
 * hypervisor that emulates the write: each returns true when the CPU
 * raises #GP(0). SDM Vol. 3A, "MOV—Move to/from Control Registers", and
 * Vol. 3A, "Control Registers". `cs_long` is CS.L (64-bit mode when
 * EFER.LMA = 1); `cr4_allowed` the CR4 bits this processor accepts.
 */
struct cr_state {
	u64 cr0, cr3, cr4, efer;
	bool cs_long;
};

/* The value CR0 holds after a MOV of `v` that does not fault: ET reads 1, reserved bits 0. */
u64 cr0_normalize(u64 v);
bool cr0_write_faults(const struct cr_state *s, u64 new_cr0);
bool cr4_write_faults(const struct cr_state *s, u64 new_cr4, u64 cr4_allowed);
#endif

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
u64 read_cr0(void);
u64 read_cr2(void);
u64 read_cr3(void);
u64 read_cr4(void);
void write_cr0(u64 v);
void write_cr2(u64 v);
void write_cr4(u64 v);
#endif
#endif /* __ASSEMBLY__ */

#endif
