/*
 * Multiboot2 header. Multiboot2 Specification, "OS image format":
 * magic, architecture, header length, checksum, then 8-byte aligned tags.
 */
#define MB2_HEADER_MAGIC        0xe85250d6
#define MB2_ARCH_I386           0
#define MB2_HEADER_TAG_END      0
#define MB2_HEADER_TAG_INFO_REQ 1
#define MB2_TAG_CMDLINE         1
#define MB2_TAG_MODULE          3
#define MB2_TAG_MMAP            6

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
	.short MB2_HEADER_TAG_END
	.short 0
	.long 8
mb2_header_end:
