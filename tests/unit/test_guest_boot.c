/*
 * hv/guest/loader.c and hv/guest/boot_info.c: a guest kernel is loaded
 * only if all of it fits where it may go, and starts with the boot
 * information its protocol promises. The multiboot2 information is read
 * back with the hypervisor's own parser, which has tests of its own.
 */
#include <stdio.h>
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "hv/guest/elf.h"
#include "hv/guest/boot_info.h"
#include "hv/guest/loader.h"

#define MiB (1ULL << 20)
#define RAM_SIZE (8 * MiB)

static const struct mem_region map[] = {
	{ 0x0, 0x9f000, MB2_MEMORY_AVAILABLE },
	{ 0x9f000, 0x61000, MB2_MEMORY_RESERVED },
	{ 0x100000, RAM_SIZE - 0x100000, MB2_MEMORY_AVAILABLE },
};
static const struct phys_range hv_hidden[] = { { 6 * MiB, 7 * MiB } };
static const struct phys_range staged[] = { { 5 * MiB, 6 * MiB } };

static struct load_policy policy(void)
{
	return (struct load_policy){ map, 3, hv_hidden, 1, staged, 1 };
}

/* An ELF32 kernel: header, one program header, multiboot1 header, code, data; bss after it. */
struct test_elf {
	struct elf32_ehdr eh;
	struct elf32_phdr ph;
	u32 mb1[3];
	u8 payload[64];
};

static struct test_elf make_elf(u32 paddr, u32 memsz, u32 mb1_flags)
{
	struct test_elf e;

	memset(&e, 0, sizeof(e));
	memcpy(e.eh.e_ident, ELF_MAGIC, 4);
	e.eh.e_ident[EI_CLASS] = ELFCLASS32;
	e.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e.eh.e_type = ET_EXEC;
	e.eh.e_machine = EM_386;
	e.eh.e_entry = paddr + offsetof(struct test_elf, payload);
	e.eh.e_phoff = offsetof(struct test_elf, ph);
	e.eh.e_phentsize = sizeof(struct elf32_phdr);
	e.eh.e_phnum = 1;
	e.ph = (struct elf32_phdr){ PT_LOAD, 0, paddr, paddr, sizeof(e), memsz, 7, 0x1000 };
	e.mb1[0] = MB1_HEADER_MAGIC;
	e.mb1[1] = mb1_flags;
	e.mb1[2] = -(MB1_HEADER_MAGIC + mb1_flags);
	for (size_t i = 0; i < sizeof(e.payload); i++)
		e.payload[i] = (u8)(0x40 + i);
	return e;
}

static bool load(const void *img, u64 size, struct guest_image *gi, char *err)
{
	struct load_policy p = policy();
	return guest_load(img, size, &p, gi, err, 200);
}

TEST(guest_load_copies_segments_and_zeroes_bss)
{
	struct test_elf e = make_elf(0x200000, sizeof(struct test_elf) + 0x100, 3);
	struct guest_image gi;
	char err[200] = "";
	u8 *ram = model_mem_map(0, RAM_SIZE, 0xcc);

	if (!CHECK(load(&e, sizeof(e), &gi, err)))
		printf("  error: %s\n", err);
	CHECK_EQ_U64(gi.protocol, BOOT_MULTIBOOT1);
	CHECK_EQ_U64(gi.entry, e.eh.e_entry);
	CHECK_EQ_U64(gi.load_start, 0x200000);
	CHECK_EQ_U64(gi.load_end, 0x200000 + sizeof(e) + 0x100);
	CHECK(!memcmp(ram + 0x200000, &e, sizeof(e)));
	for (u64 i = 0; i < 0x100; i++)
		if (!CHECK_EQ_U64(ram[0x200000 + sizeof(e) + i], 0))
			break;
	CHECK_EQ_U64(ram[0x200000 + sizeof(e) + 0x100], 0xcc); /* not beyond memsz */
}

static void expect_refused(const void *img, u64 size, const char *why)
{
	struct guest_image gi;
	char err[200] = "";
	u8 *ram = model_mem_map(0, RAM_SIZE, 0xcc);
	bool untouched = true;

	CHECK(!load(img, size, &gi, err));
	CHECK_CONTAINS(err, why);
	CHECK(!strchr(err, '\n'));
	for (u64 i = 0; i < RAM_SIZE; i += 64)
		untouched &= ram[i] == 0xcc;
	CHECK(untouched); /* nothing written on refusal */
}

TEST(guest_load_refuses_what_is_not_a_kernel)
{
	static const char text[] = "#!/bin/sh\necho not a kernel\n";
	struct test_elf e = make_elf(0x200000, sizeof(struct test_elf), 0);

	expect_refused(text, sizeof(text), "is not an ELF image");
	e.mb1[0] = 0;
	expect_refused(&e, sizeof(e), "neither a multiboot1 nor a multiboot2 header");
	e = make_elf(0x200000, sizeof(e), MB1_FLAG_AOUT_KLUDGE);
	expect_refused(&e, sizeof(e), "a.out kludge");
	e = make_elf(0x200000, sizeof(e), 0);
	e.eh.e_machine = EM_X86_64;
	expect_refused(&e, sizeof(e), "not for i386");
	e = make_elf(0x200000, sizeof(e), 0);
	e.ph.p_filesz = sizeof(e) + 1;
	expect_refused(&e, sizeof(e), "file data outside the image");
	e = make_elf(0x200000, sizeof(e), 0);
	e.eh.e_entry = 0x100000;
	expect_refused(&e, sizeof(e), "entry point 0x100000 is outside its loaded segments");
}

