/*
 * The guest's view rendered for Linux: a PVH hvm_start_info (memory map,
 * command line, modules, RSDP) and a zero page for the 32-bit boot
 * protocol (setup header, e820 table, command line, initrd, RSDP).
 */
#include "hv/guest/boot_area.h"
#include "hv/guest/bzimage.h"
#include "hv/guest/pvh.h"
#include "arch/x86/paging.h"
#include "lib/printf.h"
#include "lib/string.h"

u64 build_pvh_start_info(struct boot_area *a, const struct guest_view *v)
{
	u64 sp = area_alloc(a, sizeof(struct hvm_start_info), 8);
	u64 mp = area_alloc(a, (u64)v->nr_map * sizeof(struct hvm_memmap_table_entry), 8);
	u64 lp = area_alloc(a, (u64)v->nr_modules * sizeof(struct hvm_modlist_entry), 8);
	struct hvm_start_info *si = phys_to_virt(sp);

	if (a->overflow)
		return 0;
	si->magic = HVM_START_MAGIC;
	si->version = HVM_START_VERSION;
	si->cmdline_paddr = area_string(a, v->cmdline);
	si->rsdp_paddr = area_rsdp(a, v);
	si->memmap_paddr = mp;
	si->memmap_entries = (u32)v->nr_map;
	for (int i = 0; i < v->nr_map; i++)
		((struct hvm_memmap_table_entry *)phys_to_virt(mp))[i] =
			(struct hvm_memmap_table_entry){ v->map[i].base, v->map[i].len,
							 v->map[i].type, 0 };
	si->modlist_paddr = lp;
	si->nr_modules = (u32)v->nr_modules;
	for (int i = 0; i < v->nr_modules; i++) {
		struct hvm_modlist_entry *m = (struct hvm_modlist_entry *)phys_to_virt(lp) + i;
		m->paddr = v->modules[i].start;
		m->size = v->modules[i].end - v->modules[i].start;
		m->cmdline_paddr = area_string(a, v->modules[i].cmdline);
	}
	return a->overflow ? 0 : sp;
}

/* The first module is the initrd; it must end below the kernel's initrd_addr_max. */
static bool set_initrd(u8 *zp, const struct guest_view *v, char *err, size_t errlen)
{
	u64 start, size, max = get_u32(zp, BZ_INITRD_ADDR_MAX);

	if (!v->nr_modules)
		return true;
	start = v->modules[0].start;
	size = v->modules[0].end - start;
	if (start + size - 1 > max) {
		snprintf_hv(
			err, errlen,
			"initrd at 0x%llx-0x%llx lies above the kernel's initrd_addr_max 0x%llx",
			(unsigned long long)start, (unsigned long long)(start + size),
			(unsigned long long)max);
		return false;
	}
	put_u32(zp, BZ_RAMDISK_IMAGE, (u32)start);
	put_u32(zp, BZ_RAMDISK_SIZE, (u32)size);
	put_u32(zp, ZP_EXT_RAMDISK_IMAGE, (u32)(start >> 32));
	put_u32(zp, ZP_EXT_RAMDISK_SIZE, (u32)(size >> 32));
	return true;
}

static bool set_e820(u8 *zp, const struct guest_view *v, char *err, size_t errlen)
{
	struct boot_e820_entry *e = (void *)(zp + ZP_E820_TABLE);

	if (v->nr_map > ZP_E820_MAX) {
		snprintf_hv(err, errlen,
			    "the guest's memory map has %d entries, more than the zero page's %d",
			    v->nr_map, ZP_E820_MAX);
		return false;
	}
	for (int i = 0; i < v->nr_map; i++)
		e[i] = (struct boot_e820_entry){ v->map[i].base, v->map[i].len, v->map[i].type };
	zp[ZP_E820_ENTRIES] = (u8)v->nr_map;
	return true;
}

u64 build_zero_page(struct boot_area *a, const struct guest_view *v,
		    const struct guest_image *image, char *err, size_t errlen)
{
	u64 p = area_alloc(a, ZP_SIZE, PAGE_SIZE), cmdline, rsdp;
	u8 *zp = phys_to_virt(p);
	u32 cmdline_size;

	if (!p)
		return 0;
	memcpy(zp + BZ_SETUP_SECTS, image->setup_header, image->setup_header_len);
	cmdline_size = get_u32(zp, BZ_CMDLINE_SIZE);
	if (strlen(v->cmdline) > cmdline_size) {
		snprintf_hv(err, errlen, "command line of %u bytes is longer than the kernel's %u",
			    (unsigned)strlen(v->cmdline), cmdline_size);
		return 0;
	}
	cmdline = area_string(a, v->cmdline);
	rsdp = area_rsdp(a, v);
	if (a->overflow || !set_e820(zp, v, err, errlen) || !set_initrd(zp, v, err, errlen))
		return 0;
	zp[BZ_TYPE_OF_LOADER] = BZ_TYPE_UNDEFINED;
	zp[BZ_LOADFLAGS] |= BZ_LOADED_HIGH;
	put_u32(zp, BZ_CODE32_START, (u32)image->entry);
	put_u32(zp, BZ_CMD_LINE_PTR, (u32)cmdline);
	put_u32(zp, ZP_EXT_CMD_LINE_PTR, 0);
	memcpy(zp + ZP_ACPI_RSDP_ADDR, &rsdp, 8);
	return p;
}
