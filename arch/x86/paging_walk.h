/*
 * Translating a guest-linear address the way the guest's own paging
 * does, for emulating an instruction's memory access: 32-bit, PAE and
 * 4-level paging (SDM Vol. 3A, "Paging"). The tables are read through a
 * callback, which says when a table lies outside readable memory.
 */
#ifndef ARCH_X86_PAGING_WALK_H
#define ARCH_X86_PAGING_WALK_H

#include "lib/types.h"

/* Page-fault error code bits. SDM Vol. 3A, "Page-Fault Exceptions". */
#define PF_PRESENT BIT(0) /* a protection violation, not a not-present page */
#define PF_WRITE BIT(1)
#define PF_USER BIT(2)

struct paging_regs {
	u64 cr0, cr3, cr4, efer;
};

enum walk_result {
	WALK_OK,
	WALK_PAGE_FAULT, /* *error is the #PF error code */
	WALK_BAD_TABLE,	 /* a table entry could not be read */
};

/* Reads `size` (4 or 8) bytes of physical memory at `pa`; false if it cannot. */
typedef bool (*phys_read_fn)(u64 pa, unsigned size, u64 *value);

/* `access` holds PF_WRITE and PF_USER as the access needs them. */
enum walk_result paging_walk(const struct paging_regs *r, u64 linear, u32 access, phys_read_fn read,
			     u64 *pa, u32 *error);

#endif
