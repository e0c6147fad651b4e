/*
 * hv/boot/multiboot2.c: the parser must take a good info exactly and reject
 * every malformed one with a false return and one line saying what is
 * wrong, since that line is all a user sees on the serial console.
 */
#include <string.h>

#include "tests/unit/mb2_build.h"
#include "tests/unit/unit.h"
#include "lib/printf.h"

#define INFO_PHYS 0x10000ULL
#define MB1_MAGIC 0x2badb002U	/* what a multiboot1 loader passes */
#define MB2_TAG_BASIC_MEMINFO 4 /* a tag the parser skips */

static struct mb2_build b;
static struct boot_info bi;
/* The size hv/main.c gives mb2_parse for its message. */
static char err[160];

static const struct mb2_mmap_entry good_map[] = {
	{ 0x0, 0x9fc00, MB2_MEMORY_AVAILABLE, 0 },
	{ 0x9fc00, 0x400, MB2_MEMORY_RESERVED, 0 },
	{ 0x100000, 0x7ee0000, MB2_MEMORY_AVAILABLE, 0 },
	{ 0x7fe0000, 0, MB2_MEMORY_AVAILABLE, 0 }, /* empty: dropped */
	{ 0x7fe0000, 0x20000, MB2_MEMORY_ACPI_RECLAIMABLE, 0 },
	{ 0x100000000ULL, 0x40000000ULL, MB2_MEMORY_AVAILABLE, 0 },
};

static void build_good(u32 entry_size)
{
	mb2b_init(&b);
	mb2b_cmdline(&b, "loglevel=3 guest_limit=0x100");
	mb2b_module(&b, 0x200000, 0x280000, "/guest.elf arg1 arg2");
	mb2b_tag(&b, MB2_TAG_BASIC_MEMINFO, 16);
	mb2b_module(&b, 0x300000, 0x300000, "");
	mb2b_mmap(&b, entry_size, good_map, ARRAY_SIZE(good_map));
	mb2b_end(&b);
	mb2b_finish(&b);
}

static bool parse(u32 magic, u64 phys)
{
	strcpy(err, "(no message)");
	return mb2b_parse(&b, magic, phys, &bi, err, sizeof(err));
}

/* Rejected, and the one-line message names the problem. */
static void expect_error(u32 magic, u64 phys, const char *needle, const char *file, int line)
{
	bool ok = parse(magic, phys);

	unit_check(!ok, file, line, "mb2_parse accepted it (want an error about '%s')", needle);
	unit_check_contains(err, needle, "err", file, line);
	unit_check(!strchr(err, '\n'), file, line, "err has a newline: %s", err);
}

#define EXPECT_ERROR(needle) \
	expect_error(MB2_BOOTLOADER_MAGIC, INFO_PHYS, (needle), __FILE__, __LINE__)

static void check_good_regions(void)
{
	static const struct mem_region want[] = {
		{ 0x0, 0x9fc00, MB2_MEMORY_AVAILABLE },
		{ 0x9fc00, 0x400, MB2_MEMORY_RESERVED },
		{ 0x100000, 0x7ee0000, MB2_MEMORY_AVAILABLE },
		{ 0x7fe0000, 0x20000, MB2_MEMORY_ACPI_RECLAIMABLE },
		{ 0x100000000ULL, 0x40000000ULL, MB2_MEMORY_AVAILABLE },
	};

	if (!CHECK_EQ_U64(bi.nr_regions, ARRAY_SIZE(want)))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		CHECK_EQ_U64(bi.regions[i].base, want[i].base);
		CHECK_EQ_U64(bi.regions[i].len, want[i].len);
		CHECK_EQ_U64(bi.regions[i].type, want[i].type);
	}
}

TEST(mb2_good_info)
{
	u32 total;

	build_good(sizeof(struct mb2_mmap_entry));
	total = mb2b_header(&b)->total_size;
	if (!CHECK(parse(MB2_BOOTLOADER_MAGIC, INFO_PHYS)))
		CHECK_STR(err, "");
	CHECK_EQ_U64(bi.info_start, INFO_PHYS);
	CHECK_EQ_U64(bi.info_end, INFO_PHYS + total);
	CHECK_STR(bi.cmdline, "loglevel=3 guest_limit=0x100");
	CHECK_EQ_U64(bi.nr_modules, 2);
	CHECK_EQ_U64(bi.modules[0].start, 0x200000);
	CHECK_EQ_U64(bi.modules[0].end, 0x280000);
	CHECK_STR(bi.modules[0].cmdline, "/guest.elf arg1 arg2");
	CHECK_EQ_U64(bi.modules[1].start, 0x300000);
	CHECK_EQ_U64(bi.modules[1].end, 0x300000);
	CHECK_STR(bi.modules[1].cmdline, "");
	check_good_regions();
}

