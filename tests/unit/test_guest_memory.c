/*
 * hv/guest/memory.c: what EPT maps and what the guest is told. The
 * hypervisor's memory must be hidden page-exactly, RAM write-back and
 * everything else uncacheable, and the guest's memory map must say so.
 */
#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "hv/guest/memory.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* The map Bochs gives GRUB with 256 MiB. */
static const struct mem_region bochs_map[] = {
	{ 0x0, 0x9f000, MB2_MEMORY_AVAILABLE },
	{ 0x9f000, 0x1000, MB2_MEMORY_RESERVED },
	{ 0xe8000, 0x18000, MB2_MEMORY_RESERVED },
	{ 0x100000, 0xfef0000, MB2_MEMORY_AVAILABLE },
	{ 0xfff0000, 0x10000, MB2_MEMORY_ACPI_RECLAIMABLE },
	{ 0xfffc0000, 0x40000, MB2_MEMORY_RESERVED },
};

/* Image (unaligned end) and pool, as hv/main.c reserves them. */
static const struct phys_range hidden[] = {
	{ 64 * MiB, 64 * MiB + 0x20123 },
	{ 0xeff0000, 0xfff0000 },
};

TEST(guest_memory_partition_hides_hypervisor_memory_page_exactly)
{
	struct mem_segment seg[32];
	int n = guest_memory_partition(bochs_map, 6, hidden, 2, 4 * GiB, seg, 32);
	const struct mem_segment want[] = {
		{ 0x0, 0x9f000, SEG_RAM },
		{ 0x9f000, 0x100000, SEG_MMIO },
		{ 0x100000, 64 * MiB, SEG_RAM },
		{ 64 * MiB, 64 * MiB + 0x21000, SEG_HIDDEN },
		{ 64 * MiB + 0x21000, 0xeff0000, SEG_RAM },
		{ 0xeff0000, 0xfff0000, SEG_HIDDEN },
		{ 0xfff0000, 4 * GiB, SEG_MMIO },
	};

	if (!CHECK_EQ_U64(n, 7))
		return;
	for (int i = 0; i < n; i++) {
		CHECK_EQ_U64(seg[i].start, want[i].start);
		CHECK_EQ_U64(seg[i].end, want[i].end);
		CHECK_EQ_U64(seg[i].kind, want[i].kind);
	}
}

TEST(guest_memory_partition_covers_the_space_without_gaps)
{
	struct mem_segment seg[32];
	int n = guest_memory_partition(bochs_map, 6, hidden, 2, 4 * GiB, seg, 32);

	CHECK_EQ_U64(seg[0].start, 0);
	CHECK_EQ_U64(seg[n - 1].end, 4 * GiB);
	for (int i = 0; i + 1 < n; i++) {
		CHECK_EQ_U64(seg[i].end, seg[i + 1].start);
		CHECK(seg[i].kind != seg[i + 1].kind); /* merged */
		CHECK_EQ_U64(seg[i].start % PAGE_SIZE, 0);
	}
}

TEST(guest_memory_partition_reports_too_small_output)
{
	struct mem_segment seg[3];
	CHECK_EQ_U64(guest_memory_partition(bochs_map, 6, hidden, 2, 4 * GiB, seg, 3), (u64)-1);
}

TEST(guest_memory_partial_pages_of_ram_are_not_ram)
{
	const struct mem_region map[] = { { 0x1800, 0x3000, MB2_MEMORY_AVAILABLE } };
	struct mem_segment seg[8];
	int n = guest_memory_partition(map, 1, NULL, 0, 0x10000, seg, 8);

	/* Only the page 0x2000-0x4000 lies wholly inside 0x1800-0x4800. */
	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(seg[1].start, 0x2000);
	CHECK_EQ_U64(seg[1].end, 0x4000);
	CHECK_EQ_U64(seg[1].kind, SEG_RAM);
}

TEST(guest_memory_map_marks_hidden_ranges_reserved)
{
	struct mem_region out[16];
	int n = guest_memory_map(bochs_map, 6, hidden, 2, out, 16);
	u64 avail = 0;

	if (!CHECK_EQ_U64(n, 9))
		return;
	/* The big region is split around the image and ends at the pool. */
	CHECK_EQ_U64(out[3].base, 0x100000);
	CHECK_EQ_U64(out[3].len, 63 * MiB);
	CHECK_EQ_U64(out[4].base, 64 * MiB);
	CHECK_EQ_U64(out[4].len, 0x21000);
	CHECK_EQ_U64(out[4].type, MB2_MEMORY_RESERVED);
	CHECK_EQ_U64(out[5].base, 64 * MiB + 0x21000);
	CHECK_EQ_U64(out[5].type, MB2_MEMORY_AVAILABLE);
	CHECK_EQ_U64(out[6].base, 0xeff0000);
	CHECK_EQ_U64(out[6].len, 16 * MiB);
	CHECK_EQ_U64(out[6].type, MB2_MEMORY_RESERVED);
	for (int i = 0; i < n; i++)
		if (out[i].type == MB2_MEMORY_AVAILABLE) {
			avail += out[i].len;
			for (int h = 0; h < 2; h++)
				CHECK(out[i].base + out[i].len <= hidden[h].start ||
				      out[i].base >= hidden[h].end);
		}
	CHECK_EQ_U64(avail, 0x9f000 + 0xfef0000 - 0x21000 - 16 * MiB);
}

