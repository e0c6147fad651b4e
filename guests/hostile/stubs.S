/*
 * hostile's assembly: an NMI handler that counts, and the jump to ring 3.
 */
#include "guests/hostile/hostile.h"
#include "guests/lib/desc.h"

	.text
	.globl nmi_stub
nmi_stub:
	lock incl nmi_count
	iret

/* void enter_ring3(void (*fn)(void), u32 stack_top): IRET to fn at CPL 3 with IOPL 3. */
	.globl enter_ring3
enter_ring3:
	mov 4(%esp), %eax
	mov 8(%esp), %ecx
	mov $GUEST_USER_DS, %edx
	mov %dx, %ds
	mov %dx, %es
	mov %dx, %fs
	mov %dx, %gs
	push $GUEST_USER_DS
	push %ecx
	pushf
	orl $EFLAGS_IOPL3, (%esp)
	push $GUEST_USER_CS
	push %eax
	iret

	.section .note.GNU-stack, "", @progbits
