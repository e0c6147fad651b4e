/*
 * arch/x86/paging.c: the identity map of RAM above 4 GiB, checked by
 * walking the tables it builds (in the modelled memory, where its frames
 * come from) the way the processor does, with and without 1 GiB pages.
 */
#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/frame.h"
#include "arch/x86/paging.h"

#define MiB (1ULL << 20)
#define MEM_BASE (16 * MiB)	    /* the frames, as the pool below 4 GiB would hold them */
#define MEM_SIZE (4 * MiB)	    /* room for 2 MiB pages up to 1 TiB */
#define PDPT_BOOT_MARK 0x5a5a000ULL /* stands for boot/entry.S's PDPT[0..3] */

u64 boot_pml4[512];
static u64 boot_pdpt_phys;

/* The CPU has 1 GiB pages or not, and boot/entry.S has run: PML4[0] -> PDPT[0..3]. */
static void setup(bool pages_1g)
{
	struct mem_region ram = { MEM_BASE, MEM_SIZE, ADDRESS_RANGE_MEMORY };
	u64 *pdpt;

	model_cpuid_set(0x80000000, 0, (struct cpuid_regs){ .eax = 0x80000008 });
	model_cpuid_set(CPUID_LEAF_EXT_FEATURES, 0,
			(struct cpuid_regs){ .edx = CPUID_80000001_EDX_LM |
						    (pages_1g ? CPUID_80000001_EDX_PDPE1GB : 0) });
	model_mem_map(MEM_BASE, MEM_SIZE, 0xcc);
	frame_init(&ram, 1, NULL, 0);
	boot_pdpt_phys = frame_alloc_zeroed();
	pdpt = phys_to_virt(boot_pdpt_phys);
	for (int i = 0; i < 4; i++)
		pdpt[i] = PDPT_BOOT_MARK | PTE_P | PTE_W;
	for (int i = 0; i < 512; i++)
		boot_pml4[i] = 0;
	boot_pml4[0] = boot_pdpt_phys | PTE_P | PTE_W;
}

/*
 * Translate addr through the tables (SDM Vol. 3A, "4-Level Paging and
 * 5-Level Paging"): the physical address, or ~0 if not present; *size gets
 * the page size. Every table on the way must be writable.
 */
static u64 translate(u64 addr, u64 *size)
{
	u64 e = boot_pml4[(addr >> 39) & 511];
	static const int shift[] = { 30, 21 };

	for (int level = 0; level < 2; level++) {
		const u64 *table;

		if (!(e & PTE_P) || !(e & PTE_W))
			return ~0ULL;
		table = phys_to_virt(e & PTE_ADDR_MASK);
		e = table[(addr >> shift[level]) & 511];
		if (!(e & PTE_P) || !(e & PTE_W))
			return ~0ULL;
		if (e & PTE_PS) {
			*size = 1ULL << shift[level];
			return (e & PTE_ADDR_MASK & ~(*size - 1)) + (addr & (*size - 1));
		}
	}
	return ~0ULL; /* no 4 KiB pages here */
}

/* [4 GiB, end) maps to itself, in pages no larger than largest; end itself is not mapped. */
static void check_identity(u64 end, u64 largest)
{
	u64 size = 0;

	for (u64 a = SIZE_4G; a < end; a += SIZE_2M) {
		if (!CHECK_EQ_U64(translate(a + 0x1234, &size), a + 0x1234))
			return;
		if (!CHECK(size <= largest))
			return;
	}
	CHECK_EQ_U64(translate(end, &size), ~0ULL);
	CHECK_EQ_U64(translate(end - 1, &size), end - 1);
}

static u64 frames_used(void)
{
	return (MEM_SIZE - PAGE_SIZE - frame_free_bytes()) / PAGE_SIZE;
}

TEST(paging_below_4g_builds_nothing)
{
	setup(true);
	CHECK(paging_map_identity_above_4g(3 * SIZE_1G));
	CHECK_EQ_U64(frames_used(), 0);
	CHECK_EQ_U64(paging_frames_needed(3 * SIZE_1G), 0);
	CHECK_EQ_U64(boot_pml4[1], 0);
}

TEST(paging_6g_with_1g_pages)
{
	u64 size = 0, *pdpt;

	setup(true);
	CHECK(paging_map_identity_above_4g(6 * SIZE_1G));
	check_identity(6 * SIZE_1G, SIZE_1G);
	translate(5 * SIZE_1G, &size);
	CHECK_EQ_U64(size, SIZE_1G);
	CHECK_EQ_U64(frames_used(), paging_frames_needed(6 * SIZE_1G));
	CHECK_EQ_U64(frames_used(), 0);
	/* boot/entry.S's first 4 GiB are left as they were */
	pdpt = phys_to_virt(boot_pdpt_phys);
	for (int i = 0; i < 4; i++)
		CHECK_EQ_U64(pdpt[i], PDPT_BOOT_MARK | PTE_P | PTE_W);
}

TEST(paging_6g_with_2m_pages)
{
	u64 size = 0;

	setup(false);
	CHECK(paging_map_identity_above_4g(6 * SIZE_1G));
	check_identity(6 * SIZE_1G, SIZE_2M);
	translate(5 * SIZE_1G, &size);
	CHECK_EQ_U64(size, SIZE_2M);
	CHECK_EQ_U64(frames_used(), 2);
	CHECK_EQ_U64(frames_used(), paging_frames_needed(6 * SIZE_1G));
}

/* RAM that ends mid-GiB, off 2 MiB: the last GiB in 2 MiB pages up to the next 2 MiB. */
TEST(paging_partial_last_gib_uses_2m_pages)
{
	u64 top = 5 * SIZE_1G + 7 * SIZE_2M + 0x3000, end = 5 * SIZE_1G + 8 * SIZE_2M, size = 0;

	setup(true);
	CHECK(paging_map_identity_above_4g(top));
	check_identity(end, SIZE_1G);
	translate(5 * SIZE_1G, &size);
	CHECK_EQ_U64(size, SIZE_2M);
	CHECK_EQ_U64(frames_used(), 1);
	CHECK_EQ_U64(frames_used(), paging_frames_needed(top));
}

/* A two-socket server: RAM up to 600 GiB needs a second PML4 entry. */
TEST(paging_beyond_512g_takes_a_second_pml4_entry)
{
	for (int pages_1g = 0; pages_1g <= 1; pages_1g++) {
		u64 top = 600 * SIZE_1G;

		setup(pages_1g);
		if (!CHECK(paging_map_identity_above_4g(top)))
			return;
		CHECK(boot_pml4[1] & PTE_P);
		CHECK_EQ_U64(boot_pml4[2], 0);
		check_identity(top, pages_1g ? SIZE_1G : SIZE_2M);
		CHECK_EQ_U64(frames_used(), paging_frames_needed(top));
		CHECK_EQ_U64(frames_used(), pages_1g ? 1 : 1 + 596);
	}
}

TEST(paging_refuses_what_4_level_paging_cannot_translate)
{
	setup(true);
	CHECK(!paging_map_identity_above_4g(256ULL * 1024 * SIZE_1G + SIZE_2M));
}

TEST(paging_fails_when_frames_run_out)
{
	setup(false);
	CHECK(!paging_map_identity_above_4g(2048 * SIZE_1G));
}
