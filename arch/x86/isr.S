/*
 * Exception entry stubs for vectors 0-31. The CPU pushes an error code for
 * some vectors (Intel SDM Vol. 3A, "Exception and Interrupt Reference");
 * for the rest we push 0 so that every frame has the struct trap_frame shape.
 */

	.text
	.code64

.macro isr_stub vec
isr_\vec:
	.if !((\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30))
	pushq $0
	.endif
	pushq $\vec
	jmp isr_common
.endm

.altmacro
.set vec, 0
.rept 32
	isr_stub %vec
	.set vec, vec + 1
.endr

isr_common:
	push %r15
	push %r14
	push %r13
	push %r12
	push %r11
	push %r10
	push %r9
	push %r8
	push %rbp
	push %rdi
	push %rsi
	push %rdx
	push %rcx
	push %rbx
	push %rax
	mov %rsp, %rdi
	cld
	call exception_dispatch
	pop %rax
	pop %rbx
	pop %rcx
	pop %rdx
	pop %rsi
	pop %rdi
	pop %rbp
	pop %r8
	pop %r9
	pop %r10
	pop %r11
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	add $16, %rsp
	iretq

.macro isr_addr vec
	.quad isr_\vec
.endm

	.section .rodata
	.balign 8
	.global isr_table
isr_table:
.set vec, 0
.rept 32
	isr_addr %vec
	.set vec, vec + 1
.endr
