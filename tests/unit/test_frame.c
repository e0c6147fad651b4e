/*
 * arch/x86/frame.c: the allocator must hand out every usable frame exactly once
 * and nothing else, since EPT hides exactly what it reports as owned. The
 * checks compare against an oracle that decides page by page what is
 * usable, independently of the allocator's range arithmetic.
 */
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "arch/x86/frame.h"
#include "hv/boot/multiboot2.h"

#define MiB (1ULL << 20)
#define RAM_TOP (17 * MiB) /* above everything the maps below describe */
#define NR_PAGES (RAM_TOP / PAGE_SIZE)

/* A PC-like map: low memory, holes, non-RAM types, RAM in two pieces. */
static const struct mem_region pc_map[] = {
	{ 0x0, 0x9f000, MB2_MEMORY_AVAILABLE }, /* below 1 MiB */
	{ 0x9f000, 0x61000, MB2_MEMORY_RESERVED },
	{ 1 * MiB, 7 * MiB, MB2_MEMORY_AVAILABLE },
	{ 8 * MiB, 1 * MiB, MB2_MEMORY_RESERVED },
	{ 9 * MiB, MiB / 2, MB2_MEMORY_ACPI_RECLAIMABLE },
	{ 9 * MiB + MiB / 2, 6 * MiB + MiB / 2, MB2_MEMORY_AVAILABLE },
	{ 16 * MiB, 1 * MiB, MB2_MEMORY_BADRAM },
};

/* Image, info, modules: unaligned, straddling frames and region ends. */
static const struct phys_range pc_reserved[] = {
	{ 0x100000, 0x180000 }, /* hypervisor image */
	{ 0x181100, 0x181500 }, /* boot information, inside one frame */
	{ 0x200000, 0x234567 }, /* module with an unaligned end */
	{ 0xa00800, 0xa01800 }, /* module across two frames mid-region */
	{ 0x7ff000, 0x900000 }, /* module from a region's end into a hole */
};

/* The oracle: [p, p + 4 KiB) lies in available RAM above 1 MiB, off every reserved range. */
static bool page_usable(u64 p, const struct mem_region *map, int nr_map,
			const struct phys_range *res, int nr_res)
{
	bool in_ram = false;

	if (p < FRAME_LOW_LIMIT)
		return false;
	for (int i = 0; i < nr_map; i++)
		if (map[i].type == MB2_MEMORY_AVAILABLE && p >= map[i].base &&
		    p + PAGE_SIZE <= map[i].base + map[i].len)
			in_ram = true;
	for (int i = 0; i < nr_res; i++)
		if (res[i].start < p + PAGE_SIZE && res[i].end > p)
			return false;
	return in_ram;
}

static bool pc_usable(u64 p)
{
	return page_usable(p, pc_map, ARRAY_SIZE(pc_map), pc_reserved, ARRAY_SIZE(pc_reserved));
}

static u64 pc_usable_count(void)
{
	u64 n = 0;

	for (u64 p = 0; p < RAM_TOP; p += PAGE_SIZE)
		n += pc_usable(p);
	return n;
}

static void init_pc(void)
{
	CHECK(frame_init(pc_map, ARRAY_SIZE(pc_map), pc_reserved, ARRAY_SIZE(pc_reserved)));
}

static void init_one(u64 base, u64 len)
{
	const struct mem_region r = { base, len, MB2_MEMORY_AVAILABLE };

	CHECK(frame_init(&r, 1, NULL, 0));
}

TEST(frame_hands_out_exactly_the_usable_frames)
{
	u64 want = pc_usable_count(), n = 0, prev = UINT64_MAX, f;

	init_pc();
	CHECK(want > 1000); /* the map above leaves plenty */
	CHECK_EQ_U64(frame_free_bytes(), want * PAGE_SIZE);
	while ((f = frame_alloc()) && n <= want) {
		n++;
		if (!CHECK_EQ_U64(f % PAGE_SIZE, 0) || !CHECK(pc_usable(f)) ||
		    !CHECK(f < prev)) /* top down, hence never twice */
			break;
		prev = f;
	}
	/* strictly decreasing usable frames, as many as usable: all of them */
	CHECK_EQ_U64(n, want);
	CHECK_EQ_U64(frame_free_bytes(), 0);
}

