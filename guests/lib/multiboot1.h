/* The parts of the Multiboot 0.6.96 specification the runtime uses. */
#ifndef GUEST_MULTIBOOT1_H
#define GUEST_MULTIBOOT1_H

#define MB1_HEADER_MAGIC 0x1badb002	/* in the kernel image */
#define MB1_BOOTLOADER_MAGIC 0x2badb002 /* in EAX at entry */

/* Header flags: what the kernel asks of the loader. */
#define MB1_HEADER_PAGE_ALIGN (1 << 0)	/* modules on page boundaries */
#define MB1_HEADER_MEMORY_INFO (1 << 1) /* mem_lower/mem_upper and the memory map */

/* Info flags: which fields of struct mb1_info the loader filled in. */
#define MB1_INFO_CMDLINE (1 << 2)
#define MB1_INFO_MEM_MAP (1 << 6)

#define MB1_MEMORY_AVAILABLE 1
#define MB1_MEMORY_RESERVED 2

#ifndef __ASSEMBLY__
#include "lib/types.h"

/* Only the fields up to the memory map: the runtime reads no further. */
struct mb1_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline; /* physical address of a NUL-terminated string */
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr; /* bytes, physical address */
};

/* An entry of the memory map; size counts the bytes after itself. */
struct mb1_mmap_entry {
	u32 size;
	u64 base, len;
	u32 type;
} __attribute__((packed));
#endif

#endif
