/*
 * Descriptor tables: the GDT (with the TSS that VM exits need: Intel SDM
 * Vol. 3C, "Checks on Host Segment and Descriptor-Table Registers" requires
 * a non-null host TR) and the IDT for the 32 exception vectors.
 */
#ifndef ARCH_X86_DESC_H
#define ARCH_X86_DESC_H

#include "lib/types.h"

#define GDT_SEL_CODE 0x08
#define GDT_SEL_DATA 0x10
#define GDT_SEL_TSS 0x18

#define NR_EXCEPTIONS 32

struct __attribute__((packed)) tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
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

void gdt_init(void);
void idt_init(void);
/* An application processor loads the same GDT and IDT (no TSS: it never takes a VM exit). */
void desc_load_ap(void);

/* The base addresses VMCS host-state fields need. */
u64 gdt_base(void);
u64 idt_base(void);
u64 tss_base(void);

#endif
