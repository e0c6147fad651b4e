#include "hv/guest/boot_area.h"
#include "arch/x86/paging.h"
#include "lib/string.h"

#define GDT_CODE32 0x00cf9a000000ffffULL /* base 0, limit 4 GiB, execute/read */
#define GDT_DATA32 0x00cf92000000ffffULL /* base 0, limit 4 GiB, read/write */
#define GDT_ENTRIES 4
#define RSDP_ALIGN 16

u64 area_alloc(struct boot_area *a, u64 size, u64 align)
{
	u64 p = ALIGN_UP(a->next, align);

	if (a->overflow || p + size > a->end) {
		a->overflow = true;
		return 0;
	}
	a->next = p + size;
	memset(phys_to_virt(p), 0, size);
	return p;
}

u32 area_string(struct boot_area *a, const char *s)
{
	u64 len = strlen(s) + 1, p = area_alloc(a, len, 1);

	if (p)
		memcpy(phys_to_virt(p), s, len);
	return (u32)p;
}

void area_gdt(struct boot_area *a, u16 cs, u16 ds, struct guest_boot *out)
{
	u64 p = area_alloc(a, GDT_ENTRIES * 8, 8);
	u64 *gdt = phys_to_virt(p);

	if (!p)
		return;
	gdt[cs / 8] = GDT_CODE32;
	gdt[ds / 8] = GDT_DATA32;
	out->gdt_base = p;
	out->gdt_limit = (u16)(MAX(cs, ds) + 7);
	out->cs = cs;
	out->ds = ds;
}

u64 area_rsdp(struct boot_area *a, const struct guest_view *view)
{
	u64 p;

	if (!view->rsdp_len)
		return 0;
	p = area_alloc(a, view->rsdp_len, RSDP_ALIGN);
	if (p)
		memcpy(phys_to_virt(p), view->rsdp, view->rsdp_len);
	return p;
}
