/*
 * The hypervisor's own page tables: an identity map of the first 4 GiB set
 * up by boot/entry.S with 2 MiB pages, extended here to all RAM, beyond
 * 512 GiB too (more PML4 entries). Intel SDM Vol. 3A, "4-Level Paging and
 * 5-Level Paging".
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

/* The root of the hypervisor's page tables (boot/entry.S); PML4[0] maps the first 4 GiB. */
extern u64 boot_pml4[512];

/*
 * Identity-map [4 GiB, top) as well, top rounded up to 2 MiB, with 1 GiB
 * pages where the CPU has them and 2 MiB pages otherwise. The tables come
 * from the frame allocator, which must hand out frames below 4 GiB (mapped
 * already) for this. Returns false if top is beyond what 4-level paging
 * translates (256 TiB) or frames run out.
 */
bool paging_map_identity_above_4g(u64 top);
/* How many frames paging_map_identity_above_4g(top) takes, to size the pool it draws on. */
u64 paging_frames_needed(u64 top);
#endif /* __ASSEMBLY__ */

#endif
