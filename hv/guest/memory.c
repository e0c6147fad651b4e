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

/* Insert x into the sorted set pts[0..n); returns the new n. */
static int add_boundary(u64 *pts, int n, u64 x)
{
	int i;

	for (i = 0; i < n && pts[i] < x; i++)
		;
	if (i < n && pts[i] == x)
		return n;
	for (int j = n; j > i; j--)
		pts[j] = pts[j - 1];
	pts[i] = x;
	return n + 1;
}

/* Insert x into the sorted set pts[0..n) if it lies in (0, top) and there is room. */
static int add_point(u64 *pts, int n, int max, u64 x, u64 top)
{
	if (x == 0 || x >= top || n == max)
		return n;
	return add_boundary(pts, n, x);
}

int guest_memory_partition(const struct mem_region *regions, int nr_regions,
			   const struct phys_range *hidden, int nr_hidden, u64 top,
			   struct mem_segment *out, int max)
{
	/* Static: too large for the hypervisor's stacks with hundreds of regions. */
	static u64 pts[2 * BOOT_MAX_REGIONS + 2 * GUEST_MAX_HIDDEN + 2];
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

/*
 * Where the firmware's ranges overlap, the more restrictive type wins:
 * anything over available RAM, reserved over the ACPI types.
 */
static int type_rank(u32 type)
{
	switch (type) {
	case MB2_MEMORY_AVAILABLE:
		return 0;
	case MB2_MEMORY_ACPI_RECLAIMABLE:
		return 1;
	case MB2_MEMORY_NVS:
		return 2;
	case MB2_MEMORY_BADRAM:
		return 4;
	default:
		return 3;
	}
}

/* The type of the elementary interval starting at s, or 0 where no range covers it. */
static u32 type_at(const struct mem_region *regions, int nr_regions, u64 s)
{
	u32 type = 0;

	for (int i = 0; i < nr_regions; i++) {
		const struct mem_region *r = &regions[i];
		if (r->base <= s && s - r->base < r->len &&
		    (!type || type_rank(r->type) > type_rank(type)))
			type = r->type;
	}
	return type;
}

int guest_memory_map(const struct mem_region *regions, int nr_regions,
		     const struct phys_range *hidden, int nr_hidden, struct mem_region *out,
		     int max)
{
	static u64 pts[2 * BOOT_MAX_REGIONS + 2 * GUEST_MAX_HIDDEN];
	int np = 0, n = 0;

	if (nr_regions > BOOT_MAX_REGIONS || nr_hidden > GUEST_MAX_HIDDEN)
		return -1;
	for (int i = 0; i < nr_regions; i++) {
		np = add_boundary(pts, np, regions[i].base);
		np = add_boundary(pts, np, regions[i].base + regions[i].len);
	}
	for (int i = 0; i < nr_hidden; i++) {
		np = add_boundary(pts, np, ALIGN_DOWN(hidden[i].start, PAGE_SIZE));
		np = add_boundary(pts, np, ALIGN_UP(hidden[i].end, PAGE_SIZE));
	}
	/* Sorted, overlaps resolved, hidden RAM reserved, neighbours of one type merged. */
	for (int i = 0; i + 1 < np; i++) {
		u64 s = pts[i], e = pts[i + 1];
		u32 type = type_at(regions, nr_regions, s);

		if (!type)
			continue;
		if (type == MB2_MEMORY_AVAILABLE && point_in_hidden(s, e, hidden, nr_hidden))
			type = MB2_MEMORY_RESERVED;
		if (n && out[n - 1].type == type && out[n - 1].base + out[n - 1].len == s) {
			out[n - 1].len += e - s;
			continue;
		}
		if (n == max)
			return -1;
		out[n++] = (struct mem_region){ s, e - s, type };
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

static bool clear_of(const struct phys_range *avoid, int nr_avoid, u64 start, u64 end)
{
	for (int i = 0; i < nr_avoid; i++)
		if (overlaps(start, end, ALIGN_DOWN(avoid[i].start, PAGE_SIZE),
			     ALIGN_UP(avoid[i].end, PAGE_SIZE)))
			return false;
	return true;
}

/* The start of size bytes ending at end, if they are free guest RAM from floor up; else 0. */
static u64 free_below(const struct guest_memory *mem, const struct phys_range *avoid, int nr_avoid,
		      u64 size, u64 floor, u64 end)
{
	u64 start = end - size;

	if (end < size || start < floor ||
	    !guest_memory_is_ram(mem->regions, mem->nr_regions, mem->hidden, mem->nr_hidden, start,
				 end) ||
	    !clear_of(avoid, nr_avoid, start, end))
		return 0;
	return start;
}

u64 guest_memory_find_free(const struct guest_memory *mem, const struct phys_range *avoid,
			   int nr_avoid, u64 size, u64 floor, u64 limit)
{
	u64 best = 0;

	size = ALIGN_UP(size, PAGE_SIZE);
	if (!size)
		return 0;
	/* A highest fit ends where a RAM region, a hidden range or an avoided one begins, or at limit. */
	best = MAX(best,
		   free_below(mem, avoid, nr_avoid, size, floor, ALIGN_DOWN(limit, PAGE_SIZE)));
	for (int i = 0; i < mem->nr_regions; i++) {
		u64 end = ALIGN_DOWN(mem->regions[i].base + mem->regions[i].len, PAGE_SIZE);
		if (end <= limit)
			best = MAX(best, free_below(mem, avoid, nr_avoid, size, floor, end));
	}
	for (int i = 0; i < mem->nr_hidden; i++) {
		u64 end = ALIGN_DOWN(mem->hidden[i].start, PAGE_SIZE);
		if (end <= limit)
			best = MAX(best, free_below(mem, avoid, nr_avoid, size, floor, end));
	}
	for (int i = 0; i < nr_avoid; i++) {
		u64 end = ALIGN_DOWN(avoid[i].start, PAGE_SIZE);
		if (end <= limit)
			best = MAX(best, free_below(mem, avoid, nr_avoid, size, floor, end));
	}
	return best;
}
