/* Building one processor's GDT and TSS (arch/x86/desc.h); loading them is desc.c's. */
#include "arch/x86/desc.h"
#include "lib/string.h"

#define GDT_CODE64 0x00af9a000000ffffULL /* 64-bit code, DPL 0 */
#define GDT_DATA 0x00cf92000000ffffULL	 /* data, DPL 0 */
#define TSS_AVAILABLE_64 0x89ULL	 /* 64-bit available TSS, present */

static void set_tss_descriptor(u64 *slot, u64 base, u32 limit)
{
	/* SDM Vol. 3A, "TSS Descriptor in 64-bit mode". */
	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (TSS_AVAILABLE_64 << 40) |
		  ((u64)((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

u64 tss_descriptor_base(const u64 *slot)
{
	return ((slot[0] >> 16) & 0xffffff) | (((slot[0] >> 56) & 0xff) << 24) | (slot[1] << 32);
}

void cpu_desc_build(struct cpu_desc *d, const u64 ist_top[NR_IST_STACKS])
{
	memset(d, 0, sizeof(*d));
	d->gdt[GDT_SEL_CODE / 8] = GDT_CODE64;
	d->gdt[GDT_SEL_DATA / 8] = GDT_DATA;
	for (int i = 0; i < NR_IST_STACKS; i++)
		d->tss.ist[IST_NMI - 1 + i] = ist_top[i];
	d->tss.iomap_base = sizeof(d->tss); /* no I/O permission bitmap */
	set_tss_descriptor(&d->gdt[GDT_SEL_TSS / 8], (u64)(uintptr_t)&d->tss, sizeof(d->tss) - 1);
}

u8 idt_ist_for_vector(int vector)
{
	switch (vector) {
	case 2: /* NMI */
		return IST_NMI;
	case 8: /* #DF */
		return IST_DF;
	case 18: /* #MC */
		return IST_MC;
	default:
		return 0;
	}
}
