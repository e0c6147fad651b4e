#include "arch/x86/desc.h"
#include "arch/x86/extable.h"

#define IDT_GATE_INTERRUPT 0x8e
#define BSP_IST_STACK_SIZE 8192

static struct cpu_desc bsp_desc;
static u8 bsp_ist_stack[NR_IST_STACKS][BSP_IST_STACK_SIZE] __attribute__((aligned(16)));

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

void cpu_desc_load(const struct cpu_desc *d)
{
	struct desc_ptr g = { sizeof(d->gdt) - 1, (u64)(uintptr_t)d->gdt };
	struct desc_ptr i = { sizeof(idt) - 1, (u64)(uintptr_t)idt };

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
		     : "m"(g), "i"(GDT_SEL_CODE), "r"(GDT_SEL_DATA)
		     : "rax", "memory");
	asm volatile("ltr %w0" : : "r"(GDT_SEL_TSS));
	asm volatile("lidt %0" : : "m"(i));
}

void gdt_init(void)
{
	u64 tops[NR_IST_STACKS];

	for (int s = 0; s < NR_IST_STACKS; s++)
		tops[s] = (u64)(uintptr_t)(bsp_ist_stack[s] + BSP_IST_STACK_SIZE);
	cpu_desc_build(&bsp_desc, tops);
	cpu_desc_load(&bsp_desc);
}

void idt_init(void)
{
	struct desc_ptr p = { sizeof(idt) - 1, (u64)(uintptr_t)idt };

	for (int v = 0; v < NR_EXCEPTIONS; v++) {
		u64 addr = isr_table[v];
		idt[v] = (struct idt_gate){
			.offset_lo = addr & 0xffff,
			.selector = GDT_SEL_CODE,
			.ist = idt_ist_for_vector(v),
			.type_attr = IDT_GATE_INTERRUPT,
			.offset_mid = (addr >> 16) & 0xffff,
			.offset_hi = addr >> 32,
		};
	}
	asm volatile("lidt %0" : : "m"(p));
}

u64 gdt_base(void)
{
	return (u64)(uintptr_t)bsp_desc.gdt;
}

u64 idt_base(void)
{
	return (u64)(uintptr_t)idt;
}

u64 tss_base(void)
{
	return (u64)(uintptr_t)&bsp_desc.tss;
}

extern const struct extable_entry __start_ex_table[], __stop_ex_table[];

u64 extable_lookup(u64 rip)
{
	for (const struct extable_entry *e = __start_ex_table; e < __stop_ex_table; e++)
		if (e->fault_rip == rip)
			return e->fixup_rip;
	return 0;
}
