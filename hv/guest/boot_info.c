#include "hv/guest/boot_info.h"
#include "hv/guest/boot_area.h"
#include "hv/guest/bzimage.h"
#include "arch/x86/paging.h"
#include "lib/printf.h"
#include "lib/string.h"

#define BOOT_LOADER_NAME "pmuvisor"
#define MB2_TAG_ACPI_SIZE(len) (8 + (len))

/* KiB of available memory from 0 and from 1 MiB, as multiboot reports them. */
static void basic_meminfo(const struct mem_region *map, int n, u32 *lower, u32 *upper)
{
	*lower = *upper = 0;
	for (int i = 0; i < n; i++) {
		if (map[i].type != MB2_MEMORY_AVAILABLE)
			continue;
		if (map[i].base == 0)
			*lower = (u32)(MIN(map[i].len, 0x100000ULL) >> 10);
		if (map[i].base <= 0x100000 && map[i].base + map[i].len > 0x100000)
			*upper = (u32)(MIN(map[i].base + map[i].len - 0x100000,
					   0xffffffffULL << 10) >>
				       10);
	}
}

static u32 build_mb1(struct boot_area *a, const struct guest_view *v)
{
	const struct boot_module *mods = v->modules;
	const struct mem_region *map = v->map;
	int nr_mods = v->nr_modules, nr_map = v->nr_map;
	u64 ip = area_alloc(a, sizeof(struct mb1_info), 8);
	u64 mp = area_alloc(a, (u64)nr_mods * sizeof(struct mb1_module), 8);
	u64 ep = area_alloc(a, (u64)nr_map * sizeof(struct mb1_mmap_entry), 8);
	struct mb1_info *info = phys_to_virt(ip);

	if (a->overflow)
		return 0;
	info->flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MEM_MAP |
		      MB1_INFO_BOOT_LOADER_NAME;
	basic_meminfo(map, nr_map, &info->mem_lower, &info->mem_upper);
	info->cmdline = area_string(a, v->cmdline);
	info->boot_loader_name = area_string(a, BOOT_LOADER_NAME);
	info->mods_count = (u32)nr_mods;
	info->mods_addr = (u32)mp;
	for (int i = 0; i < nr_mods; i++) {
		struct mb1_module *m = (struct mb1_module *)phys_to_virt(mp) + i;
		m->mod_start = (u32)mods[i].start;
		m->mod_end = (u32)mods[i].end;
		m->string = area_string(a, mods[i].cmdline);
	}
	info->mmap_addr = (u32)ep;
	info->mmap_length = (u32)(nr_map * sizeof(struct mb1_mmap_entry));
	for (int i = 0; i < nr_map; i++) {
		struct mb1_mmap_entry *e = (struct mb1_mmap_entry *)phys_to_virt(ep) + i;
		e->size = sizeof(*e) - sizeof(e->size);
		e->base_addr = map[i].base;
		e->length = map[i].len;
		e->type = map[i].type;
	}
	return a->overflow ? 0 : (u32)ip;
}

/* Append a multiboot2 tag of size bytes (header included); returns its address. */
static u8 *mb2_tag(struct boot_area *a, u32 type, u32 size)
{
	u64 p = area_alloc(a, size, 8);
	struct mb2_tag *t = phys_to_virt(p);

	if (!p)
		return NULL;
	t->type = type;
	t->size = size;
	return (u8 *)t;
}

static void mb2_string_tag(struct boot_area *a, u32 type, const char *s)
{
	u8 *t = mb2_tag(a, type, (u32)(sizeof(struct mb2_tag) + strlen(s) + 1));
	if (t)
		memcpy(t + sizeof(struct mb2_tag), s, strlen(s) + 1);
}

