/*
 * The PVH boot ABI as a non-Xen loader uses it (Xen's public
 * arch-x86/hvm/start_info.h and docs/misc/pvh.pandoc; QEMU and Firecracker
 * boot Linux's vmlinux this way): the ELF's XEN_ELFNOTE_PHYS32_ENTRY is
 * entered in 32-bit protected mode, paging off, with EBX pointing at a
 * struct hvm_start_info.
 */
#ifndef HV_GUEST_PVH_H
#define HV_GUEST_PVH_H

#include "lib/types.h"

#define HVM_START_MAGIC 0x336ec578
#define HVM_START_VERSION 1 /* version 1 adds the memory map */

struct hvm_start_info {
	u32 magic;
	u32 version;
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr; /* struct hvm_modlist_entry[nr_modules] */
	u64 cmdline_paddr;
	u64 rsdp_paddr;
	u64 memmap_paddr; /* struct hvm_memmap_table_entry[memmap_entries] */
	u32 memmap_entries;
	u32 reserved;
};

struct hvm_modlist_entry {
	u64 paddr, size, cmdline_paddr, reserved;
};

/* Types are the E820 (ACPI address range) types. */
struct hvm_memmap_table_entry {
	u64 addr, size;
	u32 type, reserved;
};

#endif