TEST(guest_load_refuses_segments_outside_guest_ram)
{
	struct test_elf e = make_elf(6 * MiB - 0x10, sizeof(struct test_elf), 0);

	expect_refused(&e, sizeof(e), "overlaps hypervisor memory");
	e = make_elf(5 * MiB + 0x1000, sizeof(struct test_elf), 0);
	expect_refused(&e, sizeof(e), "overlaps a module or the boot information");
	e = make_elf(0x9f800, sizeof(struct test_elf), 0);
	expect_refused(&e, sizeof(e), "is not in available RAM");
	e = make_elf(RAM_SIZE - 0x20, sizeof(struct test_elf), 0);
	expect_refused(&e, sizeof(e), "is not in available RAM");
}

static const struct boot_module guest_mods[] = {
	{ 0x300000, 0x300123, "initrd" },
	{ 0x310000, 0x310400, "data file=x" },
};

/* Build protocol's boot information for a view of these parts, as hv/run/guest_setup.c does. */
static bool build(enum boot_protocol protocol, const char *cmdline, const struct boot_module *mods,
		  int nr_mods, const struct mem_region *m, int nr_map, struct guest_boot *gb,
		  char *err, size_t errlen)
{
	struct guest_image image = { .protocol = protocol };
	struct guest_view view = { cmdline, mods, nr_mods, m, nr_map, NULL, 0 };

	return guest_boot_info_build(&image, &view, gb, err, errlen);
}

TEST(guest_boot_info_multiboot1)
{
	struct guest_boot gb;
	char err[200] = "";
	struct mb1_info *info;
	struct mb1_module *mods;
	struct mb1_mmap_entry *mm;

	model_mem_map(0, RAM_SIZE, 0);
	if (!CHECK(build(BOOT_MULTIBOOT1, "kernel arg=1", guest_mods, 2, map, 3, &gb, err,
			 sizeof(err))))
		return;
	CHECK_EQ_U64(gb.eax, MB1_BOOTLOADER_MAGIC);
	CHECK(gb.ebx >= GUEST_BOOT_AREA_START && gb.ebx < GUEST_BOOT_AREA_END);
	CHECK(gb.gdt_base >= GUEST_BOOT_AREA_START && gb.gdt_limit == 23);
	info = model_mem_ptr(gb.ebx, sizeof(*info));
	CHECK_EQ_U64(info->flags & (MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS |
				    MB1_INFO_MEM_MAP),
		     MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MEM_MAP);
	CHECK_EQ_U64(info->mem_lower, 0x9f000 >> 10);
	CHECK_EQ_U64(info->mem_upper, (RAM_SIZE - 0x100000) >> 10);
	CHECK_STR((char *)model_mem_ptr(info->cmdline, 13), "kernel arg=1");
	CHECK_EQ_U64(info->mods_count, 2);
	mods = model_mem_ptr(info->mods_addr, 2 * sizeof(*mods));
	CHECK_EQ_U64(mods[1].mod_start, 0x310000);
	CHECK_EQ_U64(mods[1].mod_end, 0x310400);
	CHECK_STR((char *)model_mem_ptr(mods[1].string, 12), "data file=x");
	CHECK_EQ_U64(info->mmap_length, 3 * sizeof(*mm));
	mm = model_mem_ptr(info->mmap_addr, 3 * sizeof(*mm));
	CHECK_EQ_U64(mm[2].size, 20);
	CHECK_EQ_U64(mm[2].base_addr, 0x100000);
	CHECK_EQ_U64(mm[2].length, RAM_SIZE - 0x100000);
	CHECK_EQ_U64(mm[1].type, MB2_MEMORY_RESERVED);
}

TEST(guest_boot_info_multiboot2_reads_back_with_the_parser)
{
	struct guest_boot gb;
	struct boot_info bi;
	char err[200] = "";

	model_mem_map(0, RAM_SIZE, 0);
	if (!CHECK(build(BOOT_MULTIBOOT2, "k2 x", guest_mods, 2, map, 3, &gb, err, sizeof(err))))
		return;
	CHECK_EQ_U64(gb.eax, MB2_BOOTLOADER_MAGIC);
	if (!CHECK(mb2_parse(gb.eax, gb.ebx, model_mem_ptr(gb.ebx, 8), &bi, err, sizeof(err))))
		printf("  parse error: %s\n", err);
	CHECK_STR(bi.cmdline, "k2 x");
	CHECK_EQ_U64(bi.nr_modules, 2);
	CHECK_EQ_U64(bi.modules[0].start, 0x300000);
	CHECK_STR(bi.modules[1].cmdline, "data file=x");
	CHECK_EQ_U64(bi.nr_regions, 3);
	CHECK_EQ_U64(bi.regions[2].len, RAM_SIZE - 0x100000);
	CHECK(bi.info_end <= GUEST_BOOT_AREA_END);
}

TEST(guest_boot_info_that_does_not_fit_is_refused)
{
	static struct mem_region big[BOOT_MAX_REGIONS * 4];
	struct guest_boot gb;
	char err[200] = "";

	model_mem_map(0, RAM_SIZE, 0);
	for (size_t i = 0; i < ARRAY_SIZE(big); i++)
		big[i] = (struct mem_region){ i * 0x1000, 0x1000, MB2_MEMORY_AVAILABLE };
	/* 256 entries fit; a command line of 30 KiB does not. */
	static char longline[30000];
	memset(longline, 'a', sizeof(longline) - 1);
	CHECK(!build(BOOT_MULTIBOOT1, longline, NULL, 0, big, 256, &gb, err, sizeof(err)));
	CHECK_CONTAINS(err, "does not fit");
}
