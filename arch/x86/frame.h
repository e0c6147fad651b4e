/*
 * Physical frame allocator: 4 KiB frames from the RAM the memory map calls
 * available, minus the hypervisor image, the boot information and every
 * module. Frames come from the top of RAM downwards so that the low memory
 * guests are linked at stays free, and are never returned: everything the
 * hypervisor allocates lives as long as it does. What was handed out is
 * reported by frame_owned_ranges(), which EPT hides from the guest.
 *
 * It is mechanism, below the page tables and EPT that take their frames
 * from it (arch/x86/paging.c, ept.c); hv/ only says what to reserve.
 */
#ifndef ARCH_X86_FRAME_H
#define ARCH_X86_FRAME_H

#include "arch/x86/memmap.h"

#define FRAME_MAX_RANGES 512	    /* a UEFI memory map has a hundred ranges and more */
#define FRAME_LOW_LIMIT 0x100000ULL /* the first MiB stays the guest's */

struct phys_range {
	u64 start, end; /* end exclusive */
};

/* Returns false when the available RAM cannot be described (too many holes). */
bool frame_init(const struct mem_region *regions, int nr_regions, const struct phys_range *reserved,
		int nr_reserved);
/*
 * Confine all further allocations to a pool of the given size at the top of
 * the highest free range that ends at or below limit, so that the
 * hypervisor's memory is one range EPT can hide. A range that crosses the
 * limit is passed over, not split. Returns false if no range is large
 * enough.
 */
bool frame_reserve_pool(u64 bytes, u64 limit, struct phys_range *pool);
/*
 * The same, with the pool around [around.start, around.end) (the
 * hypervisor image): first the free RAM that begins where it ends, then
 * the free RAM that ends where it begins, so that the image and the pool
 * are one block and no sliver of RAM is left above the image. *pool spans
 * both sides, the image included. Must come before any allocation.
 * Returns false if the ranges touching it hold too little.
 */
bool frame_reserve_pool_around(u64 bytes, struct phys_range around, struct phys_range *pool);
/* Physical address of a fresh frame, 0 when memory is exhausted. */
u64 frame_alloc(void);
/* Same, zero-filled. */
u64 frame_alloc_zeroed(void);
/* n physically contiguous frames, zero-filled, 0 if none. */
u64 frame_alloc_contig(unsigned n);
u64 frame_free_bytes(void);
/*
 * A point to return to: frame_release() hands back every frame allocated
 * after frame_mark(), for state that is built again from scratch (the
 * guest of the next run). The caller must hold no pointer into them.
 */
struct frame_mark {
	u64 top[FRAME_MAX_RANGES];
};
void frame_mark(struct frame_mark *m);
void frame_release(const struct frame_mark *m);
/* The ranges handed out so far; returns how many were written. */
int frame_owned_ranges(struct phys_range *out, int max);

#endif
