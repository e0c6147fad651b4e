#include "arch/x86/frame.h"
#include "arch/x86/paging.h"
#include "lib/string.h"

/* Each free range is consumed from its end: [start, top) is free, [top, end) handed out. */
struct frame_range {
	u64 start, top, end;
};

static struct frame_range ranges[FRAME_MAX_RANGES];
static int nr_ranges;

/* Insert [start, end) keeping ranges sorted by address. */
static bool add_range(u64 start, u64 end)
{
	int i;

	start = ALIGN_UP(start, PAGE_SIZE);
	end = ALIGN_DOWN(end, PAGE_SIZE);
	if (start < FRAME_LOW_LIMIT)
		start = FRAME_LOW_LIMIT;
	if (end <= start)
		return true;
	if (nr_ranges == FRAME_MAX_RANGES)
		return false;
	for (i = nr_ranges; i > 0 && ranges[i - 1].start > start; i--)
		ranges[i] = ranges[i - 1];
	ranges[i] = (struct frame_range){ start, end, end };
	nr_ranges++;
	return true;
}

/* Add [start, end) minus every reserved range, which may split it. */
static bool add_minus_reserved(u64 start, u64 end, const struct phys_range *reserved,
			       int nr_reserved)
{
	for (int i = 0; i < nr_reserved; i++) {
		const struct phys_range *r = &reserved[i];
		if (r->end <= start || r->start >= end)
			continue;
		return add_minus_reserved(start, ALIGN_DOWN(r->start, PAGE_SIZE), reserved,
					  nr_reserved) &&
		       add_minus_reserved(ALIGN_UP(r->end, PAGE_SIZE), end, reserved, nr_reserved);
	}
	return add_range(start, end);
}

bool frame_init(const struct mem_region *regions, int nr_regions, const struct phys_range *reserved,
		int nr_reserved)
{
	nr_ranges = 0;
	for (int i = 0; i < nr_regions; i++) {
		const struct mem_region *r = &regions[i];
		if (r->type != ADDRESS_RANGE_MEMORY)
			continue;
		if (!add_minus_reserved(r->base, r->base + r->len, reserved, nr_reserved))
			return false;
	}
	return true;
}

bool frame_reserve_pool(u64 bytes, u64 limit, struct phys_range *pool)
{
	bytes = ALIGN_UP(bytes, PAGE_SIZE);
	for (int i = nr_ranges - 1; i >= 0; i--) {
		struct frame_range r = ranges[i];
		if (r.end > limit || r.top - r.start < bytes)
			continue;
		/* What was handed out before stays owned: the pool joins it. */
		ranges[0] = (struct frame_range){ r.top - bytes, r.top, r.end };
		nr_ranges = 1;
		*pool = (struct phys_range){ r.top - bytes, r.end };
		return true;
	}
	return false;
}

static int range_ending_at(u64 end)
{
	for (int i = 0; i < nr_ranges; i++)
		if (ranges[i].end == end)
			return i;
	return -1;
}

static int range_starting_at(u64 start)
{
	for (int i = 0; i < nr_ranges; i++)
		if (ranges[i].start == start)
			return i;
	return -1;
}

bool frame_reserve_pool_around(u64 bytes, struct phys_range around, struct phys_range *pool)
{
	int below = range_ending_at(ALIGN_DOWN(around.start, PAGE_SIZE));
	int above = range_starting_at(ALIGN_UP(around.end, PAGE_SIZE));
	struct frame_range lo = { 0, 0, 0 }, hi = { 0, 0, 0 };
	u64 up = 0, down;

	for (int i = 0; i < nr_ranges; i++)
		if (ranges[i].top != ranges[i].end)
			return false;
	bytes = ALIGN_UP(bytes, PAGE_SIZE);
	if (above >= 0)
		up = MIN(bytes, ranges[above].end - ranges[above].start);
	down = bytes - up;
	if (down && (below < 0 || ranges[below].end - ranges[below].start < down))
		return false;
	if (up)
		hi = (struct frame_range){ ranges[above].start, ranges[above].start + up,
					   ranges[above].start + up };
	if (down)
		lo = (struct frame_range){ ranges[below].end - down, ranges[below].end,
					   ranges[below].end };
	*pool = (struct phys_range){ down ? lo.start : ALIGN_DOWN(around.start, PAGE_SIZE),
				     up ? hi.end : ALIGN_UP(around.end, PAGE_SIZE) };
	nr_ranges = 0;
	if (down)
		ranges[nr_ranges++] = lo;
	if (up)
		ranges[nr_ranges++] = hi;
	return true;
}

u64 frame_alloc_contig(unsigned n)
{
	u64 bytes = (u64)n * PAGE_SIZE;

	for (int i = nr_ranges - 1; i >= 0; i--) {
		struct frame_range *r = &ranges[i];
		if (n && r->top - r->start >= bytes) {
			r->top -= bytes;
			memset(phys_to_virt(r->top), 0, bytes);
			return r->top;
		}
	}
	return 0;
}

u64 frame_alloc_zeroed(void)
{
	return frame_alloc_contig(1);
}

u64 frame_alloc(void)
{
	for (int i = nr_ranges - 1; i >= 0; i--) {
		struct frame_range *r = &ranges[i];
		if (r->top > r->start) {
			r->top -= PAGE_SIZE;
			return r->top;
		}
	}
	return 0;
}

void frame_mark(struct frame_mark *m)
{
	for (int i = 0; i < nr_ranges; i++)
		m->top[i] = ranges[i].top;
}

void frame_release(const struct frame_mark *m)
{
	for (int i = 0; i < nr_ranges; i++)
		ranges[i].top = MAX(ranges[i].top, m->top[i]);
}

u64 frame_free_bytes(void)
{
	u64 total = 0;
	for (int i = 0; i < nr_ranges; i++)
		total += ranges[i].top - ranges[i].start;
	return total;
}

int frame_owned_ranges(struct phys_range *out, int max)
{
	int n = 0;
	for (int i = 0; i < nr_ranges && n < max; i++)
		if (ranges[i].top < ranges[i].end)
			out[n++] = (struct phys_range){ ranges[i].top, ranges[i].end };
	return n;
}
