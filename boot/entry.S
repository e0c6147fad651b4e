/*
 * 32-bit entry from a multiboot2 loader to 64-bit C.
 *
 * Machine state on entry (Multiboot2 Specification, "I386 machine state"):
 * protected mode, paging off, EAX = 0x36d76289, EBX = physical address of
 * the boot information, no valid stack, interrupts off.
 *
 * The image is position independent: the loader puts it wherever its
 * relocatable header tag allows (boot/multiboot2.S), so this code finds
 * its own address first and reaches everything relative to it. It checks
 * for long mode, identity-maps the first 4 GiB with 2 MiB pages (C code
 * maps any RAM above that), enters long mode, applies the image's
 * relocations (boot/relocate.S) and calls hv_main().
 */
#include "arch/x86/cpuid.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/serial.h"

#define EXIT_UNSUPPORTED 2          /* keep in sync with hv/base/status.h */
#define EXIT_BAD_INPUT 3
#define ISA_DEBUG_EXIT_PORT 0xf4        /* as arch/x86/platform.h */
#define BOCHS_SHUTDOWN_PORT 0x8900
#define MB2_BOOTLOADER_MAGIC 0x36d76289

/* The run-time address of sym: %edx holds that of here, the label below. */
#define AT(sym) ((sym) - here)(%edx)

	.section .text.boot, "ax"
	.code32
	.global _start
_start:
	cli
	cld
	mov %eax, %ebp                  /* multiboot magic */
	mov %ebx, %esi                  /* multiboot info */
	cmp $MB2_BOOTLOADER_MAGIC, %eax
	jne no_multiboot2

	/*
	 * Where are we? There is no stack: the one CALL that tells us keeps
	 * its return address in the reserved word of the boot information's
	 * header, which is put back at once.
	 */
	mov 4(%ebx), %edi
	lea 8(%ebx), %esp
	call here
here:	pop %edx
	mov %edi, 4(%ebx)

	/* BSS holds the stack and page tables: zero it before use. */
	lea AT(__bss_start), %edi
	lea AT(__bss_end), %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl

	lea AT(boot_stack_top), %esp
	mov %ebp, AT(mb_magic)
	mov %esi, AT(mb_info)
	mov %edx, %ebp                  /* CPUID clobbers the others */

	/* Long mode: CPUID.80000001H:EDX.LM. Extended leaves must exist first. */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	test $CPUID_80000001_EDX_LM, %edx
	jz no_long_mode

	mov %ebp, %edx

	/* PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages. */
	lea AT(boot_pdpt), %eax
	or $(PTE_P | PTE_W), %eax
	mov %eax, AT(boot_pml4)

	lea AT(boot_pdpt), %edi
	lea AT(boot_pd), %eax
	or $(PTE_P | PTE_W), %eax
	xor %ecx, %ecx
1:	mov %eax, (%edi, %ecx, 8)
	add $4096, %eax
	inc %ecx
	cmp $4, %ecx
	jb 1b

	lea AT(boot_pd), %edi
	xor %ecx, %ecx                  /* 2048 entries cover 4 GiB */
2:	mov %ecx, %eax
	shl $21, %eax
	or $(PTE_P | PTE_W | PTE_PS), %eax
	mov %eax, (%edi, %ecx, 8)
	mov %ecx, %eax
	shr $11, %eax                   /* bits 63:32 of the frame: always 0 below 4 GiB */
	mov %eax, 4(%edi, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jb 2b

	mov %cr4, %eax
	or $X86_CR4_PAE, %eax
	mov %eax, %cr4
	lea AT(boot_pml4), %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(X86_CR0_PG | X86_CR0_PE), %eax
	mov %eax, %cr0

	/* The GDT's base, and the far jump to 64-bit code, at their run-time addresses. */
	mov %ebp, %edx                  /* RDMSR clobbered it */
	lea AT(boot_gdt), %eax
	mov %eax, AT(boot_gdt_desc + 2)
	lgdt AT(boot_gdt_desc)
	push $0x08
	lea AT(long_mode_entry), %eax
	push %eax
	lret

/* No long mode: one line on COM1, then the platform exit, then halt. */
no_long_mode:
	mov %ebp, %edx
	lea AT(no_lm_msg), %esi
	lea AT(bochs_shutdown), %edi
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
5:	mov $ISA_DEBUG_EXIT_PORT, %dx
	mov $EXIT_UNSUPPORTED, %eax
	out %eax, %dx
	mov %edi, %esi                  /* Bochs: "Shutdown" */
	mov $BOCHS_SHUTDOWN_PORT, %dx
6:	lodsb
	test %al, %al
	jz 7f
	out %al, %dx
	jmp 6b
7:	hlt
	jmp 7b

/*
 * Not started by a multiboot2 loader: EBX points nowhere we may write, so
 * we cannot even learn where we are. Only the platform exit is left.
 */
no_multiboot2:
	mov $ISA_DEBUG_EXIT_PORT, %dx
	mov $EXIT_BAD_INPUT, %eax
	out %eax, %dx
	mov $BOCHS_SHUTDOWN_PORT, %dx
	.irp c, 0x53, 0x68, 0x75, 0x74, 0x64, 0x6f, 0x77, 0x6e  /* "Shutdown" */
	mov $\c, %al
	out %al, %dx
	.endr
8:	hlt
	jmp 8b

	.code64
long_mode_entry:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %ax, %ax
	mov %ax, %fs
	mov %ax, %gs
	lea boot_stack_top(%rip), %rsp
	xor %ebp, %ebp
	call relocate_image
	mov mb_magic(%rip), %edi
	mov mb_info(%rip), %esi
	call hv_main
9:	cli
	hlt
	jmp 9b

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

	.data
	.balign 8
boot_gdt_desc:                      /* the base is written at run time */
	.short boot_gdt_end - boot_gdt - 1
	.long 0

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
