#include "hv/guest/memory.h"

static bool overlaps(u64 a_start, u64 a_end, u64 b_start, u64 b_end)
{
	return a_start < b_end && b_start < a_end;
}

static bool point_in_hidden(u64 start, u64 end, const struct phys_range *hidden, int nr_hidden)
{
	for (int i = 0; i < nr_hidden; i++)
		if (overlaps(start, end, ALIGN_DOWN(hidden[i].start, PAGE_SIZE),
			     ALIGN_UP(hidden[i].end, PAGE_SIZE)))
			return true;
	return false;
}

static bool inside_available(u64 start, u64 end, const struct mem_region *regions, int nr_regions)
{
	for (int i = 0; i < nr_regions; i++) {
		const struct mem_region *r = &regions[i];
		if (r->type == MB2_MEMORY_AVAILABLE && ALIGN_UP(r->base, PAGE_SIZE) <= start &&
		    end <= ALIGN_DOWN(r->base + r->len, PAGE_SIZE))
			return true;
	}
	return false;
}

/* Insert x into the sorted set pts[0..n) if it lies in (0, top); returns the new n. */
static int add_point(u64 *pts, int n, int max, u64 x, u64 top)
{
	int i;

	if (x == 0 || x >= top || n == max)
		return n;
	for (i = 0; i < n && pts[i] < x; i++)
		;
	if (i < n && pts[i] == x)
		return n;
	for (int j = n; j > i; j--)
		pts[j] = pts[j - 1];
	pts[i] = x;
	return n + 1;
}

int guest_memory_partition(const struct mem_region *regions, int nr_regions,
			   const struct phys_range *hidden, int nr_hidden, u64 top,
			   struct mem_segment *out, int max)
{
	u64 pts[2 * BOOT_MAX_REGIONS + 2 * GUEST_MAX_HIDDEN + 2];
	int np = 0, n = 0;

	pts[np++] = 0;
	for (int i = 0; i < nr_regions; i++) {
		np = add_point(pts, np, ARRAY_SIZE(pts) - 1, ALIGN_UP(regions[i].base, PAGE_SIZE),
			       top);
		np = add_point(pts, np, ARRAY_SIZE(pts) - 1,
			       ALIGN_DOWN(regions[i].base + regions[i].len, PAGE_SIZE), top);
	}
	for (int i = 0; i < nr_hidden; i++) {
		np = add_point(pts, np, ARRAY_SIZE(pts) - 1, ALIGN_DOWN(hidden[i].start, PAGE_SIZE),
			       top);
		np = add_point(pts, np, ARRAY_SIZE(pts) - 1, ALIGN_UP(hidden[i].end, PAGE_SIZE),
			       top);
	}
	pts[np++] = top;

	for (int i = 0; i + 1 < np; i++) {
		u64 s = pts[i], e = pts[i + 1];
		enum segment_kind k = point_in_hidden(s, e, hidden, nr_hidden)	    ? SEG_HIDDEN
				      : inside_available(s, e, regions, nr_regions) ? SEG_RAM
										    : SEG_MMIO;
		if (n && out[n - 1].kind == k && out[n - 1].end == s) {
			out[n - 1].end = e;
			continue;
		}
		if (n == max)
			return -1;
		out[n++] = (struct mem_segment){ s, e, k };
	}
	return n;
}

static int push_region(struct mem_region *out, int n, int max, u64 base, u64 end, u32 type)
{
	if (n < 0 || end <= base)
		return n;
	if (n == max)
		return -1;
	out[n] = (struct mem_region){ base, end - base, type };
	return n + 1;
}

/* Emit available [base, end) minus the hidden ranges, hidden parts as reserved. */
static int carve_hidden(struct mem_region *out, int n, int max, u64 base, u64 end,
			const struct phys_range *hidden, int nr_hidden)
{
	for (int i = 0; i < nr_hidden; i++) {
		u64 hs = ALIGN_DOWN(hidden[i].start, PAGE_SIZE);
		u64 he = ALIGN_UP(hidden[i].end, PAGE_SIZE);
		if (!overlaps(base, end, hs, he))
			continue;
		n = carve_hidden(out, n, max, base, MAX(base, hs), hidden, nr_hidden);
		n = push_region(out, n, max, MAX(base, hs), MIN(end, he), MB2_MEMORY_RESERVED);
		return carve_hidden(out, n, max, MIN(end, he), end, hidden, nr_hidden);
	}
	return push_region(out, n, max, base, end, MB2_MEMORY_AVAILABLE);
}

int guest_memory_map(const struct mem_region *regions, int nr_regions,
		     const struct phys_range *hidden, int nr_hidden, struct mem_region *out,
		     int max)
{
	int n = 0;

	for (int i = 0; i < nr_regions && n >= 0; i++) {
		const struct mem_region *r = &regions[i];
		if (r->type == MB2_MEMORY_AVAILABLE)
			n = carve_hidden(out, n, max, r->base, r->base + r->len, hidden, nr_hidden);
		else
			n = push_region(out, n, max, r->base, r->base + r->len, r->type);
	}
	return n;
}

bool guest_memory_is_hidden(const struct phys_range *hidden, int nr_hidden, u64 start, u64 end)
{
	return point_in_hidden(start, end, hidden, nr_hidden);
}

bool guest_memory_is_ram(const struct mem_region *regions, int nr_regions,
			 const struct phys_range *hidden, int nr_hidden, u64 start, u64 end)
{
	return !point_in_hidden(start, end, hidden, nr_hidden) &&
	       inside_available(ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE), regions,
				nr_regions);
}