TEST(guest_memory_is_ram)
{
	CHECK(guest_memory_is_ram(bochs_map, 6, hidden, 2, 0x200000, 0x300000));
	CHECK(!guest_memory_is_ram(bochs_map, 6, hidden, 2, 63 * MiB, 64 * MiB + 1));
	CHECK(!guest_memory_is_ram(bochs_map, 6, hidden, 2, 0x9e000, 0xa0000));
	CHECK(!guest_memory_is_ram(bochs_map, 6, hidden, 2, 0xeff0000, 0xeff0001));
	CHECK(!guest_memory_is_ram(bochs_map, 6, hidden, 2, 0xfff0000, 0xfff1000));
}

/*
 * Bochs with 256 MiB: GRUB put the relocatable image as high as it could,
 * below 1.8 MiB of RAM its own heap still used then. The pool goes around
 * the image, so the guest sees one range of RAM from 1 MiB up to the
 * hypervisor and none above it: a multiboot guest linked anywhere in it
 * loads.
 */
TEST(guest_memory_stays_one_range_with_the_hypervisor_on_top)
{
	const struct phys_range image = { 0xfcec000, 0xfe29000 };
	struct phys_range hv[2] = { image }, pool;
	struct mem_region map[16];
	int n, ram = 0;

	CHECK(frame_init(bochs_map, 6, &image, 1));
	if (!CHECK(frame_reserve_pool_around(24 * MiB, image, &pool)))
		return;
	CHECK_EQ_U64(pool.end, 0xfff0000);
	CHECK_EQ_U64(pool.start, 0xfff0000 - 24 * MiB - (image.end - image.start));
	hv[1] = pool;
	n = guest_memory_map(bochs_map, 6, hv, 2, map, 16);
	for (int i = 0; i < n; i++) {
		if (map[i].type != MB2_MEMORY_AVAILABLE || map[i].base < MiB)
			continue;
		ram++;
		CHECK_EQ_U64(map[i].base, MiB);
		CHECK_EQ_U64(map[i].base + map[i].len, pool.start);
	}
	CHECK_EQ_U64(ram, 1);
	/* What the pool hands out lies inside it. */
	for (int i = 0; i < 16; i++) {
		u64 f = frame_alloc();
		CHECK(f >= pool.start && f + PAGE_SIZE <= pool.end &&
		      (f >= image.end || f + PAGE_SIZE <= image.start));
	}
}

/* A module beside the image: no pool around it (hv/main.c then takes the highest free range). */
TEST(guest_memory_pool_around_needs_free_neighbours)
{
	const struct phys_range reserved[] = { { 0xfcec000, 0xfe29000 }, { 0xfa00000, 0xfcec000 } };
	struct phys_range pool;

	CHECK(frame_init(bochs_map, 6, reserved, 2));
	CHECK(!frame_reserve_pool_around(24 * MiB, reserved[0], &pool));
	/* The sliver above is enough for a small pool, which stays next to the image. */
	CHECK(frame_reserve_pool_around(MiB, reserved[0], &pool));
	CHECK_EQ_U64(pool.start, 0xfcec000);
	CHECK_EQ_U64(pool.end, 0xfe29000 + MiB);
}

/*
 * Staging the modules: the highest page-aligned fit below the limit in
 * any free range, not only in the range that reaches the limit.
 */
TEST(guest_memory_find_free_takes_the_highest_fit_below_the_limit)
{
	/* A UEFI-like map: RAM up to 2 GiB cut by firmware ranges, then RAM above. */
	static const struct mem_region uefi_map[] = {
		{ 0x0, 0xa0000, MB2_MEMORY_AVAILABLE },
		{ 0x100000, 0x7f000000 - 0x100000, MB2_MEMORY_AVAILABLE },
		{ 0x7f000000, 0x200000, MB2_MEMORY_RESERVED },
		{ 0x7f200000, 0x600000, MB2_MEMORY_AVAILABLE },
		{ 0x7f800000, 0x100000, MB2_MEMORY_NVS },
		{ 0x7f900000, 0x80000000 - 0x7f900000 + 0x40000000, MB2_MEMORY_AVAILABLE },
	};
	const struct phys_range hv[] = { { 0xb0000000, 0xbf000000 } };
	const struct phys_range avoid[] = { { 0x7f300000, 0x7f301234 } }; /* a module */
	struct guest_memory mem = { uefi_map, 6, { hv[0] }, 1, 4 * GiB };

	/* 0x7f900000-2 GiB fits 4 MiB: right below the limit. */
	CHECK_EQ_U64(guest_memory_find_free(&mem, avoid, 1, 4 * MiB, MiB, 2 * GiB),
		     2 * GiB - 4 * MiB);
	/* 8 MiB does not fit there, nor between the module and the NVS range: below 0x7f000000. */
	CHECK_EQ_U64(guest_memory_find_free(&mem, avoid, 1, 8 * MiB, MiB, 2 * GiB),
		     0x7f000000 - 8 * MiB);
	/* Up to the NVS range, clear of the module below it. */
	CHECK_EQ_U64(guest_memory_find_free(&mem, avoid, 1, 5 * MiB - 0x2000 - 0x100000, MiB,
					    0x7f800000),
		     0x7f800000 - (5 * MiB - 0x2000 - 0x100000));
	/* Never into hypervisor memory, above the limit or below the floor. */
	CHECK_EQ_U64(guest_memory_find_free(&mem, NULL, 0, 16 * MiB, MiB, 0xb8000000),
		     0xb0000000 - 16 * MiB);
	CHECK_EQ_U64(guest_memory_find_free(&mem, NULL, 0, 0x7f000000, MiB, 2 * GiB), 0);
	CHECK_EQ_U64(guest_memory_find_free(&mem, NULL, 0, 0x7ef00000, MiB, 0x7f000000), MiB);
}
