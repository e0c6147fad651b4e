#include "arch/x86/paging.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/frame.h"

/* 4-level paging translates 48 bits: 512 PML4 entries of 512 GiB each. */
#define PML4_SPAN SIZE_512G
#define PAGING_TOP (512 * PML4_SPAN)

static unsigned pml4_index(u64 addr)
{
	return (addr >> 39) & 511;
}

static unsigned pdpt_index(u64 addr)
{
	return (addr >> 30) & 511;
}

static unsigned pd_index(u64 addr)
{
	return (addr >> 21) & 511;
}

/*
 * 1-GByte pages are optional: CPUID.80000001H:EDX.Page1GB[bit 26] (SDM
 * Vol. 3A, "Enumeration of Paging Features by CPUID"). Without them a PDPTE
 * with PS = 1 is a reserved-bit violation, and 2 MiB pages take over.
 */
static bool has_1g_pages(void)
{
	return cpuid(0x80000000).eax >= CPUID_LEAF_EXT_FEATURES &&
	       (cpuid(CPUID_LEAF_EXT_FEATURES).edx & CPUID_80000001_EDX_PDPE1GB);
}

static u64 div_round_up(u64 n, u64 d)
{
	return (n + d - 1) / d;
}

/*
 * A PDPT for each 512 GiB past the first (boot/entry.S built that one), and
 * a page directory for each GiB past 4 GiB that is not one 1 GiB page:
 * every GiB without 1 GiB pages, else only a last, partial one.
 */
u64 paging_frames_needed(u64 top)
{
	u64 end = ALIGN_UP(top, SIZE_2M), frames;

	if (end <= SIZE_4G)
		return 0;
	frames = div_round_up(end, PML4_SPAN) - 1;
	if (!has_1g_pages())
		frames += div_round_up(end, SIZE_1G) - SIZE_4G / SIZE_1G;
	else if (end % SIZE_1G)
		frames++;
	return frames;
}

/*
 * The table an entry points to, allocated and linked in if the entry is
 * not present yet. The frame allocator zeroes it through phys_to_virt(),
 * so it must come from memory that is mapped already (the pool lies below
 * 4 GiB, hv/main.c). Linking a not-present entry needs no TLB flush: the
 * processor caches no not-present translation (SDM Vol. 3A, "Invalidation
 * of TLBs and Paging-Structure Caches").
 */
static u64 *next_table(u64 *entry)
{
	if (!(*entry & PTE_P)) {
		u64 phys = frame_alloc_zeroed();

		if (!phys)
			return NULL;
		*entry = phys | PTE_P | PTE_W;
	}
	return phys_to_virt(*entry & PTE_ADDR_MASK);
}

/*
 * Map [addr, end) one PDPT entry's range (1 GiB) at a time: a 1 GiB page
 * where the CPU has them and the whole GiB is in the range, else a page
 * directory of 2 MiB pages. Both addresses are 2 MiB aligned.
 */
static bool map_1g_range(u64 *pdpte, u64 addr, u64 end, bool pages_1g)
{
	u64 *pd;

	if (pages_1g && addr % SIZE_1G == 0 && end - addr >= SIZE_1G) {
		*pdpte = addr | PTE_P | PTE_W | PTE_PS;
		return true;
	}
	pd = next_table(pdpte);
	if (!pd)
		return false;
	for (; addr < end; addr += SIZE_2M)
		pd[pd_index(addr)] = addr | PTE_P | PTE_W | PTE_PS;
	return true;
}

bool paging_map_identity_above_4g(u64 top)
{
	bool pages_1g = has_1g_pages();
	u64 end = ALIGN_UP(top, SIZE_2M);

	if (end > PAGING_TOP)
		return false;
	for (u64 addr = SIZE_4G; addr < end;) {
		u64 next = MIN(ALIGN_DOWN(addr, SIZE_1G) + SIZE_1G, end);
		u64 *pdpt = next_table(&boot_pml4[pml4_index(addr)]);

		if (!pdpt || !map_1g_range(&pdpt[pdpt_index(addr)], addr, next, pages_1g))
			return false;
		addr = next;
	}
	return true;
}
