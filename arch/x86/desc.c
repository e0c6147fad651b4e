#include "arch/x86/desc.h"
#include "arch/x86/extable.h"
#include "lib/string.h"

#define GDT_ENTRIES 5 /* null, code, data, TSS (two slots) */
#define IDT_GATE_INTERRUPT 0x8e
#define IST_STACK_SIZE 8192
#define IST_FATAL 1 /* #DF, NMI and #MC run on their own stack */

static u64 gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static u8 ist_stack[IST_STACK_SIZE] __attribute__((aligned(16)));

struct __attribute__((packed)) idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
};

static struct idt_gate idt[NR_EXCEPTIONS] __attribute__((aligned(16)));
extern const u64 isr_table[NR_EXCEPTIONS];

static void set_tss_descriptor(u64 *slot, u64 base, u32 limit)
{
	/* 64-bit available TSS, present. SDM Vol. 3A, "TSS Descriptor in 64-bit mode". */
	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		  ((u64)((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

static void load_gdt(bool with_tss)
{
	struct desc_ptr p = { sizeof(gdt) - 1, (u64)(uintptr_t)gdt };

	asm volatile("lgdt %0\n\t"
		     "pushq %1\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "mov %2, %%ds\n\t"
		     "mov %2, %%es\n\t"
		     "mov %2, %%ss"
		     :
		     : "m"(p), "i"(GDT_SEL_CODE), "r"(GDT_SEL_DATA)
		     : "rax", "memory");
	if (with_tss)
		asm volatile("ltr %w0" : : "r"(GDT_SEL_TSS));
}

void gdt_init(void)
{

	gdt[0] = 0;
	gdt[GDT_SEL_CODE / 8] = 0x00af9a000000ffffULL; /* 64-bit code, DPL 0 */
	gdt[GDT_SEL_DATA / 8] = 0x00cf92000000ffffULL; /* data, DPL 0 */
	tss.ist[IST_FATAL - 1] = (u64)(uintptr_t)(ist_stack + IST_STACK_SIZE);
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */
	set_tss_descriptor(&gdt[GDT_SEL_TSS / 8], (u64)(uintptr_t)&tss, sizeof(tss) - 1);
	load_gdt(true);
}

void desc_load_ap(void)
{
	struct desc_ptr p = { sizeof(idt) - 1, (u64)(uintptr_t)idt };

	load_gdt(false);
	asm volatile("lidt %0" : : "m"(p));
}

static bool uses_fatal_stack(int vector)
{
	return vector == 2 || vector == 8 || vector == 18;
}

void idt_init(void)
{
	struct desc_ptr p = { sizeof(idt) - 1, (u64)(uintptr_t)idt };

	for (int v = 0; v < NR_EXCEPTIONS; v++) {
		u64 addr = isr_table[v];
		idt[v] = (struct idt_gate){
			.offset_lo = addr & 0xffff,
			.selector = GDT_SEL_CODE,
			.ist = uses_fatal_stack(v) ? IST_FATAL : 0,
			.type_attr = IDT_GATE_INTERRUPT,
			.offset_mid = (addr >> 16) & 0xffff,
			.offset_hi = addr >> 32,
		};
	}
	asm volatile("lidt %0" : : "m"(p));
}

u64 gdt_base(void)
{
	return (u64)(uintptr_t)gdt;
}

u64 idt_base(void)
{
	return (u64)(uintptr_t)idt;
}

u64 tss_base(void)
{
	return (u64)(uintptr_t)&tss;
}

extern const struct extable_entry __start_ex_table[], __stop_ex_table[];

u64 extable_lookup(u64 rip)
{
	for (const struct extable_entry *e = __start_ex_table; e < __stop_ex_table; e++)
		if (e->fault_rip == rip)
			return e->fixup_rip;
	return 0;
}
