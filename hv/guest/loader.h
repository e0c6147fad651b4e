/*
 * Loading the guest kernel from its module: an ELF image with a multiboot1
 * or multiboot2 header, copied segment by segment to the physical
 * addresses it is linked at (Multiboot Specification 0.6.96, "OS image
 * format"; Multiboot2 Specification, "OS image format").
 */
#ifndef HV_GUEST_LOADER_H
#define HV_GUEST_LOADER_H

#include "arch/x86/frame.h"
#include "hv/boot/multiboot2.h"

#define MB1_HEADER_MAGIC 0x1badb002
#define MB1_HEADER_SEARCH 8192
#define MB1_FLAG_AOUT_KLUDGE BIT(16)
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_HEADER_SEARCH 32768
#define MB2_HEADER_TAG_ENTRY_ADDRESS 3

#define XEN_ELFNOTE_PHYS32_ENTRY 18 /* Xen's public elfnote.h: the PVH entry point */

/*
 * How the guest is started: multiboot1 or 2 (an ELF with that header), PVH
 * (an ELF with the Xen PVH entry note, started like Xen's HVM direct boot)
 * or the Linux/x86 32-bit boot protocol (a bzImage, hv/guest/bzimage.h).
 */
enum boot_protocol { BOOT_MULTIBOOT1 = 1, BOOT_MULTIBOOT2 = 2, BOOT_PVH, BOOT_LINUX };

struct guest_image {
	enum boot_protocol protocol;
	u64 entry;
	u64 load_start, load_end; /* lowest and highest byte loaded, end exclusive */
	/* BOOT_LINUX: the bzImage's setup header, copied into the zero page */
	const u8 *setup_header;
	u32 setup_header_len;
};

/* The protocol's name for logs. */
const char *boot_protocol_name(enum boot_protocol protocol);

/* Where segments may go: guest RAM, and never onto anything forbidden. */
struct load_policy {
	const struct mem_region *regions;
	int nr_regions;
	const struct phys_range *hidden; /* hypervisor memory */
	int nr_hidden;
	const struct phys_range *forbidden; /* modules, the guest boot area */
	int nr_forbidden;
};

/* True if [start, end) is guest RAM clear of hidden and forbidden ranges. */
bool guest_range_allowed(const struct load_policy *policy, u64 start, u64 end);

/*
 * Check the ELF image (size bytes at image) completely, then copy its
 * segments. A multiboot1 header wins over a multiboot2 header, which wins
 * over a PVH note. On failure nothing has been written and err holds one
 * line.
 */
bool guest_load(const u8 *image, u64 size, const struct load_policy *policy,
		struct guest_image *out, char *err, size_t errlen);

#endif
