/*
 * The boot information a loader would give the guest, built by the
 * hypervisor in a small area of guest memory: a flat GDT, and the guest's
 * view (its memory map without the hypervisor's memory, its command line,
 * its own modules, the ACPI RSDP) rendered as its protocol wants it: the
 * multiboot1 info structure (Multiboot Specification 0.6.96, "Boot
 * information format"), multiboot2 tags, a PVH hvm_start_info
 * (hv/guest/pvh.h) or a Linux zero page with its e820 table
 * (hv/guest/bzimage.h).
 */
#ifndef HV_GUEST_BOOT_INFO_H
#define HV_GUEST_BOOT_INFO_H

#include "hv/guest/loader.h"

#define GUEST_BOOT_AREA_START 0x8000ULL
#define GUEST_BOOT_AREA_END 0x10000ULL

#define MB1_BOOTLOADER_MAGIC 0x2badb002
#define MB1_INFO_MEMORY BIT(0)
#define MB1_INFO_CMDLINE BIT(2)
#define MB1_INFO_MODS BIT(3)
#define MB1_INFO_MEM_MAP BIT(6)
#define MB1_INFO_BOOT_LOADER_NAME BIT(9)

#define MB2_TAG_BOOT_LOADER_NAME 2
#define MB2_TAG_BASIC_MEMINFO 4

#define GUEST_GDT_CODE32 0x08
#define GUEST_GDT_DATA32 0x10

struct mb1_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr;
	u32 config_table;
	u32 boot_loader_name;
	u32 apm_table;
	u32 vbe[6];
};

struct mb1_module {
	u32 mod_start, mod_end, string, reserved;
};

struct __attribute__((packed)) mb1_mmap_entry {
	u32 size; /* of the rest of the entry: 20 */
	u64 base_addr, length;
	u32 type;
};

/* What the guest starts with. */
struct guest_boot {
	u32 eax, ebx, esi;
	u16 cs, ds;
	u64 gdt_base;
	u16 gdt_limit;
};

/*
 * What the guest is told, whatever its protocol; computed once
 * (hv/run/guest_setup.c) and rendered by guest_boot_info_build().
 */
struct guest_view {
	const char *cmdline;
	const struct boot_module *modules; /* the guest's own; for Linux the first is the initrd */
	int nr_modules;
	const struct mem_region *map; /* from guest_memory_map(): sorted, hypervisor reserved */
	int nr_map;
	const u8 *rsdp; /* a copy of the ACPI RSDP, placed in the boot area */
	u32 rsdp_len;	/* 0: none */
};

/*
 * Build the boot information for image's protocol in the guest boot area.
 * False with one line in err if it does not fit (or, for Linux, if the
 * initrd lies above the kernel's initrd_addr_max).
 */
bool guest_boot_info_build(const struct guest_image *image, const struct guest_view *view,
			   struct guest_boot *out, char *err, size_t errlen);

#endif
