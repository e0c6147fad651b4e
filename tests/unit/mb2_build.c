#include <stdlib.h>
#include <string.h>

#include "tests/unit/mb2_build.h"
#include "tests/unit/unit.h"

void mb2b_init(struct mb2_build *b)
{
	memset(b, 0, sizeof(*b));
	b->used = sizeof(struct mb2_info_header);
}

void *mb2b_tag(struct mb2_build *b, u32 type, u32 size)
{
	u32 next = (u32)ALIGN_UP((u64)b->used + size, 8);
	struct mb2_tag *tag;

	if (next > sizeof(b->words))
		unit_abort(__FILE__, __LINE__, "mb2_build: %u bytes do not fit", next);
	tag = (struct mb2_tag *)((u8 *)b->words + b->used);
	tag->type = type;
	tag->size = size;
	b->used = next;
	return tag;
}

struct mb2_tag *mb2b_cmdline(struct mb2_build *b, const char *s)
{
	size_t len = strlen(s) + 1;
	struct mb2_tag *tag = mb2b_tag(b, MB2_TAG_CMDLINE, (u32)(sizeof(*tag) + len));

	memcpy(tag + 1, s, len);
	return tag;
}

struct mb2_tag_module *mb2b_module(struct mb2_build *b, u32 start, u32 end, const char *s)
{
	size_t len = strlen(s) + 1;
	struct mb2_tag_module *m = mb2b_tag(b, MB2_TAG_MODULE, (u32)(sizeof(*m) + len));

	m->mod_start = start;
	m->mod_end = end;
	memcpy(m->cmdline, s, len);
	return m;
}

struct mb2_tag_mmap *mb2b_mmap(struct mb2_build *b, u32 entry_size, const struct mb2_mmap_entry *e,
			       int n)
{
	struct mb2_tag_mmap *m =
		mb2b_tag(b, MB2_TAG_MMAP, (u32)(sizeof(*m) + (size_t)n * entry_size));
	u8 *p = (u8 *)(m + 1);

	m->entry_size = entry_size;
	m->entry_version = 0;
	for (int i = 0; i < n; i++)
		memcpy(p + (size_t)i * entry_size, &e[i], MIN(sizeof(e[i]), (size_t)entry_size));
	return m;
}

void mb2b_end(struct mb2_build *b)
{
	mb2b_tag(b, MB2_TAG_END, sizeof(struct mb2_tag));
}

struct mb2_info_header *mb2b_header(struct mb2_build *b)
{
	return (struct mb2_info_header *)b->words;
}

u32 mb2b_finish(struct mb2_build *b)
{
	mb2b_header(b)->total_size = b->used;
	return b->used;
}

bool mb2b_parse(const struct mb2_build *b, u32 magic, u64 info_phys, struct boot_info *out,
		char *err, size_t errlen)
{
	void *copy = malloc(b->used); /* malloc aligns to at least 8 */
	bool ok;

	if (!copy)
		unit_abort(__FILE__, __LINE__, "mb2_build: out of memory");
	memcpy(copy, b->words, b->used);
	ok = mb2_parse(magic, info_phys, copy, out, err, errlen);
	free(copy);
	return ok;
}