TEST(mb2_mmap_larger_entry_size)
{
	/* A later loader may append fields: the stride is entry_size. */
	build_good(32);
	CHECK(parse(MB2_BOOTLOADER_MAGIC, INFO_PHYS));
	check_good_regions();
}

TEST(mb2_without_cmdline_or_modules)
{
	mb2b_init(&b);
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), good_map, 1);
	mb2b_end(&b);
	mb2b_finish(&b);
	CHECK(parse(MB2_BOOTLOADER_MAGIC, INFO_PHYS));
	CHECK_STR(bi.cmdline, "");
	CHECK_EQ_U64(bi.nr_modules, 0);
	CHECK_EQ_U64(bi.nr_regions, 1);
}

TEST(mb2_wrong_magic)
{
	build_good(sizeof(struct mb2_mmap_entry));
	expect_error(MB1_MAGIC, INFO_PHYS, "not started by a multiboot2 loader", __FILE__,
		     __LINE__);
	CHECK_CONTAINS(err, "0x2badb002");
}

TEST(mb2_unaligned_or_missing_info)
{
	build_good(sizeof(struct mb2_mmap_entry));
	expect_error(MB2_BOOTLOADER_MAGIC, INFO_PHYS + 4,
		     "boot information address 0x10004 is invalid", __FILE__, __LINE__);
	strcpy(err, "(no message)");
	CHECK(!mb2_parse(MB2_BOOTLOADER_MAGIC, INFO_PHYS, NULL, &bi, err, sizeof(err)));
	CHECK_CONTAINS(err, "address");
}

TEST(mb2_total_size_too_small)
{
	build_good(sizeof(struct mb2_mmap_entry));
	mb2b_header(&b)->total_size = 8; /* no room for even the end tag */
	EXPECT_ERROR("boot information size 8 is implausible");
	mb2b_header(&b)->total_size = 15;
	EXPECT_ERROR("size 15 is implausible");
	mb2b_header(&b)->total_size = 0;
	EXPECT_ERROR("size 0 is implausible");
}

TEST(mb2_total_size_huge)
{
	/* Only the header is there: a parser believing the size reads on. */
	mb2b_init(&b);
	mb2b_header(&b)->total_size = 0x80000000U;
	EXPECT_ERROR("size 2147483648 is implausible");
	mb2b_header(&b)->total_size = (1U << 20) + 8;
	EXPECT_ERROR("implausible");
}

TEST(mb2_tag_runs_past_total_size)
{
	struct mb2_tag *tag;

	mb2b_init(&b);
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), good_map, 1);
	tag = mb2b_cmdline(&b, "x");
	mb2b_end(&b);
	mb2b_finish(&b);
	/* at offset 48 (8 header + 40 mmap), with 24 bytes left to the end */
	tag->size = 25;
	EXPECT_ERROR("tag type 1 at offset 48 has invalid size 25");
	tag->size = 0xfffffff0U;
	EXPECT_ERROR("invalid size 4294967280");
}

TEST(mb2_tag_size_below_header)
{
	struct mb2_tag *tag;

	mb2b_init(&b);
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), good_map, 1);
	tag = mb2b_tag(&b, MB2_TAG_BASIC_MEMINFO, 8);
	mb2b_end(&b);
	mb2b_finish(&b);
	tag->size = 4;
	EXPECT_ERROR("tag type 4 at offset 48 has invalid size 4");
	/* size 0 would loop forever on the same tag if accepted */
	tag->size = 0;
	EXPECT_ERROR("invalid size 0");
}

TEST(mb2_missing_end_tag)
{
	mb2b_init(&b);
	mb2b_cmdline(&b, "loglevel=1");
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), good_map, 2);
	mb2b_finish(&b);
	EXPECT_ERROR("no end tag");
}

TEST(mb2_missing_memory_map)
{
	mb2b_init(&b);
	mb2b_cmdline(&b, "loglevel=1");
	mb2b_module(&b, 0x200000, 0x201000, "/guest.elf");
	mb2b_end(&b);
	mb2b_finish(&b);
	EXPECT_ERROR("no memory map");
}

