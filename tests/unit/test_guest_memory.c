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
