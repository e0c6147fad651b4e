/*
 * Exception fixups: an instruction that may fault (RDMSR of an MSR the CPU
 * lacks, RDPMC of a counter it lacks) is listed with the address to resume
 * at. The exception handler looks the faulting RIP up here before it treats
 * the fault as fatal.
 */
#ifndef ARCH_X86_EXTABLE_H
#define ARCH_X86_EXTABLE_H

#include "lib/types.h"

struct extable_entry {
	u64 fault_rip;
	u64 fixup_rip;
};

#define ASM_EXTABLE(from, to)              \
	".pushsection ex_table, \"a\"\n\t" \
	".balign 8\n\t"                    \
	".quad " #from ", " #to "\n\t"     \
	".popsection\n\t"

/* Returns the fixup address for a faulting RIP, or 0. */
u64 extable_lookup(u64 rip);

#endif
