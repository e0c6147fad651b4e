/*
 * Linux as the guest: the guest's view rendered as a PVH hvm_start_info
 * and as a zero page, the bzImage header checks and placement, the PVH
 * note, and the memory map every protocol is given (sorted, overlaps
 * resolved, hypervisor memory reserved).
 */
#include <stdio.h>
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "hv/guest/boot_info.h"
#include "hv/guest/bzimage.h"
#include "hv/guest/elf.h"
#include "hv/guest/loader.h"
#include "hv/guest/memory.h"
#include "hv/guest/pvh.h"

#define MiB (1ULL << 20)
#define RAM_SIZE (64 * MiB)

static const struct mem_region ram_map[] = {
	{ 0x0, 0x9f000, MB2_MEMORY_AVAILABLE },
	{ 0x9f000, 0x61000, MB2_MEMORY_RESERVED },
	{ 0x100000, RAM_SIZE - 0x100000, MB2_MEMORY_AVAILABLE },
};
static const struct phys_range hv_hidden[] = { { 48 * MiB, 64 * MiB } };
static const struct phys_range staged[] = { { 40 * MiB, 48 * MiB } };
static const struct boot_module initrd[] = { { 40 * MiB, 40 * MiB + 0x1234, "initrd" } };
static const u8 rsdp[20] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0x42 };

static struct load_policy policy(void)
{
	return (struct load_policy){ ram_map, 3, hv_hidden, 1, staged, 1 };
}

/* --- the memory map --- */

TEST(guest_memory_map_sorts_and_resolves_overlaps)
{
	/* Unsorted; a reserved range inside RAM; two RAM ranges overlapping. */
	const struct mem_region in[] = {
		{ 0x100000, 0x700000, MB2_MEMORY_AVAILABLE },
		{ 0x0, 0x9f000, MB2_MEMORY_AVAILABLE },
		{ 0x400000, 0x1000, MB2_MEMORY_RESERVED },
		{ 0x600000, 0x400000, MB2_MEMORY_AVAILABLE },
		{ 0xfff0000, 0x10000, MB2_MEMORY_ACPI_RECLAIMABLE },
		{ 0xfff8000, 0x1000, MB2_MEMORY_NVS },
	};
	const struct mem_region want[] = {
		{ 0x0, 0x9f000, MB2_MEMORY_AVAILABLE },
		{ 0x100000, 0x300000, MB2_MEMORY_AVAILABLE },
		{ 0x400000, 0x1000, MB2_MEMORY_RESERVED },
		{ 0x401000, 0x5ff000, MB2_MEMORY_AVAILABLE },
		{ 0xfff0000, 0x8000, MB2_MEMORY_ACPI_RECLAIMABLE },
		{ 0xfff8000, 0x1000, MB2_MEMORY_NVS },
		{ 0xfff9000, 0x7000, MB2_MEMORY_ACPI_RECLAIMABLE },
	};
	struct mem_region out[16];
	int n = guest_memory_map(in, 6, NULL, 0, out, 16);

	if (!CHECK_EQ_U64(n, ARRAY_SIZE(want)))
		return;
	for (int i = 0; i < n; i++) {
		CHECK_EQ_U64(out[i].base, want[i].base);
		CHECK_EQ_U64(out[i].len, want[i].len);
		CHECK_EQ_U64(out[i].type, want[i].type);
	}
}

TEST(guest_memory_map_excludes_hypervisor_ranges)
{
	const struct phys_range hidden[] = { { 0x300800, 0x301000 }, { 0x500000, 0x800000 } };
	const struct mem_region in[] = { { 0x100000, 0x900000, MB2_MEMORY_AVAILABLE } };
	struct mem_region out[8];
	int n = guest_memory_map(in, 1, hidden, 2, out, 8);

	if (!CHECK_EQ_U64(n, 5))
		return;
	CHECK_EQ_U64(out[1].base, 0x300000); /* hidden page-exactly, rounded outwards */
	CHECK_EQ_U64(out[1].len, 0x1000);
	CHECK_EQ_U64(out[1].type, MB2_MEMORY_RESERVED);
	CHECK_EQ_U64(out[3].base, 0x500000);
	CHECK_EQ_U64(out[3].len, 0x300000);
	CHECK_EQ_U64(out[3].type, MB2_MEMORY_RESERVED);
	CHECK_EQ_U64(out[4].base, 0x800000);
	CHECK_EQ_U64(out[4].type, MB2_MEMORY_AVAILABLE);
}

