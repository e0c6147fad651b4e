/*
 * The Linux/x86 boot protocol (the kernel's Documentation/arch/x86/boot.rst
 * and zero-page.rst): a bzImage is real-mode setup sectors followed by the
 * protected-mode kernel; a 32-bit loader copies the latter to a suitable
 * address, fills a zero page (struct boot_params) with the setup header
 * and what the loader knows, and jumps to the kernel's start with ESI
 * pointing at the zero page.
 */
#ifndef HV_GUEST_BZIMAGE_H
#define HV_GUEST_BZIMAGE_H

#include "hv/guest/loader.h"

/* Setup header fields, at their offsets in the bzImage and in the zero page. */
#define BZ_SETUP_SECTS 0x1f1 /* u8; 0 means 4 */
#define BZ_BOOT_FLAG 0x1fe   /* u16: 0xaa55 */
#define BZ_JUMP 0x200	     /* a short jump over the header: its length is in 0x201 */
#define BZ_HEADER 0x202	     /* u32: "HdrS" */
#define BZ_VERSION 0x206     /* u16: protocol version, major.minor in bytes */
#define BZ_TYPE_OF_LOADER 0x210
#define BZ_LOADFLAGS 0x211
#define BZ_CODE32_START 0x214
#define BZ_RAMDISK_IMAGE 0x218
#define BZ_RAMDISK_SIZE 0x21c
#define BZ_CMD_LINE_PTR 0x228
#define BZ_INITRD_ADDR_MAX 0x22c
#define BZ_KERNEL_ALIGNMENT 0x230
#define BZ_RELOCATABLE_KERNEL 0x234
#define BZ_CMDLINE_SIZE 0x238
#define BZ_PREF_ADDRESS 0x258	/* u64 */
#define BZ_INIT_SIZE 0x260	/* u32: memory the kernel needs from its load address */
#define BZ_HEADER_END_MAX 0x290 /* the zero page's setup header ends here */

#define BZ_BOOT_FLAG_MAGIC 0xaa55
#define BZ_HEADER_MAGIC 0x53726448 /* "HdrS" */
#define BZ_MIN_VERSION 0x020c	   /* 2.12: xloadflags, 64-bit fields, everything below */
#define BZ_LOADED_HIGH BIT(0)
#define BZ_TYPE_UNDEFINED 0xff

/* Zero page (struct boot_params) fields outside the setup header. */
#define ZP_SIZE 4096
#define ZP_ACPI_RSDP_ADDR 0x070 /* u64, protocol 2.14 */
#define ZP_EXT_RAMDISK_IMAGE 0x0c0
#define ZP_EXT_RAMDISK_SIZE 0x0c4
#define ZP_EXT_CMD_LINE_PTR 0x0c8
#define ZP_E820_ENTRIES 0x1e8 /* u8 */
#define ZP_E820_TABLE 0x2d0   /* struct boot_e820_entry[ZP_E820_MAX] */
#define ZP_E820_MAX 128

struct __attribute__((packed)) boot_e820_entry {
	u64 addr, size;
	u32 type;
};

/* Linux's segment selectors for the 32-bit entry: __BOOT_CS and __BOOT_DS. */
#define LINUX_BOOT_CS 0x10
#define LINUX_BOOT_DS 0x18

/* True if the image has the setup header's "HdrS" magic: it is meant to be a bzImage. */
bool bzimage_detect(const u8 *image, u64 size);

/*
 * Check the bzImage's header (version, relocatable, sizes), choose where
 * its protected-mode kernel goes (pref_address if it fits, else the
 * lowest kernel_alignment-aligned address in RAM the policy allows) and
 * copy it there. On failure nothing is written and err holds one line.
 */
bool bzimage_load(const u8 *image, u64 size, const struct load_policy *policy,
		  struct guest_image *out, char *err, size_t errlen);

#endif
