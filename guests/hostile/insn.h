/*
 * Instructions hostile runs through the exception fixup table: each
 * returns whether the instruction completed; when it did not,
 * guest_fault_vector holds the vector of the exception it raised.
 */
#ifndef GUESTS_HOSTILE_INSN_H
#define GUESTS_HOSTILE_INSN_H

#include "guests/lib/guest.h"

#define VECTOR_UD 6
#define VECTOR_GP 13

#define SAFE_INSN(insn, ...)                                          \
	({                                                            \
		u32 ok_ = 0;                                          \
		guest_fault_vector = 0;                               \
		asm volatile("1: " insn "\n\t"                        \
			     "movl $1, %[ok]\n"                       \
			     "2:\n\t" GUEST_EXTABLE_ENTRY("1b", "2b") \
			     : [ok] "+r"(ok_)__VA_ARGS__              \
			     : "memory");                             \
		ok_;                                                  \
	})

static inline bool write_cr0_safe(u32 v)
{
	return SAFE_INSN("mov %[v], %%cr0", : [v] "r"(v));
}

static inline bool write_cr4_safe(u32 v)
{
	return SAFE_INSN("mov %[v], %%cr4", : [v] "r"(v));
}

static inline void write_cr0(u32 v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline void write_cr3(u32 v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline void write_cr4(u32 v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* Whether the instruction raised exactly this vector. */
static inline bool faulted_with(bool completed, u32 vector)
{
	return !completed && guest_fault_vector == vector;
}

#endif
