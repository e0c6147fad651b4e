/*
 * Multiboot2 header. Multiboot2 Specification, "OS image format":
 * magic, architecture, header length, checksum, then 8-byte aligned tags.
 */
#define MB2_HEADER_MAGIC        0xe85250d6
#define MB2_ARCH_I386           0
#define MB2_HEADER_TAG_END      0
#define MB2_HEADER_TAG_INFO_REQ 1
#define MB2_HEADER_TAG_RELOCATABLE 10
#define MB2_TAG_CMDLINE         1
#define MB2_TAG_MODULE          3
#define MB2_TAG_MMAP            6
#define MB2_LOAD_PREFERENCE_HIGH 2

/*
 * Where the loader may put the image (it is position independent,
 * boot/entry.S): anywhere from 1 MiB to 4 GiB, as high as it can, so that
 * the guest's RAM stays one range from 1 MiB up. Below 4 GiB because the
 * boot code maps only that much. Page aligned, not more: a coarser
 * alignment would leave a sliver of RAM above the image, a second range
 * of guest RAM.
 */
#define HV_RELOC_MIN            0x100000
#define HV_RELOC_MAX            0xffffffff
#define HV_RELOC_ALIGN          0x1000

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	.balign 8
info_request:
	.short MB2_HEADER_TAG_INFO_REQ
	.short 0
	.long info_request_end - info_request
	.long MB2_TAG_CMDLINE
	.long MB2_TAG_MODULE
	.long MB2_TAG_MMAP
info_request_end:

	.balign 8
relocatable:
	.short MB2_HEADER_TAG_RELOCATABLE
	.short 0
	.long relocatable_end - relocatable
	.long HV_RELOC_MIN
	.long HV_RELOC_MAX
	.long HV_RELOC_ALIGN
	.long MB2_LOAD_PREFERENCE_HIGH
relocatable_end:

	.balign 8
	.short MB2_HEADER_TAG_END
	.short 0
	.long 8
mb2_header_end:
