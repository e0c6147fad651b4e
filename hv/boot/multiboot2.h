/*
 * The multiboot2 boot information, as GRUB hands it over, and what pmuvisor
 * keeps of it. Multiboot2 Specification, "Boot information format".
 */
#ifndef HV_BOOT_MULTIBOOT2_H
#define HV_BOOT_MULTIBOOT2_H

#include "arch/x86/memmap.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14  /* a copy of the ACPI 1.0 RSDP */
#define MB2_TAG_ACPI_NEW 15  /* a copy of the ACPI 2.0+ RSDP */
#define MB2_TAG_LOAD_BASE 21 /* where a relocatable image was put */

/* The memory map's types are the ACPI address range types (arch/x86/memmap.h). */
#define MB2_MEMORY_AVAILABLE ADDRESS_RANGE_MEMORY
#define MB2_MEMORY_RESERVED ADDRESS_RANGE_RESERVED
#define MB2_MEMORY_ACPI_RECLAIMABLE ADDRESS_RANGE_ACPI
#define MB2_MEMORY_NVS ADDRESS_RANGE_NVS
#define MB2_MEMORY_BADRAM ADDRESS_RANGE_UNUSABLE

struct mb2_info_header {
	u32 total_size;
	u32 reserved;
};

struct mb2_tag {
	u32 type;
	u32 size;
};

struct mb2_tag_module {
	u32 type, size;
	u32 mod_start, mod_end;
	char cmdline[];
};

struct mb2_tag_mmap {
	u32 type, size;
	u32 entry_size, entry_version;
};

struct mb2_tag_load_base {
	u32 type, size;
	u32 load_base_addr;
};

struct mb2_mmap_entry {
	u64 base, len;
	u32 type, reserved;
};

#define BOOT_MAX_REGIONS 512 /* UEFI machines have a hundred entries and more */
#define BOOT_MAX_MODULES 8
#define BOOT_CMDLINE_MAX 512
#define BOOT_RSDP_MAX 36 /* the ACPI 2.0 RSDP; 1.0 has 20 bytes */

struct boot_module {
	u64 start, end; /* physical, end exclusive */
	char cmdline[BOOT_CMDLINE_MAX];
};

struct boot_info {
	u64 info_start, info_end; /* the multiboot2 info itself */
	char cmdline[BOOT_CMDLINE_MAX];
	struct mem_region regions[BOOT_MAX_REGIONS];
	int nr_regions;
	struct boot_module modules[BOOT_MAX_MODULES];
	int nr_modules;
	u8 rsdp[BOOT_RSDP_MAX]; /* the loader's copy of the ACPI RSDP, the newest given */
	u32 rsdp_len;		/* 0: the loader gave none */
	u64 load_base;		/* where the loader put the image; 0: it did not say */
};

/*
 * Validate and copy the boot information at info (physical address
 * info_phys). On failure returns false with a one-line reason in err.
 */
bool mb2_parse(u32 magic, u64 info_phys, const void *info, struct boot_info *out, char *err,
	       size_t errlen);

const char *mb2_memory_type_name(u32 type);

#endif
