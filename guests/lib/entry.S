/*
 * Multiboot1 header and entry. The loader leaves us in 32-bit protected mode
 * with paging off, EAX = MB1_BOOTLOADER_MAGIC and EBX = the info structure;
 * its GDT may be anywhere (even overwritten later), so load our own before
 * touching memory, then set a stack, zero BSS and call guest_start.
 */
#include "guests/lib/desc.h"
#include "guests/lib/multiboot1.h"

#define MB1_HEADER_FLAGS (MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMORY_INFO)
#define STACK_SIZE 16384

	.section .multiboot, "a"
	.balign 4
	.globl mb1_header
mb1_header:
	.long MB1_HEADER_MAGIC
	.long MB1_HEADER_FLAGS
	.long -(MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)

	.text
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	lgdt gdt_desc
	ljmp $GUEST_CS, $1f
1:	mov $GUEST_DS, %cx
	mov %cx, %ds
	mov %cx, %es
	mov %cx, %fs
	mov %cx, %gs
	mov %cx, %ss

	/* Zero BSS (the stack lies in it, but nothing is on it yet); keep EAX and EBX. */
	mov %eax, %esi
	xor %eax, %eax
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	rep stosb

	mov $stack_top, %esp
	push %ebx
	push %esi
	call guest_start
	/* guest_start does not return; should it, stop here rather than run off. */
2:	cli
	hlt
	jmp 2b
	.size _start, . - _start

	.data
	.balign 8
	/* Accessed bits preset: the CPU would otherwise write them on every segment load. */
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* GUEST_CS: base 0, limit 4 GiB, 32-bit code */
	.quad 0x00cf93000000ffff	/* GUEST_DS: base 0, limit 4 GiB, data */
gdt_end:
	.balign 4
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.bss
	.balign 16
stack:
	.skip STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
