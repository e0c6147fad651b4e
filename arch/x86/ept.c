#include "arch/x86/ept.h"
#include "arch/x86/paging.h"
#include "arch/x86/frame.h"

#define EPT_ENTRIES 512
#define EPT_TABLE_FLAGS EPT_RWX

static unsigned ept_index(u64 addr, int level)
{
	return (addr >> (12 + 9 * level)) & (EPT_ENTRIES - 1);
}

/* The table below entry e (level >= 1), allocating it when absent. */
static u64 *ept_next_table(u64 *table, unsigned idx)
{
	u64 *e = &table[idx];

	if (!(*e & EPT_RWX)) {
		u64 frame = frame_alloc_zeroed();
		if (!frame)
			return NULL;
		*e = frame | EPT_TABLE_FLAGS;
	}
	return phys_to_virt(*e & PTE_ADDR_MASK);
}

/* Walk to the table at target_level (1: PD, 0: PT) for addr. */
static u64 *ept_walk(struct ept *ept, u64 addr, int target_level)
{
	u64 *table = phys_to_virt(ept->pml4_phys);

	for (int level = 3; level > target_level && table; level--)
		table = ept_next_table(table, ept_index(addr, level));
	return table;
}

bool ept_init(struct ept *ept)
{
	ept->pml4_phys = frame_alloc_zeroed();
	return ept->pml4_phys != 0;
}

bool ept_map_identity(struct ept *ept, u64 start, u64 end, u8 memtype)
{
	u64 leaf = EPT_RWX | ((u64)memtype << EPT_MEMTYPE_SHIFT);

	while (start < end) {
		bool large = (start % SIZE_2M) == 0 && end - start >= SIZE_2M;
		u64 *table = ept_walk(ept, start, large ? 1 : 0);

		if (!table)
			return false;
		table[ept_index(start, large ? 1 : 0)] = start | leaf |
							 (large ? EPT_LARGE_PAGE : 0);
		start += large ? SIZE_2M : PAGE_SIZE;
	}
	return true;
}

u64 ept_pointer(const struct ept *ept)
{
	return ept->pml4_phys | EPTP_WB | EPTP_WALK_4;
}

u64 ept_lookup(const struct ept *ept, u64 gpa)
{
	u64 *table = phys_to_virt(ept->pml4_phys);

	for (int level = 3; level >= 0; level--) {
		u64 e = table[ept_index(gpa, level)];
		if (!(e & EPT_RWX))
			return 0;
		if (level == 0 || (level == 1 && (e & EPT_LARGE_PAGE)))
			return e;
		table = phys_to_virt(e & PTE_ADDR_MASK);
	}
	return 0;
}
