/*
 * Instruction wrappers for guests: CPUID, TSC, MSRs, PMCs, port I/O, VMCALL,
 * control registers, LIDT.
 * The _safe variants return false instead of dying when the instruction
 * faults: each registers its faulting instruction in the guest_extable
 * section, and the exception handler resumes at the paired address, having
 * stored the vector in guest_fault_vector.
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include "lib/types.h"

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline u64 edx_eax(u32 hi, u32 lo)
{
	return (u64)hi << 32 | lo;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return edx_eax(hi, lo);
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return edx_eax(hi, lo);
}

static inline void wrmsr(u32 msr, u64 value)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)value), "d"((u32)(value >> 32)) : "memory");
}

static inline u64 rdpmc(u32 index)
{
	u32 lo, hi;

	asm volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(index));
	return edx_eax(hi, lo);
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(u16 port, u32 v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* Hypercall (ABI in hv/base/hypercall.h): EAX = nr, EBX/ECX/EDX = arguments, result in EDX:EAX. */
static inline u64 vmcall(u32 nr, u32 a1, u32 a2, u32 a3)
{
	u32 lo, hi;

	asm volatile("vmcall" : "=a"(lo), "=d"(hi) : "a"(nr), "b"(a1), "c"(a2), "d"(a3) : "memory");
	return edx_eax(hi, lo);
}

static inline u32 read_cr0(void)
{
	u32 v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline u32 read_cr2(void)
{
	u32 v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline u32 read_cr3(void)
{
	u32 v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline u32 read_cr4(void)
{
	u32 v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void lidt(const void *base, u16 limit)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) desc = { limit, (u32)(uintptr_t)base };

	asm volatile("lidt %0" : : "m"(desc));
}

/*
 * Exception fixup: a fault at address `fault` resumes at `resume`, with the
 * registers as they were at the fault. Entries are {fault, resume} pairs.
 */
struct guest_extable_entry {
	u32 fault, resume;
};

#define GUEST_EXTABLE_ENTRY(fault, resume)      \
	".pushsection guest_extable, \"a\"\n\t" \
	".balign 4\n\t"                         \
	".long " fault ", " resume "\n\t"       \
	".popsection\n\t"

/* The vector of the last exception a _safe helper absorbed (13 for #GP, 6 for #UD). */
extern volatile u32 guest_fault_vector;

/* Each _safe helper: "ok" stays 0 when the instruction faults and 2: is reached via the table. */
static inline bool rdmsr_safe(u32 msr, u64 *value)
{
	u32 lo = 0, hi = 0, ok = 0;

	asm volatile("1: rdmsr\n\t"
		     "movl $1, %[ok]\n"
		     "2:\n\t" GUEST_EXTABLE_ENTRY("1b", "2b")
		     : [ok] "+r"(ok), "+a"(lo), "+d"(hi)
		     : "c"(msr)
		     : "memory");
	*value = edx_eax(hi, lo);
	return ok;
}

static inline bool wrmsr_safe(u32 msr, u64 value)
{
	u32 ok = 0;

	asm volatile("1: wrmsr\n\t"
		     "movl $1, %[ok]\n"
		     "2:\n\t" GUEST_EXTABLE_ENTRY("1b", "2b")
		     : [ok] "+r"(ok)
		     : "c"(msr), "a"((u32)value), "d"((u32)(value >> 32))
		     : "memory");
	return ok;
}

static inline bool rdpmc_safe(u32 index, u64 *value)
{
	u32 lo = 0, hi = 0, ok = 0;

	asm volatile("1: rdpmc\n\t"
		     "movl $1, %[ok]\n"
		     "2:\n\t" GUEST_EXTABLE_ENTRY("1b", "2b")
		     : [ok] "+r"(ok), "+a"(lo), "+d"(hi)
		     : "c"(index)
		     : "memory");
	*value = edx_eax(hi, lo);
	return ok;
}

#endif