TEST(frame_allocates_from_top_down)
{
	init_pc();
	/* the top region ends at 16 MiB, the next frames follow below it */
	CHECK_EQ_U64(frame_alloc(), 16 * MiB - PAGE_SIZE);
	CHECK_EQ_U64(frame_alloc(), 16 * MiB - 2 * PAGE_SIZE);
	CHECK_EQ_U64(frame_alloc(), 16 * MiB - 3 * PAGE_SIZE);
}

TEST(frame_top_region_then_the_next_one_down)
{
	u64 f = 0;

	init_pc();
	/* drain [9.5 MiB, 16 MiB); then comes the region below the hole */
	for (u64 p = 16 * MiB - PAGE_SIZE; p >= 9 * MiB + MiB / 2; p -= PAGE_SIZE) {
		if (!pc_usable(p))
			continue;
		f = frame_alloc();
		if (!CHECK_EQ_U64(f, p))
			return;
	}
	/* 0x7ff000 is taken by the module running into the hole */
	CHECK_EQ_U64(frame_alloc(), 0x7fe000);
}

TEST(frame_free_bytes_decreases_per_frame)
{
	u64 before;

	init_pc();
	before = frame_free_bytes();
	for (int i = 1; i <= 300; i++) {
		if (!CHECK(frame_alloc() != 0))
			return;
		if (!CHECK_EQ_U64(frame_free_bytes(), before - (u64)i * PAGE_SIZE))
			return;
	}
}

TEST(frame_nothing_below_1mib)
{
	u64 f, n = 0, lowest = UINT64_MAX;

	init_one(0, 2 * MiB);
	while ((f = frame_alloc()) && n < 1000) {
		n++;
		lowest = MIN(lowest, f);
	}
	CHECK_EQ_U64(n, MiB / PAGE_SIZE);
	CHECK_EQ_U64(lowest, FRAME_LOW_LIMIT);

	/* RAM only below 1 MiB: nothing at all */
	init_one(0, 0x9f000);
	CHECK_EQ_U64(frame_free_bytes(), 0);
	CHECK_EQ_U64(frame_alloc(), 0);
}

TEST(frame_never_uses_non_available_regions)
{
	static const struct mem_region map[] = {
		{ 1 * MiB, 1 * MiB, MB2_MEMORY_RESERVED },
		{ 2 * MiB, 1 * MiB, MB2_MEMORY_ACPI_RECLAIMABLE },
		{ 3 * MiB, PAGE_SIZE, MB2_MEMORY_AVAILABLE },
		{ 4 * MiB, 1 * MiB, MB2_MEMORY_NVS },
		{ 5 * MiB, 1 * MiB, MB2_MEMORY_BADRAM },
		{ 6 * MiB, 1 * MiB, 77 }, /* a type this code does not know */
	};

	CHECK(frame_init(map, ARRAY_SIZE(map), NULL, 0));
	CHECK_EQ_U64(frame_free_bytes(), PAGE_SIZE);
	CHECK_EQ_U64(frame_alloc(), 3 * MiB);
	CHECK_EQ_U64(frame_alloc(), 0);
}

TEST(frame_exhaustion_returns_zero)
{
	init_one(1 * MiB, 3 * PAGE_SIZE);
	CHECK(frame_alloc() != 0);
	CHECK(frame_alloc() != 0);
	CHECK(frame_alloc() != 0);
	CHECK_EQ_U64(frame_alloc(), 0);
	CHECK_EQ_U64(frame_alloc(), 0); /* and stays so */
	CHECK_EQ_U64(frame_alloc_zeroed(), 0);
	CHECK_EQ_U64(frame_alloc_contig(1), 0);
	CHECK_EQ_U64(frame_free_bytes(), 0);
}

