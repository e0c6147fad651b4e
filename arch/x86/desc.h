/*
 * Descriptor tables: the GDT (with the TSS that VM exits need: Intel SDM
 * Vol. 3C, "Checks on Host Segment and Descriptor-Table Registers" requires
 * a non-null host TR) and the IDT for the 32 exception vectors.
 *
 * Every processor has a GDT and TSS of its own (struct cpu_desc): LTR marks
 * a TSS descriptor busy, so two processors cannot load the same one, and
 * the TSS holds the interrupt stacks (IST) that NMI, #DF and #MC run on
 * whatever the stack was when they struck. Each of the three has its own
 * stack, so that a machine check in the NMI handler does not overwrite the
 * NMI's frame (SDM Vol. 3A, "Interrupt Stack Table"). The IDT is shared.
 */
#ifndef ARCH_X86_DESC_H
#define ARCH_X86_DESC_H

#include "lib/types.h"

#define GDT_SEL_CODE 0x08
#define GDT_SEL_DATA 0x10
#define GDT_SEL_TSS 0x18
#define GDT_ENTRIES 5 /* null, code, data, TSS (two slots) */

#define NR_EXCEPTIONS 32

/* The TSS's IST slots (1-based, as an IDT gate names them). */
#define IST_NMI 1
#define IST_DF 2
#define IST_MC 3
#define NR_IST_STACKS 3

struct __attribute__((packed)) tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
};

/* One processor's descriptor tables. */
struct cpu_desc {
	u64 gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
};

struct __attribute__((packed)) desc_ptr {
	u16 limit;
	u64 base;
};

/* Saved by the exception entry stubs (isr.S), lowest address first. */
struct trap_frame {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 vector, error_code;
	u64 rip, cs, rflags, rsp, ss;
};

/*
 * desc_build.c: fill d with the flat code and data descriptors and a TSS
 * descriptor for d->tss, whose IST slot IST_NMI + i points at ist_top[i]
 * (the top of stack i, 16-byte aligned).
 */
void cpu_desc_build(struct cpu_desc *d, const u64 ist_top[NR_IST_STACKS]);
/* The IST slot an exception gate uses: its own stack for NMI, #DF and #MC, none (0) otherwise. */
u8 idt_ist_for_vector(int vector);
/* The base address a 64-bit TSS descriptor (two GDT slots) holds. */
u64 tss_descriptor_base(const u64 *slot);

/* The bootstrap processor's tables, and the IDT every processor shares. */
void gdt_init(void);
void idt_init(void);
/* Load d's GDT, its TSS and the shared IDT on this processor. */
void cpu_desc_load(const struct cpu_desc *d);

/* The base addresses VMCS host-state fields need (the bootstrap processor's). */
u64 gdt_base(void);
u64 idt_base(void);
u64 tss_base(void);

#endif