TEST(mb2_module_ends_before_start)
{
	mb2b_init(&b);
	mb2b_module(&b, 0x200000, 0x201000, "/first.elf");
	mb2b_module(&b, 0x300000, 0x2ff000, "/second.elf");
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), good_map, 1);
	mb2b_end(&b);
	mb2b_finish(&b);
	EXPECT_ERROR("module 1 ends (0x2ff000) before it starts (0x300000)");

	mb2b_init(&b);
	mb2b_module(&b, 0x200000, 0x1fffff, "/off-by-one.elf");
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), good_map, 1);
	mb2b_end(&b);
	mb2b_finish(&b);
	EXPECT_ERROR("module 0 ends (0x1fffff) before it starts (0x200000)");
}

TEST(mb2_module_string_not_terminated)
{
	struct mb2_tag_module *m;

	mb2b_init(&b);
	/* "abcd" fills the tag; the zero padding after it is not part of it */
	m = mb2b_tag(&b, MB2_TAG_MODULE, sizeof(*m) + 4);
	m->mod_start = 0x200000;
	m->mod_end = 0x201000;
	memcpy(m->cmdline, "abcd", 4);
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), good_map, 1);
	mb2b_end(&b);
	mb2b_finish(&b);
	EXPECT_ERROR("module string is not NUL-terminated");
}

TEST(mb2_module_tag_without_string)
{
	mb2b_init(&b);
	mb2b_tag(&b, MB2_TAG_MODULE, sizeof(struct mb2_tag_module));
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), good_map, 1);
	mb2b_end(&b);
	mb2b_finish(&b);
	EXPECT_ERROR("module tag of 16 bytes is too short");
}

static void build_modules(int n)
{
	mb2b_init(&b);
	for (int i = 0; i < n; i++)
		mb2b_module(&b, 0x200000 + (u32)i * 0x1000, 0x201000 + (u32)i * 0x1000, "/m.elf");
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), good_map, 1);
	mb2b_end(&b);
	mb2b_finish(&b);
}

TEST(mb2_too_many_modules)
{
	build_modules(BOOT_MAX_MODULES);
	CHECK(parse(MB2_BOOTLOADER_MAGIC, INFO_PHYS));
	CHECK_EQ_U64(bi.nr_modules, BOOT_MAX_MODULES);
	CHECK_EQ_U64(bi.modules[BOOT_MAX_MODULES - 1].start,
		     0x200000 + (BOOT_MAX_MODULES - 1) * 0x1000);

	build_modules(BOOT_MAX_MODULES + 1);
	EXPECT_ERROR("more than 8 modules");
}

TEST(mb2_mmap_entry_size_invalid)
{
	static const u32 bad[] = { 0, 8, 20, 28, 33 };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char want[64];

		mb2b_init(&b);
		mb2b_mmap(&b, bad[i], good_map, 2);
		mb2b_end(&b);
		mb2b_finish(&b);
		snprintf_hv(want, sizeof(want), "memory map entry size %u is invalid", bad[i]);
		EXPECT_ERROR(want);
	}
}

TEST(mb2_mmap_tag_too_short)
{
	mb2b_init(&b);
	mb2b_tag(&b, MB2_TAG_MMAP, 12);
	mb2b_end(&b);
	mb2b_finish(&b);
	EXPECT_ERROR("memory map tag of 12 bytes is too short");
}

TEST(mb2_mmap_entry_wraps)
{
	static const struct mb2_mmap_entry wrap[] = {
		{ 0xfffffffffffff000ULL, 0x2000, MB2_MEMORY_AVAILABLE, 0 },
	};

	mb2b_init(&b);
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), wrap, 1);
	mb2b_end(&b);
	mb2b_finish(&b);
	EXPECT_ERROR("memory map entry at 0xfffffffffffff000 wraps around");
}

TEST(mb2_mmap_too_many_entries)
{
	static struct mb2_mmap_entry map[BOOT_MAX_REGIONS + 1];
	char want[64];

	for (int i = 0; i < BOOT_MAX_REGIONS + 1; i++)
		map[i] = (struct mb2_mmap_entry){ (u64)i << 20, 0x1000, MB2_MEMORY_AVAILABLE, 0 };
	mb2b_init(&b);
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), map, BOOT_MAX_REGIONS);
	mb2b_end(&b);
	mb2b_finish(&b);
	CHECK(parse(MB2_BOOTLOADER_MAGIC, INFO_PHYS));
	CHECK_EQ_U64(bi.nr_regions, BOOT_MAX_REGIONS);

	mb2b_init(&b);
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), map, BOOT_MAX_REGIONS + 1);
	mb2b_end(&b);
	mb2b_finish(&b);
	snprintf_hv(want, sizeof(want), "memory map has more than %d entries", BOOT_MAX_REGIONS);
	EXPECT_ERROR(want);
}