static bool all_bytes(u64 phys, u64 len, u8 v)
{
	const u8 *p = model_mem_ptr(phys, len);

	for (u64 i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

TEST(frame_alloc_zeroed_zeroes)
{
	u64 f;

	model_mem_map(1 * MiB, 2 * MiB, 0xa5);
	init_one(1 * MiB, 2 * MiB);
	f = frame_alloc_zeroed();
	CHECK_EQ_U64(f, 3 * MiB - PAGE_SIZE);
	CHECK(all_bytes(f, PAGE_SIZE, 0));
	/* only that frame: the one below is still dirty */
	CHECK(all_bytes(f - PAGE_SIZE, PAGE_SIZE, 0xa5));

	frame_alloc(); /* dirty, and skipped */
	f = frame_alloc_zeroed();
	CHECK_EQ_U64(f, 3 * MiB - 3 * PAGE_SIZE);
	CHECK(all_bytes(f, PAGE_SIZE, 0));
	CHECK(all_bytes(f - PAGE_SIZE, PAGE_SIZE, 0xa5));
}

TEST(frame_alloc_contig)
{
	static const struct mem_region map[] = {
		{ 1 * MiB, 1 * MiB, MB2_MEMORY_AVAILABLE },
		{ 4 * MiB, 2 * PAGE_SIZE, MB2_MEMORY_AVAILABLE }, /* too small for 3 */
	};
	u64 f, free;

	model_mem_map(1 * MiB, 3 * MiB + 2 * PAGE_SIZE, 0xa5);
	CHECK(frame_init(map, ARRAY_SIZE(map), NULL, 0));
	free = frame_free_bytes();

	f = frame_alloc_contig(3);
	CHECK_EQ_U64(f, 2 * MiB - 3 * PAGE_SIZE);
	CHECK(all_bytes(f, 3 * PAGE_SIZE, 0));
	CHECK(all_bytes(f - PAGE_SIZE, PAGE_SIZE, 0xa5));
	CHECK_EQ_U64(frame_free_bytes(), free - 3 * PAGE_SIZE);

	/* the small top range was passed over, not consumed */
	CHECK_EQ_U64(frame_alloc(), 4 * MiB + PAGE_SIZE);
	CHECK_EQ_U64(frame_alloc_contig(1), 4 * MiB);
	/* the next run sits right below the first */
	CHECK_EQ_U64(frame_alloc_contig(2), 2 * MiB - 5 * PAGE_SIZE);

	free = frame_free_bytes();
	CHECK_EQ_U64(frame_alloc_contig(0), 0);
	CHECK_EQ_U64(frame_alloc_contig(1000), 0);
	CHECK_EQ_U64(frame_alloc_contig(0xffffffffU), 0);
	CHECK_EQ_U64(frame_free_bytes(), free);
	/* exactly what is left still fits */
	CHECK_EQ_U64(frame_alloc_contig((unsigned)(free / PAGE_SIZE)), 1 * MiB);
	CHECK_EQ_U64(frame_free_bytes(), 0);
}

static u8 handed_out[NR_PAGES];

TEST(frame_owned_ranges_start_empty_and_grow_by_frame)
{
	struct phys_range owned[FRAME_MAX_RANGES];

	init_pc();
	CHECK_EQ_U64(frame_owned_ranges(owned, FRAME_MAX_RANGES), 0);
	frame_alloc();
	if (CHECK_EQ_U64(frame_owned_ranges(owned, FRAME_MAX_RANGES), 1)) {
		CHECK_EQ_U64(owned[0].start, 16 * MiB - PAGE_SIZE);
		CHECK_EQ_U64(owned[0].end, 16 * MiB);
	}
	frame_alloc();
	CHECK_EQ_U64(frame_owned_ranges(owned, FRAME_MAX_RANGES), 1);
	CHECK_EQ_U64(owned[0].start, 16 * MiB - 2 * PAGE_SIZE);
}

TEST(frame_unsorted_memory_map)
{
	/* The specification does not promise a sorted map. */
	static const struct mem_region map[] = {
		{ 4 * MiB, 2 * PAGE_SIZE, MB2_MEMORY_AVAILABLE },
		{ 8 * MiB, 1 * PAGE_SIZE, MB2_MEMORY_AVAILABLE },
		{ 2 * MiB, 1 * PAGE_SIZE, MB2_MEMORY_AVAILABLE },
	};

	CHECK(frame_init(map, ARRAY_SIZE(map), NULL, 0));
	CHECK_EQ_U64(frame_alloc(), 8 * MiB);
	CHECK_EQ_U64(frame_alloc(), 4 * MiB + PAGE_SIZE);
	CHECK_EQ_U64(frame_alloc(), 4 * MiB);
	CHECK_EQ_U64(frame_alloc(), 2 * MiB);
	CHECK_EQ_U64(frame_alloc(), 0);
}

TEST(frame_owned_ranges_cover_what_was_handed_out)
{
	struct phys_range owned[FRAME_MAX_RANGES];
	u64 total = 0, bytes = 0;
	int n;

	memset(handed_out, 0, sizeof(handed_out));
	model_mem_map(1 * MiB, 15 * MiB, 0xa5);
	init_pc();
	CHECK_EQ_U64(frame_owned_ranges(owned, FRAME_MAX_RANGES), 0);
	/* enough to empty the top region and reach into the one below */
	for (int i = 0; i < 1400; i++) {
		u64 f = i % 3 ? frame_alloc() : frame_alloc_contig(2);
		unsigned pages = i % 3 ? 1 : 2;

		if (!CHECK(f != 0))
			return;
		for (unsigned k = 0; k < pages; k++)
			handed_out[f / PAGE_SIZE + k]++;
		bytes += pages * PAGE_SIZE;
	}
	n = frame_owned_ranges(owned, FRAME_MAX_RANGES);
	CHECK(n >= 2);
	for (int i = 0; i < n; i++) {
		CHECK(owned[i].start < owned[i].end);
		for (u64 p = owned[i].start; p < owned[i].end; p += PAGE_SIZE)
			if (!CHECK_EQ_U64(handed_out[p / PAGE_SIZE]--, 1))
				return; /* owned but not handed out, or twice */
		total += owned[i].end - owned[i].start;
	}
	CHECK_EQ_U64(total, bytes);
	for (u64 p = 0; p < NR_PAGES; p++)
		if (!CHECK_EQ_U64(handed_out[p], 0)) /* handed out, not owned */
			return;
	/* max is respected */
	CHECK_EQ_U64(frame_owned_ranges(owned, 1), 1);
}

TEST(frame_reserved_range_splits_a_region)
{
	static const struct phys_range res[] = { { 0x104800, 0x105800 } };
	const struct mem_region r = { 0x100000, 0x10000, MB2_MEMORY_AVAILABLE };
	u64 want = 0x10f000;

	CHECK(frame_init(&r, 1, res, ARRAY_SIZE(res)));
	CHECK_EQ_U64(frame_free_bytes(), 14 * PAGE_SIZE);
	/* 0x104000 and 0x105000 each hold part of the reserved range */
	for (int i = 0; i < 14; i++, want -= PAGE_SIZE) {
		if (want == 0x105000)
			want = 0x103000;
		if (!CHECK_EQ_U64(frame_alloc(), want))
			return;
	}
	CHECK_EQ_U64(frame_alloc(), 0);
}

TEST(frame_reserved_ranges_overlapping_each_other)
{
	static const struct phys_range res[] = {
		{ 0x102000, 0x106000 }, { 0x104000, 0x109000 },
		{ 0x103800, 0x104800 }, { 0x10e000, 0x200000 }, /* beyond the region's end */
		{ 0x0, 0x101000 },				/* from below its start */
	};
	const struct mem_region r = { 0x100000, 0x10000, MB2_MEMORY_AVAILABLE };

	CHECK(frame_init(&r, 1, res, ARRAY_SIZE(res)));
	CHECK_EQ_U64(frame_free_bytes(), 6 * PAGE_SIZE);
	CHECK_EQ_U64(frame_alloc(), 0x10d000);
	CHECK_EQ_U64(frame_alloc(), 0x10c000);
	CHECK_EQ_U64(frame_alloc(), 0x10b000);
	CHECK_EQ_U64(frame_alloc(), 0x10a000);
	CHECK_EQ_U64(frame_alloc(), 0x109000);
	CHECK_EQ_U64(frame_alloc(), 0x101000);
	CHECK_EQ_U64(frame_alloc(), 0);
}

TEST(frame_unaligned_region_bounds)
{
	init_one(0x100800, 0x3000); /* [0x100800, 0x103800) */
	CHECK_EQ_U64(frame_free_bytes(), 2 * PAGE_SIZE);
	CHECK_EQ_U64(frame_alloc(), 0x102000);
	CHECK_EQ_U64(frame_alloc(), 0x101000);
	CHECK_EQ_U64(frame_alloc(), 0);

	/* less than a frame once aligned */
	init_one(0x200800, 0x1000);
	CHECK_EQ_U64(frame_free_bytes(), 0);
	CHECK_EQ_U64(frame_alloc(), 0);
}

TEST(frame_init_too_many_ranges)
{
	static struct mem_region map[FRAME_MAX_RANGES + 1];

	for (int i = 0; i < FRAME_MAX_RANGES + 1; i++)
		map[i] = (struct mem_region){ (u64)(i + 1) * MiB, PAGE_SIZE, MB2_MEMORY_AVAILABLE };
	CHECK(frame_init(map, FRAME_MAX_RANGES, NULL, 0));
	CHECK_EQ_U64(frame_free_bytes(), FRAME_MAX_RANGES * PAGE_SIZE);
	CHECK(!frame_init(map, FRAME_MAX_RANGES + 1, NULL, 0));
}

TEST(frame_reserve_pool)
{
	struct phys_range pool, owned[4];
	u64 f;

	init_pc();
	/* the first frame handed out stays owned: the pool takes it in */
	CHECK_EQ_U64(frame_alloc(), 16 * MiB - PAGE_SIZE);
	CHECK(frame_reserve_pool(2 * MiB - 100, RAM_TOP, &pool));
	CHECK_EQ_U64(pool.start, 14 * MiB - PAGE_SIZE);
	CHECK_EQ_U64(pool.end, 16 * MiB);
	CHECK_EQ_U64(frame_free_bytes(), 2 * MiB);
	while ((f = frame_alloc()))
		if (!CHECK(f >= pool.start && f < pool.end))
			return;
	CHECK_EQ_U64(frame_owned_ranges(owned, 4), 1);
	CHECK_EQ_U64(owned[0].start, pool.start);
	CHECK_EQ_U64(owned[0].end, pool.end);
}

TEST(frame_reserve_pool_falls_back_and_fails)
{
	static const struct mem_region map[] = {
		{ 1 * MiB, 8 * MiB, MB2_MEMORY_AVAILABLE },
		{ 10 * MiB, 1 * MiB, MB2_MEMORY_AVAILABLE },
	};
	struct phys_range pool = { 0, 0 };

	/* too large for the top range: the pool goes to the one below */
	CHECK(frame_init(map, ARRAY_SIZE(map), NULL, 0));
	CHECK(frame_reserve_pool(2 * MiB, 16 * MiB, &pool));
	CHECK_EQ_U64(pool.start, 7 * MiB);
	CHECK_EQ_U64(pool.end, 9 * MiB);
	CHECK_EQ_U64(frame_free_bytes(), 2 * MiB);
	CHECK_EQ_U64(frame_alloc(), 9 * MiB - PAGE_SIZE);

	CHECK(frame_init(map, ARRAY_SIZE(map), NULL, 0));
	CHECK(!frame_reserve_pool(8 * MiB + PAGE_SIZE, 16 * MiB, &pool));
}

/* The pool stays below the limit (4 GiB: what boot/entry.S maps), even where higher RAM is free. */
TEST(frame_reserve_pool_stays_below_the_limit)
{
	static const struct mem_region map[] = {
		{ 1 * MiB, 8 * MiB, MB2_MEMORY_AVAILABLE },
		{ 10 * MiB, 4 * MiB, MB2_MEMORY_AVAILABLE },
	};
	struct phys_range pool = { 0, 0 };

	CHECK(frame_init(map, ARRAY_SIZE(map), NULL, 0));
	/* the top range crosses the limit: passed over, not split */
	CHECK(frame_reserve_pool(2 * MiB, 12 * MiB, &pool));
	CHECK_EQ_U64(pool.start, 7 * MiB);
	CHECK_EQ_U64(pool.end, 9 * MiB);
	CHECK_EQ_U64(frame_alloc(), 9 * MiB - PAGE_SIZE);

	CHECK(frame_init(map, ARRAY_SIZE(map), NULL, 0));
	CHECK(!frame_reserve_pool(2 * MiB, 8 * MiB, &pool));
}

/* frame_release() hands back what was allocated after the mark, in every range, and nothing before. */
TEST(frame_release_returns_to_the_mark)
{
	struct frame_mark m;
	u64 before, first;

	init_pc();
	first = frame_alloc();
	before = frame_free_bytes();
	frame_mark(&m);
	/* more than the top region holds: the allocations reach the next range down */
	for (int i = 0; i < 2000; i++)
		if (!CHECK(frame_alloc() != 0))
			return;
	CHECK(frame_free_bytes() < before);
	frame_release(&m);
	CHECK_EQ_U64(frame_free_bytes(), before);
	CHECK_EQ_U64(frame_alloc(), first - PAGE_SIZE);
}