TEST(guest_memory_map_reports_more_entries_than_fit)
{
	const struct mem_region in[] = {
		{ 0x0, 0x1000, MB2_MEMORY_AVAILABLE },
		{ 0x2000, 0x1000, MB2_MEMORY_AVAILABLE },
		{ 0x4000, 0x1000, MB2_MEMORY_AVAILABLE },
	};
	struct mem_region out[2];

	CHECK_EQ_U64(guest_memory_map(in, 3, NULL, 0, out, 2), (u64)-1);
}

/* --- PVH --- */

static struct guest_view view_of(const char *cmdline, const struct mem_region *m, int nr_map)
{
	return (struct guest_view){ cmdline, initrd, 1, m, nr_map, rsdp, sizeof(rsdp) };
}

TEST(pvh_start_info_carries_the_view)
{
	struct guest_image image = { .protocol = BOOT_PVH, .entry = 0x1000850 };
	struct guest_view view = view_of("console=ttyS0 quiet", ram_map, 3);
	struct guest_boot gb;
	struct hvm_start_info *si;
	struct hvm_memmap_table_entry *mm;
	struct hvm_modlist_entry *mod;
	char err[200] = "";

	model_mem_map(0, 1 * MiB, 0);
	if (!CHECK(guest_boot_info_build(&image, &view, &gb, err, sizeof(err))))
		return;
	CHECK(gb.ebx >= GUEST_BOOT_AREA_START && gb.ebx < GUEST_BOOT_AREA_END);
	CHECK_EQ_U64(gb.cs, GUEST_GDT_CODE32);
	si = model_mem_ptr(gb.ebx, sizeof(*si));
	CHECK_EQ_U64(si->magic, HVM_START_MAGIC);
	CHECK_EQ_U64(si->version, 1);
	CHECK_STR((char *)model_mem_ptr(si->cmdline_paddr, 20), "console=ttyS0 quiet");
	CHECK_EQ_U64(si->rsdp_paddr % 16, 0);
	CHECK(!memcmp(model_mem_ptr(si->rsdp_paddr, sizeof(rsdp)), rsdp, sizeof(rsdp)));
	if (!CHECK_EQ_U64(si->memmap_entries, 3))
		return;
	mm = model_mem_ptr(si->memmap_paddr, 3 * sizeof(*mm));
	CHECK_EQ_U64(mm[2].addr, 0x100000);
	CHECK_EQ_U64(mm[2].size, RAM_SIZE - 0x100000);
	CHECK_EQ_U64(mm[1].type, MB2_MEMORY_RESERVED);
	if (!CHECK_EQ_U64(si->nr_modules, 1))
		return;
	mod = model_mem_ptr(si->modlist_paddr, sizeof(*mod));
	CHECK_EQ_U64(mod->paddr, 40 * MiB);
	CHECK_EQ_U64(mod->size, 0x1234);
	CHECK_STR((char *)model_mem_ptr(mod->cmdline_paddr, 7), "initrd");
}

/* An ELF64 kernel without multiboot headers but with the PVH note, like Linux's vmlinux. */
struct pvh_elf {
	struct elf64_ehdr eh;
	struct elf64_phdr ph[2];
	struct {
		u32 namesz, descsz, type;
		char name[4];
		u64 desc;
	} note;
	u8 code[16];
};

