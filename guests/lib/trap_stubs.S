/*
 * Exception entry stubs for vectors 0-31. Each stub makes the frame uniform
 * (a dummy error code where the CPU pushes none, then the vector) and jumps
 * to trap_common, which saves the registers and calls trap_handler with a
 * struct trap_frame. trap_handler may change the saved EIP (exception fixup).
 */

/* Vectors whose exceptions push an error code (SDM Vol. 3A, "Exception and Interrupt Reference"). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

.macro trap_stub vec
trap_stub_\vec:
	.if HAS_ERROR_CODE(\vec) == 0
	push $0
	.endif
	push $\vec
	jmp trap_common
.endm

	.text
	.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	trap_stub \vec
	.endr

trap_common:
	pusha
	cld
	push %esp		/* struct trap_frame * */
	call trap_handler
	add $4, %esp
	popa
	add $8, %esp		/* vector and error code */
	iret

	.section .rodata
	.balign 4
	.globl trap_stubs
trap_stubs:
	.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long trap_stub_\vec
	.endr

	.section .note.GNU-stack, "", @progbits
