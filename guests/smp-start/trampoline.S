/*
 * What a processor started by INIT/SIPI runs: real mode, CS = vector << 8,
 * IP = 0. It stamps the marker, counts itself and halts. Copied to
 * TRAMPOLINE_BASE by smp-start.c; addressed relative to its own segment so
 * that it runs wherever it is copied.
 */
#include "guests/smp-start/trampoline.h"

	.section .rodata
	.globl smp_trampoline_start, smp_trampoline_end
	.code16
smp_trampoline_start:
	cli
	mov %cs, %ax
	mov %ax, %ds
	movl $MARKER_VALUE, MARKER_OFFSET
	lock incl AP_COUNT_OFFSET
1:	hlt
	jmp 1b
smp_trampoline_end:
	.code32

	.section .note.GNU-stack, "", @progbits
