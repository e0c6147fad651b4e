/*
 * Application-processor start-up: a STARTUP IPI begins an AP in real mode
 * at the page the trampoline is copied to (AP_TRAMPOLINE_BASE). It goes
 * through protected mode to long mode on the hypervisor's page tables and
 * jumps to ap_entry64, which takes the stack of the AP's slot. Intel SDM Vol. 3A,
 * "Initialization of 64-bit Mode" and "MP Initialization".
 */
#include "arch/x86/ap_boot.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"

#define REL(x) (AP_TRAMPOLINE_BASE + (x) - ap_trampoline_start)

	.section .rodata
	.balign 16
	.global ap_trampoline_start, ap_trampoline_end
	.global ap_trampoline_cr3, ap_trampoline_entry

	.code16
ap_trampoline_start:
	cli
	cld
	xor %ax, %ax
	mov %ax, %ds
	lgdtl REL(tramp_gdt_desc)
	mov %cr0, %eax
	or $X86_CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $0x08, $REL(ap_pm32)

	.code32
ap_pm32:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %cr4, %eax
	or $X86_CR4_PAE, %eax
	mov %eax, %cr4
	mov REL(ap_trampoline_cr3), %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(X86_CR0_PG | X86_CR0_PE), %eax
	mov %eax, %cr0
	ljmp $0x18, $REL(ap_lm64)

	.code64
ap_lm64:
	mov REL(ap_trampoline_entry), %rax
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff        /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
	.quad 0x00af9a000000ffff        /* 0x18: 64-bit code */
tramp_gdt_desc:
	.short tramp_gdt_desc - tramp_gdt - 1
	.long REL(tramp_gdt)
	.balign 8
ap_trampoline_cr3:
	.quad 0
ap_trampoline_entry:
	.quad 0
ap_trampoline_end:

	.text
	.global ap_entry64
ap_entry64:
	mov $1, %eax
	lock xadd %eax, ap_next_index(%rip)
	cmp ap_nr_slots(%rip), %eax
	jae 2f
	mov %eax, %edi
	shl $AP_SLOT_SHIFT, %rax
	lea ap_slots(%rip), %rsp
	mov (%rsp,%rax), %rsp
	xor %ebp, %ebp
	call ap_main
2:	cli
	hlt
	jmp 2b

	.bss
	.balign 4
	.global ap_next_index
ap_next_index:
	.long 0