/*
 * A UEFI machine's map: hundreds of entries, RAM cut by boot-services,
 * runtime, ACPI and MMIO ranges. Every entry must be kept, in order.
 */
TEST(mb2_uefi_sized_map_of_300_entries)
{
	static const u32 types[] = { MB2_MEMORY_AVAILABLE, MB2_MEMORY_RESERVED,
				     MB2_MEMORY_AVAILABLE, MB2_MEMORY_ACPI_RECLAIMABLE,
				     MB2_MEMORY_AVAILABLE, MB2_MEMORY_NVS };
	static struct mb2_mmap_entry map[300];

	for (int i = 0; i < 300; i++)
		map[i] = (struct mb2_mmap_entry){ 0x100000 + (u64)i * 0x81000, 0x81000,
						  types[i % 6], 0 };
	mb2b_init(&b);
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), map, 300);
	mb2b_end(&b);
	mb2b_finish(&b);
	if (!CHECK(parse(MB2_BOOTLOADER_MAGIC, INFO_PHYS)) || !CHECK_EQ_U64(bi.nr_regions, 300))
		return;
	for (int i = 0; i < 300; i++) {
		CHECK_EQ_U64(bi.regions[i].base, map[i].base);
		CHECK_EQ_U64(bi.regions[i].len, map[i].len);
		CHECK_EQ_U64(bi.regions[i].type, map[i].type);
	}
}

/* GRUB says where it put a relocatable image: tag 21, "Image load base physical address". */
TEST(mb2_load_base_tag)
{
	struct mb2_tag_load_base *t;

	build_good(sizeof(struct mb2_mmap_entry));
	CHECK(parse(MB2_BOOTLOADER_MAGIC, INFO_PHYS));
	CHECK_EQ_U64(bi.load_base, 0);

	mb2b_init(&b);
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), good_map, ARRAY_SIZE(good_map));
	t = mb2b_tag(&b, MB2_TAG_LOAD_BASE, sizeof(*t));
	t->load_base_addr = 0xfcec000;
	mb2b_end(&b);
	mb2b_finish(&b);
	CHECK(parse(MB2_BOOTLOADER_MAGIC, INFO_PHYS));
	CHECK_EQ_U64(bi.load_base, 0xfcec000);

	mb2b_init(&b);
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), good_map, ARRAY_SIZE(good_map));
	mb2b_tag(&b, MB2_TAG_LOAD_BASE, 8);
	mb2b_end(&b);
	mb2b_finish(&b);
	EXPECT_ERROR("load base tag of 8 bytes is too short");
}

static void build_cmdline_of(size_t len)
{
	char s[BOOT_CMDLINE_MAX + 8];

	memset(s, 'a', len);
	s[len] = '\0';
	mb2b_init(&b);
	mb2b_cmdline(&b, s);
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), good_map, 1);
	mb2b_end(&b);
	mb2b_finish(&b);
}

TEST(mb2_cmdline_too_long)
{
	build_cmdline_of(BOOT_CMDLINE_MAX - 1);
	CHECK(parse(MB2_BOOTLOADER_MAGIC, INFO_PHYS));
	CHECK_EQ_U64(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);

	build_cmdline_of(BOOT_CMDLINE_MAX);
	EXPECT_ERROR("command line is 512 bytes, longer than the 511 supported");
}

TEST(mb2_cmdline_not_terminated)
{
	struct mb2_tag *tag;

	mb2b_init(&b);
	tag = mb2b_tag(&b, MB2_TAG_CMDLINE, sizeof(*tag) + 3);
	memcpy(tag + 1, "abc", 3);
	mb2b_mmap(&b, sizeof(struct mb2_mmap_entry), good_map, 1);
	mb2b_end(&b);
	mb2b_finish(&b);
	EXPECT_ERROR("command line is not NUL-terminated");
}

TEST(mb2_memory_type_names)
{
	CHECK_STR(mb2_memory_type_name(MB2_MEMORY_AVAILABLE), "available");
	CHECK_STR(mb2_memory_type_name(MB2_MEMORY_RESERVED), "reserved");
	CHECK_STR(mb2_memory_type_name(MB2_MEMORY_ACPI_RECLAIMABLE), "ACPI reclaimable");
	CHECK_STR(mb2_memory_type_name(MB2_MEMORY_NVS), "ACPI NVS");
	CHECK_STR(mb2_memory_type_name(MB2_MEMORY_BADRAM), "bad RAM");
	CHECK_STR(mb2_memory_type_name(0), "unknown");
	CHECK_STR(mb2_memory_type_name(99), "unknown");
}