TEST(guest_load_finds_the_pvh_entry_note)
{
	static struct pvh_elf e;
	struct load_policy p = policy();
	struct guest_image gi;
	char err[200] = "";
	u64 paddr = 0x1000000;

	memset(&e, 0, sizeof(e));
	memcpy(e.eh.e_ident, ELF_MAGIC, 4);
	e.eh.e_ident[EI_CLASS] = ELFCLASS64;
	e.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e.eh.e_type = ET_EXEC;
	e.eh.e_machine = EM_X86_64;
	e.eh.e_entry = 0xffffffff81000000ULL; /* the 64-bit entry, not used */
	e.eh.e_phoff = offsetof(struct pvh_elf, ph);
	e.eh.e_phentsize = sizeof(struct elf64_phdr);
	e.eh.e_phnum = 2;
	e.ph[0] = (struct elf64_phdr){
		PT_LOAD, 7, 0, 0xffffffff81000000ULL, paddr, sizeof(e), sizeof(e) + 0x1000, 0x1000
	};
	e.ph[1] = (struct elf64_phdr){
		PT_NOTE, 4, offsetof(struct pvh_elf, note), 0, 0, sizeof(e.note), sizeof(e.note), 4
	};
	e.note.namesz = 4;
	e.note.descsz = 8;
	e.note.type = XEN_ELFNOTE_PHYS32_ENTRY;
	memcpy(e.note.name, "Xen", 4);
	e.note.desc = paddr + offsetof(struct pvh_elf, code);
	model_mem_map(0, RAM_SIZE, 0);
	if (!CHECK(guest_load((const u8 *)&e, sizeof(e), &p, &gi, err, sizeof(err))))
		printf("  %s\n", err);
	CHECK_EQ_U64(gi.protocol, BOOT_PVH);
	CHECK_EQ_U64(gi.entry, paddr + offsetof(struct pvh_elf, code));

	e.note.type = XEN_ELFNOTE_PHYS32_ENTRY + 1;
	CHECK(!guest_load((const u8 *)&e, sizeof(e), &p, &gi, err, sizeof(err)));
	CHECK_CONTAINS(err, "nor a PVH entry note");
}

/* --- bzImage --- */

#define BZ_SIZE (16 * 1024)
static u8 bz[BZ_SIZE];

static void put16(u32 off, u16 v)
{
	memcpy(bz + off, &v, 2);
}

static void put32(u32 off, u32 v)
{
	memcpy(bz + off, &v, 4);
}

/* A bzImage as Debian's kernel has it: protocol 2.15, relocatable, 2 MiB aligned. */
static void make_bzimage(void)
{
	u64 pref = 0x1000000;

	memset(bz, 0, sizeof(bz));
	bz[BZ_SETUP_SECTS] = 3; /* 4 sectors of setup, the kernel from 0x800 */
	put16(BZ_BOOT_FLAG, BZ_BOOT_FLAG_MAGIC);
	bz[BZ_JUMP] = 0xeb;
	bz[BZ_JUMP + 1] = 0x268 - (BZ_JUMP + 2);
	put32(BZ_HEADER, BZ_HEADER_MAGIC);
	put16(BZ_VERSION, 0x020f);
	bz[BZ_LOADFLAGS] = 0x80;
	put32(BZ_INITRD_ADDR_MAX, 0x7fffffff);
	put32(BZ_KERNEL_ALIGNMENT, 0x200000);
	bz[BZ_RELOCATABLE_KERNEL] = 1;
	put32(BZ_CMDLINE_SIZE, 2047);
	memcpy(bz + BZ_PREF_ADDRESS, &pref, 8);
	put32(BZ_INIT_SIZE, 0x400000);
	for (u32 i = 0x800; i < BZ_SIZE; i++)
		bz[i] = (u8)i;
}

static bool load_bz(struct guest_image *gi, char *err)
{
	struct load_policy p = policy();

	model_mem_map(0, RAM_SIZE, 0);
	return bzimage_load(bz, BZ_SIZE, &p, gi, err, 200);
}

TEST(bzimage_is_placed_at_pref_address_and_copied)
{
	struct guest_image gi;
	char err[200] = "";

	make_bzimage();
	CHECK(bzimage_detect(bz, BZ_SIZE));
	if (!CHECK(load_bz(&gi, err)))
		printf("  %s\n", err);
	CHECK_EQ_U64(gi.protocol, BOOT_LINUX);
	CHECK_EQ_U64(gi.entry, 0x1000000);
	CHECK_EQ_U64(gi.load_end, 0x1400000);
	CHECK(!memcmp(model_mem_ptr(0x1000000, BZ_SIZE - 0x800), bz + 0x800, BZ_SIZE - 0x800));
	CHECK_EQ_U64(gi.setup_header_len, 0x268 - BZ_SETUP_SECTS);
}

