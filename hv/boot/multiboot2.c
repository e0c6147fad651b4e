#include "hv/boot/multiboot2.h"
#include "lib/printf.h"
#include "lib/string.h"

#define MB2_INFO_MAX_SIZE (1U << 20) /* far beyond any real loader's */

struct parse_ctx {
	struct boot_info *out;
	char *err;
	size_t errlen;
	bool have_mmap;
};

#define FAIL(ctx, ...)                                               \
	do {                                                         \
		snprintf_hv((ctx)->err, (ctx)->errlen, __VA_ARGS__); \
		return false;                                        \
	} while (0)

/* A string inside a tag must end with a NUL before the tag ends. */
static bool copy_tag_string(struct parse_ctx *ctx, const char *s, size_t room, char *dst,
			    const char *what)
{
	size_t len = 0;

	while (len < room && s[len])
		len++;
	if (len == room)
		FAIL(ctx, "%s is not NUL-terminated inside its tag", what);
	if (len >= BOOT_CMDLINE_MAX)
		FAIL(ctx, "%s is %u bytes, longer than the %u supported", what, (unsigned)len,
		     BOOT_CMDLINE_MAX - 1);
	memcpy(dst, s, len + 1);
	return true;
}

static bool parse_module(struct parse_ctx *ctx, const struct mb2_tag *tag)
{
	const struct mb2_tag_module *m = (const void *)tag;
	struct boot_module *bm;

	if (tag->size < sizeof(*m) + 1)
		FAIL(ctx, "module tag of %u bytes is too short", tag->size);
	if (ctx->out->nr_modules == BOOT_MAX_MODULES)
		FAIL(ctx, "more than %d modules", BOOT_MAX_MODULES);
	if (m->mod_end < m->mod_start)
		FAIL(ctx, "module %d ends (0x%x) before it starts (0x%x)", ctx->out->nr_modules,
		     m->mod_end, m->mod_start);
	bm = &ctx->out->modules[ctx->out->nr_modules];
	bm->start = m->mod_start;
	bm->end = m->mod_end;
	if (!copy_tag_string(ctx, m->cmdline, tag->size - sizeof(*m), bm->cmdline, "module string"))
		return false;
	ctx->out->nr_modules++;
	return true;
}

static bool parse_mmap(struct parse_ctx *ctx, const struct mb2_tag *tag)
{
	const struct mb2_tag_mmap *m = (const void *)tag;
	const u8 *p, *end;

	if (tag->size < sizeof(*m))
		FAIL(ctx, "memory map tag of %u bytes is too short", tag->size);
	if (m->entry_size < sizeof(struct mb2_mmap_entry) || m->entry_size % 8)
		FAIL(ctx, "memory map entry size %u is invalid", m->entry_size);
	p = (const u8 *)m + sizeof(*m);
	end = (const u8 *)tag + tag->size;
	for (; p + m->entry_size <= end; p += m->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)p;
		struct mem_region *r;

		if (e->len == 0)
			continue;
		if (e->base + e->len < e->base)
			FAIL(ctx, "memory map entry at 0x%llx wraps around",
			     (unsigned long long)e->base);
		if (ctx->out->nr_regions == BOOT_MAX_REGIONS)
			FAIL(ctx, "memory map has more than %d entries", BOOT_MAX_REGIONS);
		r = &ctx->out->regions[ctx->out->nr_regions++];
		r->base = e->base;
		r->len = e->len;
		r->type = e->type;
	}
	ctx->have_mmap = true;
	return true;
}

/* The ACPI tags carry a copy of the RSDP; the 2.0 one wins over the 1.0 one. */
static bool parse_acpi(struct parse_ctx *ctx, const struct mb2_tag *tag)
{
	u32 len = MIN(tag->size - (u32)sizeof(*tag), (u32)BOOT_RSDP_MAX);

	if (len < 20)
		FAIL(ctx, "ACPI tag of %u bytes is too short for an RSDP", tag->size);
	if (tag->type == MB2_TAG_ACPI_OLD && ctx->out->rsdp_len > 20)
		return true;
	if (tag->type == MB2_TAG_ACPI_OLD)
		len = 20;
	memcpy(ctx->out->rsdp, tag + 1, len);
	ctx->out->rsdp_len = len;
	return true;
}

static bool parse_load_base(struct parse_ctx *ctx, const struct mb2_tag *tag)
{
	const struct mb2_tag_load_base *t = (const void *)tag;

	if (tag->size < sizeof(*t))
		FAIL(ctx, "load base tag of %u bytes is too short", tag->size);
	ctx->out->load_base = t->load_base_addr;
	return true;
}

static bool parse_tag(struct parse_ctx *ctx, const struct mb2_tag *tag)
{
	switch (tag->type) {
	case MB2_TAG_CMDLINE:
		return copy_tag_string(ctx, (const char *)(tag + 1), tag->size - sizeof(*tag),
				       ctx->out->cmdline, "command line");
	case MB2_TAG_MODULE:
		return parse_module(ctx, tag);
	case MB2_TAG_MMAP:
		return parse_mmap(ctx, tag);
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		return parse_acpi(ctx, tag);
	case MB2_TAG_LOAD_BASE:
		return parse_load_base(ctx, tag);
	default:
		return true; /* tags we do not use */
	}
}

bool mb2_parse(u32 magic, u64 info_phys, const void *info, struct boot_info *out, char *err,
	       size_t errlen)
{
	struct parse_ctx ctx = { out, err, errlen, false };
	const struct mb2_info_header *hdr = info;
	const u8 *base = info;
	u32 off;

	memset(out, 0, sizeof(*out));
	if (magic != MB2_BOOTLOADER_MAGIC)
		FAIL(&ctx, "not started by a multiboot2 loader (EAX=0x%x, expected 0x%x)", magic,
		     MB2_BOOTLOADER_MAGIC);
	if (!info || info_phys % 8)
		FAIL(&ctx, "boot information address 0x%llx is invalid",
		     (unsigned long long)info_phys);
	if (hdr->total_size < sizeof(*hdr) + sizeof(struct mb2_tag) ||
	    hdr->total_size > MB2_INFO_MAX_SIZE)
		FAIL(&ctx, "boot information size %u is implausible", hdr->total_size);
	out->info_start = info_phys;
	out->info_end = info_phys + hdr->total_size;

	for (off = sizeof(*hdr); off + sizeof(struct mb2_tag) <= hdr->total_size;
	     off = (u32)ALIGN_UP(off + ((const struct mb2_tag *)(base + off))->size, 8)) {
		const struct mb2_tag *tag = (const void *)(base + off);

		if (tag->size < sizeof(*tag) || tag->size > hdr->total_size - off)
			FAIL(&ctx, "tag type %u at offset %u has invalid size %u", tag->type, off,
			     tag->size);
		if (tag->type == MB2_TAG_END) {
			if (!ctx.have_mmap)
				FAIL(&ctx, "no memory map tag");
			return true;
		}
		if (!parse_tag(&ctx, tag))
			return false;
	}
	FAIL(&ctx, "no end tag within the %u bytes of boot information", hdr->total_size);
}

const char *mb2_memory_type_name(u32 type)
{
	switch (type) {
	case MB2_MEMORY_AVAILABLE:
		return "available";
	case MB2_MEMORY_RESERVED:
		return "reserved";
	case MB2_MEMORY_ACPI_RECLAIMABLE:
		return "ACPI reclaimable";
	case MB2_MEMORY_NVS:
		return "ACPI NVS";
	case MB2_MEMORY_BADRAM:
		return "bad RAM";
	default:
		return "unknown";
	}
}
