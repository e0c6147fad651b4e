/* The multiboot1 memory map, kept for the guest (guests/lib/guest.h). */
#include "guests/lib/guest.h"
#include "guests/lib/multiboot1.h"
#include "guests/lib/runtime.h"

#define MB 0x100000ULL

static struct guest_mem_range ranges[GUEST_MAP_MAX];
static int nr_ranges;

void copy_memory_map(const struct mb1_info *info)
{
	u32 p, end;

	if (!(info->flags & MB1_INFO_MEM_MAP))
		return;
	p = info->mmap_addr;
	end = info->mmap_addr + info->mmap_length;
	while (p + sizeof(struct mb1_mmap_entry) <= end && nr_ranges < GUEST_MAP_MAX) {
		const struct mb1_mmap_entry *e = (const void *)(uintptr_t)p;
		ranges[nr_ranges++] = (struct guest_mem_range){ e->base, e->len, e->type };
		p += e->size + sizeof(e->size);
	}
}

int guest_memory_map(const struct guest_mem_range **map)
{
	*map = ranges;
	return nr_ranges;
}

static const struct guest_mem_range *range_at(u64 base)
{
	for (int i = 0; i < nr_ranges; i++)
		if (ranges[i].base == base)
			return &ranges[i];
	return 0;
}

bool guest_hypervisor_range(u64 *start, u64 *end)
{
	const struct guest_mem_range *ram = range_at(MB), *hv;

	if (!ram || ram->type != MB1_MEMORY_AVAILABLE)
		return false;
	hv = range_at(ram->base + ram->len);
	if (!hv || hv->type != MB1_MEMORY_RESERVED)
		return false;
	*start = hv->base;
	*end = hv->base + hv->len;
	return true;
}