TEST(bzimage_moves_off_a_pref_address_that_is_taken)
{
	struct guest_image gi;
	char err[200] = "";
	u64 pref = 46 * MiB; /* init_size would run into the staged modules at 40 MiB... */

	make_bzimage();
	memcpy(bz + BZ_PREF_ADDRESS, &pref, 8);
	pref = 38 * MiB; /* ...and from 38 MiB too */
	memcpy(bz + BZ_PREF_ADDRESS, &pref, 8);
	if (!CHECK(load_bz(&gi, err)))
		printf("  %s\n", err);
	CHECK_EQ_U64(gi.entry, 2 * MiB); /* the lowest 2 MiB-aligned address above 1 MiB */
}

static void expect_bz_refused(const char *why)
{
	struct guest_image gi;
	char err[200] = "";

	CHECK(!load_bz(&gi, err));
	CHECK_CONTAINS(err, why);
	/* Nothing was written. */
	CHECK_EQ_U64(*(u8 *)model_mem_ptr(0x1000000 + 1, 1), 0);
}

TEST(bzimage_refusals)
{
	make_bzimage();
	put16(BZ_VERSION, 0x020b);
	expect_bz_refused("boot protocol 2.11 is too old");
	make_bzimage();
	bz[BZ_RELOCATABLE_KERNEL] = 0;
	expect_bz_refused("is not relocatable");
	make_bzimage();
	put32(BZ_INIT_SIZE, 40 * MiB); /* larger than any free range */
	expect_bz_refused("does not fit");
	make_bzimage();
	put16(BZ_BOOT_FLAG, 0);
	expect_bz_refused("header is corrupt: no boot flag");
	make_bzimage();
	bz[BZ_JUMP + 1] = 0xff;
	expect_bz_refused("setup header ends at 0x301");
	make_bzimage();
	bz[BZ_JUMP + 1] = 0x10;
	expect_bz_refused("header is corrupt: setup header ends");
	make_bzimage();
	bz[BZ_SETUP_SECTS] = 40;
	expect_bz_refused("40 setup sectors but only");
	make_bzimage();
	put32(BZ_KERNEL_ALIGNMENT, 0x300000);
	expect_bz_refused("kernel_alignment 0x300000 is not a power of two");
	make_bzimage();
	put32(BZ_INIT_SIZE, 0x100);
	expect_bz_refused("init_size 0x100 is smaller than the kernel");
	make_bzimage();
	put32(BZ_HEADER, 0);
	CHECK(!bzimage_detect(bz, BZ_SIZE));
}

static u32 zp32(const u8 *zp, u32 off)
{
	u32 v;
	memcpy(&v, zp + off, 4);
	return v;
}

