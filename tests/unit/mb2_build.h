/*
 * Building multiboot2 boot information in a test, tag by tag, laid out as
 * a loader would: an 8-byte header, then tags each starting 8-byte
 * aligned. Tests that want a malformed info build a good one and then
 * patch the field they break.
 */
#ifndef TESTS_UNIT_MB2_BUILD_H
#define TESTS_UNIT_MB2_BUILD_H

#include "hv/boot/multiboot2.h"

#define MB2_BUILD_MAX 16384

struct mb2_build {
	u64 words[MB2_BUILD_MAX / 8]; /* u64: the info is 8-byte aligned */
	u32 used;		      /* bytes, always a multiple of 8 */
};

void mb2b_init(struct mb2_build *b);
/* A zeroed tag of size bytes (header included); padding follows it. */
void *mb2b_tag(struct mb2_build *b, u32 type, u32 size);
struct mb2_tag *mb2b_cmdline(struct mb2_build *b, const char *s);
struct mb2_tag_module *mb2b_module(struct mb2_build *b, u32 start, u32 end, const char *s);
/* entry_size is the loader's stride; larger than an entry leaves zeroes. */
struct mb2_tag_mmap *mb2b_mmap(struct mb2_build *b, u32 entry_size, const struct mb2_mmap_entry *e,
			       int n);
void mb2b_end(struct mb2_build *b);
/* Set total_size to what was built; returns it. */
u32 mb2b_finish(struct mb2_build *b);
struct mb2_info_header *mb2b_header(struct mb2_build *b);
/*
 * Run mb2_parse() on a heap copy of exactly the bytes built, so that
 * AddressSanitizer catches any read past them.
 */
bool mb2b_parse(const struct mb2_build *b, u32 magic, u64 info_phys, struct boot_info *out,
		char *err, size_t errlen);

#endif
