/*
 * 32-bit entry from a multiboot2 loader to 64-bit C.
 *
 * Machine state on entry (Multiboot2 Specification, "I386 machine state"):
 * protected mode, paging off, EAX = 0x36d76289, EBX = physical address of
 * the boot information, no valid stack, interrupts off.
 *
 * We check for long mode, identity-map the first 4 GiB with 2 MiB pages
 * (C code maps any RAM above that), enter long mode and call hv_main().
 */
#include "arch/x86/cpuid.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/serial.h"

#define EXIT_UNSUPPORTED 2          /* keep in sync with hv/status.h */

	.section .text.boot, "ax"
	.code32
	.global _start
_start:
	cli
	cld
	mov %eax, %ebp                  /* multiboot magic */
	mov %ebx, %esi                  /* multiboot info */

	/* BSS holds the stack and page tables: zero it before use. */
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl

	mov $boot_stack_top, %esp
	mov %ebp, mb_magic
	mov %esi, mb_info

	/* Long mode: CPUID.80000001H:EDX.LM. Extended leaves must exist first. */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	test $CPUID_80000001_EDX_LM, %edx
	jz no_long_mode

	/* PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages. */
	mov $boot_pdpt, %eax
	or $(PTE_P | PTE_W), %eax
	mov %eax, boot_pml4

	mov $boot_pd, %eax
	or $(PTE_P | PTE_W), %eax
	xor %ecx, %ecx
1:	mov %eax, boot_pdpt(, %ecx, 8)
	add $4096, %eax
	inc %ecx
	cmp $4, %ecx
	jb 1b

	xor %ecx, %ecx                  /* 2048 entries cover 4 GiB */
2:	mov %ecx, %eax
	shl $21, %eax
	or $(PTE_P | PTE_W | PTE_PS), %eax
	mov %eax, boot_pd(, %ecx, 8)
	mov %ecx, %eax
	shr $11, %eax                   /* bits 63:32 of the frame: always 0 below 4 GiB */
	mov %eax, boot_pd + 4(, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jb 2b

	mov %cr4, %eax
	or $X86_CR4_PAE, %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(X86_CR0_PG | X86_CR0_PE), %eax
	mov %eax, %cr0

	lgdt boot_gdt_desc
	ljmp $0x08, $long_mode_entry

/* No long mode: one line on COM1, then the platform exit, then halt. */
no_long_mode:
	mov $COM1_BASE + UART_LCR, %dx   /* 8N1, DLAB to set 115200 */
	mov $UART_LCR_DLAB, %al
	out %al, %dx
	mov $COM1_BASE + UART_DLL, %dx
	mov $1, %al
	out %al, %dx
	mov $COM1_BASE + UART_DLM, %dx
	xor %al, %al
	out %al, %dx
	mov $COM1_BASE + UART_LCR, %dx
	mov $UART_LCR_8N1, %al
	out %al, %dx
	mov $no_lm_msg, %esi
3:	lodsb
	test %al, %al
	jz 5f
	mov %al, %bl
	mov $COM1_BASE + UART_LSR, %dx  /* wait for THRE */
4:	in %dx, %al
	test $UART_LSR_THRE, %al
	jz 4b
	mov $COM1_BASE + UART_THR, %dx
	mov %bl, %al
	out %al, %dx
	jmp 3b
5:	mov $0xf4, %dx                  /* QEMU isa-debug-exit */
	mov $EXIT_UNSUPPORTED, %eax
	out %eax, %dx
	mov $bochs_shutdown, %esi       /* Bochs: "Shutdown" to port 0x8900 */
	mov $0x8900, %dx
6:	lodsb
	test %al, %al
	jz 7f
	out %al, %dx
	jmp 6b
7:	hlt
	jmp 7b

	.code64
long_mode_entry:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %ax, %ax
	mov %ax, %fs
	mov %ax, %gs
	mov $boot_stack_top, %rsp
	xor %ebp, %ebp
	mov mb_magic, %edi
	mov mb_info, %esi
	call hv_main
8:	cli
	hlt
	jmp 8b

	.section .rodata
no_lm_msg:
	.asciz "pmuvisor: error: CPU lacks long mode (CPUID.80000001H:EDX.LM = 0)\r\npmuvisor: exit status 2\r\n"
bochs_shutdown:
	.asciz "Shutdown"

	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
boot_gdt_end:
boot_gdt_desc:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .bss.pagetables, "aw", @nobits
	.balign 4096
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096
	.global boot_pml4

	.section .bss
	.balign 16
	.global boot_stack_top
boot_stack:	.skip 16384
boot_stack_top:
mb_magic:	.long 0
mb_info:	.long 0