TEST(zero_page_contents)
{
	struct guest_image gi;
	struct guest_view view = view_of("console=ttyS0 root=/dev/ram0", ram_map, 3);
	struct guest_boot gb;
	struct boot_e820_entry *e;
	char err[200] = "";
	u64 rsdp_addr;
	u8 *zp;

	make_bzimage();
	if (!CHECK(load_bz(&gi, err)))
		return;
	if (!CHECK(guest_boot_info_build(&gi, &view, &gb, err, sizeof(err)))) {
		printf("  %s\n", err);
		return;
	}
	CHECK_EQ_U64(gb.cs, LINUX_BOOT_CS);
	CHECK_EQ_U64(gb.ds, LINUX_BOOT_DS);
	CHECK_EQ_U64(gb.esi % 4096, 0);
	CHECK(gb.esi >= GUEST_BOOT_AREA_START && gb.esi + ZP_SIZE <= GUEST_BOOT_AREA_END);
	zp = model_mem_ptr(gb.esi, ZP_SIZE);
	/* The setup header is copied, then the loader's fields are filled in. */
	CHECK_EQ_U64(zp32(zp, BZ_HEADER), BZ_HEADER_MAGIC);
	CHECK_EQ_U64(zp32(zp, BZ_KERNEL_ALIGNMENT), 0x200000);
	CHECK_EQ_U64(zp[BZ_TYPE_OF_LOADER], 0xff);
	CHECK_EQ_U64(zp[BZ_LOADFLAGS], 0x81);
	CHECK_EQ_U64(zp32(zp, BZ_CODE32_START), 0x1000000);
	CHECK_STR((char *)model_mem_ptr(zp32(zp, BZ_CMD_LINE_PTR), 29),
		  "console=ttyS0 root=/dev/ram0");
	CHECK_EQ_U64(zp32(zp, BZ_RAMDISK_IMAGE), 40 * MiB);
	CHECK_EQ_U64(zp32(zp, BZ_RAMDISK_SIZE), 0x1234);
	memcpy(&rsdp_addr, zp + ZP_ACPI_RSDP_ADDR, 8);
	CHECK(!memcmp(model_mem_ptr(rsdp_addr, sizeof(rsdp)), rsdp, sizeof(rsdp)));
	if (!CHECK_EQ_U64(zp[ZP_E820_ENTRIES], 3))
		return;
	e = (struct boot_e820_entry *)(zp + ZP_E820_TABLE);
	CHECK_EQ_U64(e[0].addr, 0);
	CHECK_EQ_U64(e[0].size, 0x9f000);
	CHECK_EQ_U64(e[1].type, MB2_MEMORY_RESERVED);
	CHECK_EQ_U64(e[2].addr, 0x100000);
	CHECK_EQ_U64(e[2].size, RAM_SIZE - 0x100000);
	CHECK_EQ_U64(e[2].type, MB2_MEMORY_AVAILABLE);
}

TEST(zero_page_refusals)
{
	static struct mem_region many[ZP_E820_MAX + 1];
	struct boot_module high = { 0x80000000ULL, 0x80001000ULL, "initrd" };
	struct guest_image gi;
	struct guest_view view = view_of("x", ram_map, 3);
	struct guest_boot gb;
	char err[200] = "";
	static char longline[3000];

	make_bzimage();
	if (!CHECK(load_bz(&gi, err)))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct mem_region){ i * 0x2000, 0x1000, MB2_MEMORY_AVAILABLE };
	view.map = many;
	view.nr_map = ARRAY_SIZE(many);
	CHECK(!guest_boot_info_build(&gi, &view, &gb, err, sizeof(err)));
	CHECK_CONTAINS(err, "has 129 entries, more than the zero page's 128");

	view = view_of("x", ram_map, 3);
	view.modules = &high;
	CHECK(!guest_boot_info_build(&gi, &view, &gb, err, sizeof(err)));
	CHECK_CONTAINS(err, "lies above the kernel's initrd_addr_max 0x7fffffff");

	memset(longline, 'a', sizeof(longline) - 1);
	view = view_of(longline, ram_map, 3);
	CHECK(!guest_boot_info_build(&gi, &view, &gb, err, sizeof(err)));
	CHECK_CONTAINS(err, "longer than the kernel's 2047");
}

TEST(multiboot2_guests_get_the_rsdp_too)
{
	struct guest_image image = { .protocol = BOOT_MULTIBOOT2 };
	struct guest_view view = view_of("k", ram_map, 3);
	struct guest_boot gb;
	struct boot_info bi;
	char err[200] = "";

	model_mem_map(0, 1 * MiB, 0);
	if (!CHECK(guest_boot_info_build(&image, &view, &gb, err, sizeof(err))))
		return;
	if (!CHECK(mb2_parse(gb.eax, gb.ebx, model_mem_ptr(gb.ebx, 8), &bi, err, sizeof(err))))
		return;
	CHECK_EQ_U64(bi.rsdp_len, sizeof(rsdp));
	CHECK(!memcmp(bi.rsdp, rsdp, sizeof(rsdp)));
}