static u32 build_mb2(struct boot_area *a, const struct guest_view *v)
{
	const struct boot_module *mods = v->modules;
	const struct mem_region *map = v->map;
	int nr_mods = v->nr_modules, nr_map = v->nr_map;
	u64 start = area_alloc(a, sizeof(struct mb2_info_header), 8);
	struct mb2_tag_mmap *mm;
	u8 *t;

	mb2_string_tag(a, MB2_TAG_CMDLINE, v->cmdline);
	mb2_string_tag(a, MB2_TAG_BOOT_LOADER_NAME, BOOT_LOADER_NAME);
	for (int i = 0; i < nr_mods; i++) {
		u32 len = (u32)strlen(mods[i].cmdline) + 1;
		struct mb2_tag_module *m =
			(void *)mb2_tag(a, MB2_TAG_MODULE, (u32)sizeof(*m) + len);
		if (!m)
			break;
		m->mod_start = (u32)mods[i].start;
		m->mod_end = (u32)mods[i].end;
		memcpy(m->cmdline, mods[i].cmdline, len);
	}
	t = mb2_tag(a, MB2_TAG_BASIC_MEMINFO, 16);
	if (t)
		basic_meminfo(map, nr_map, (u32 *)(t + 8), (u32 *)(t + 12));
	mm = (void *)mb2_tag(a, MB2_TAG_MMAP,
			     (u32)(sizeof(*mm) + (u64)nr_map * sizeof(struct mb2_mmap_entry)));
	if (mm) {
		struct mb2_mmap_entry *e = (void *)(mm + 1);
		mm->entry_size = sizeof(*e);
		mm->entry_version = 0;
		for (int i = 0; i < nr_map; i++)
			e[i] = (struct mb2_mmap_entry){ map[i].base, map[i].len, map[i].type, 0 };
	}
	if (v->rsdp_len) {
		t = mb2_tag(a, v->rsdp_len > 20 ? MB2_TAG_ACPI_NEW : MB2_TAG_ACPI_OLD,
			    MB2_TAG_ACPI_SIZE(v->rsdp_len));
		if (t)
			memcpy(t + sizeof(struct mb2_tag), v->rsdp, v->rsdp_len);
	}
	mb2_tag(a, MB2_TAG_END, 8);
	if (a->overflow)
		return 0;
	((struct mb2_info_header *)phys_to_virt(start))->total_size = (u32)(a->next - start);
	return (u32)start;
}

bool guest_boot_info_build(const struct guest_image *image, const struct guest_view *view,
			   struct guest_boot *out, char *err, size_t errlen)
{
	struct boot_area a = { GUEST_BOOT_AREA_START, GUEST_BOOT_AREA_END, false };
	u64 info = 0;

	memset(out, 0, sizeof(*out));
	err[0] = 0;
	switch (image->protocol) {
	case BOOT_MULTIBOOT1:
		area_gdt(&a, GUEST_GDT_CODE32, GUEST_GDT_DATA32, out);
		out->eax = MB1_BOOTLOADER_MAGIC;
		out->ebx = info = build_mb1(&a, view);
		break;
	case BOOT_MULTIBOOT2:
		area_gdt(&a, GUEST_GDT_CODE32, GUEST_GDT_DATA32, out);
		out->eax = MB2_BOOTLOADER_MAGIC;
		out->ebx = info = build_mb2(&a, view);
		break;
	case BOOT_PVH:
		area_gdt(&a, GUEST_GDT_CODE32, GUEST_GDT_DATA32, out);
		out->ebx = info = build_pvh_start_info(&a, view);
		break;
	case BOOT_LINUX:
		area_gdt(&a, LINUX_BOOT_CS, LINUX_BOOT_DS, out);
		out->esi = info = build_zero_page(&a, view, image, err, errlen);
		break;
	}
	if (err[0])
		return false;
	if (a.overflow || !info) {
		snprintf_hv(err, errlen, "guest boot information does not fit in 0x%llx-0x%llx",
			    GUEST_BOOT_AREA_START, GUEST_BOOT_AREA_END);
		return false;
	}
	return true;
}
