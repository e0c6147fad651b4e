/*
 * The guest's physical memory: everything is identity-mapped through EPT
 * except the hypervisor's own memory (its image and its frame pool), which
 * the guest never sees. RAM is write-back, everything else (MMIO, ROM,
 * firmware tables, holes) uncacheable.
 */
#ifndef HV_GUEST_MEMORY_H
#define HV_GUEST_MEMORY_H

#include "arch/x86/frame.h"
#include "hv/boot/multiboot2.h"

enum segment_kind { SEG_HIDDEN, SEG_RAM, SEG_MMIO };

struct mem_segment {
	u64 start, end;
	enum segment_kind kind;
};

#define GUEST_MAX_HIDDEN 4
#define GUEST_MAX_SEGMENTS (4 * BOOT_MAX_REGIONS)

struct guest_memory {
	const struct mem_region *regions; /* the boot memory map */
	int nr_regions;
	struct phys_range hidden[GUEST_MAX_HIDDEN];
	int nr_hidden;
	u64 top; /* end of the guest-physical address space we map */
};

/*
 * Split [0, top) into page-aligned segments, sorted and merged: hidden
 * where a hidden range touches a page, RAM where the memory map says
 * available, MMIO elsewhere. Returns the count, or -1 if max is too small.
 */
int guest_memory_partition(const struct mem_region *regions, int nr_regions,
			   const struct phys_range *hidden, int nr_hidden, u64 top,
			   struct mem_segment *out, int max);

/*
 * The memory map the guest is told about, whatever its boot protocol: the
 * boot map sorted, its overlaps resolved (the more restrictive type wins),
 * the hidden ranges carved out of available RAM and listed as reserved,
 * neighbours of one type merged. Returns the count, or -1 if max is too
 * small.
 */
int guest_memory_map(const struct mem_region *regions, int nr_regions,
		     const struct phys_range *hidden, int nr_hidden, struct mem_region *out,
		     int max);

/* True if [start, end) is available RAM the guest may use. */
/* Whether [start, end) touches hypervisor memory (page-granular, as the EPT hides it). */
bool guest_memory_is_hidden(const struct phys_range *hidden, int nr_hidden, u64 start, u64 end);
bool guest_memory_is_ram(const struct mem_region *regions, int nr_regions,
			 const struct phys_range *hidden, int nr_hidden, u64 start, u64 end);

/*
 * Where size bytes fit as high as possible below limit and not below
 * floor: page-aligned guest RAM (available, not hidden) clear of every
 * avoid range. Returns the start, 0 if nothing fits.
 */
u64 guest_memory_find_free(const struct guest_memory *mem, const struct phys_range *avoid,
			   int nr_avoid, u64 size, u64 floor, u64 limit);

#endif
