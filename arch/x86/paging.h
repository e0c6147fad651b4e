/*
 * The hypervisor's own page tables: an identity map of the first 4 GiB set
 * up by boot/entry.S with 2 MiB pages, extended here to all RAM. Intel SDM
 * Vol. 3A, "4-Level Paging and 5-Level Paging".
 */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include "lib/types.h"

#define PTE_P BIT(0)
#define PTE_W BIT(1)
#define PTE_PS BIT(7)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

#define SIZE_2M (2ULL << 20)
#define SIZE_1G (1ULL << 30)
#define SIZE_4G (4ULL << 30)
#define SIZE_512G (512ULL << 30)

#ifndef __ASSEMBLY__
#ifdef HOST_MODEL
void *phys_to_virt(u64 phys);
u64 virt_to_phys(const void *p);
#else
static inline void *phys_to_virt(u64 phys)
{
	return (void *)(uintptr_t)phys;
}

static inline u64 virt_to_phys(const void *p)
{
	return (u64)(uintptr_t)p;
}
#endif

/*
 * Identity-map [4 GiB, top) as well. Returns false if top is beyond what
 * one PML4 entry (512 GiB) covers or frames run out.
 */
bool paging_map_identity_above_4g(u64 top);
#endif /* __ASSEMBLY__ */

#endif
