#include "arch/x86/paging.h"
#include "arch/x86/frame.h"

extern u64 boot_pml4[512];

bool paging_map_identity_above_4g(u64 top)
{
	u64 *pdpt = phys_to_virt(boot_pml4[0] & PTE_ADDR_MASK);

	if (top > SIZE_512G)
		return false;
	for (u64 gb = SIZE_4G; gb < top; gb += SIZE_1G) {
		u64 pd_phys = frame_alloc_zeroed();
		u64 *pd = phys_to_virt(pd_phys);

		if (!pd_phys)
			return false;
		for (int i = 0; i < 512; i++)
			pd[i] = (gb + (u64)i * SIZE_2M) | PTE_P | PTE_W | PTE_PS;
		pdpt[gb / SIZE_1G] = pd_phys | PTE_P | PTE_W;
	}
	return true;
}
