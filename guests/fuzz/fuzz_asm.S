/*
 * The fuzz guest's machinery in assembly: its own IDT stubs, the executor
 * that runs one instruction snippet with a chosen register set (at CPL0 or
 * CPL3) and survives whatever exception it raises, the second task of the
 * task-switch operation, and the snippets themselves.
 *
 * fz_exec(fn, regs) and fz_exec_user(fn, regs) load EAX..EBP from *regs,
 * call fn, store the registers and EFLAGS back and return 0. An exception
 * (or, from CPL3, the INT 0x80 that closes the user trampoline) goes to
 * fz_trap in C, which stores the registers from the trap frame, records the
 * vector and sends the IRET to fz_resume: that returns 1 from fz_exec.
 */
#include "guests/lib/desc.h"

#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

.macro fz_stub vec
fz_stub_\vec:
	.if HAS_ERROR_CODE(\vec) == 0
	push $0
	.endif
	push $\vec
	jmp fz_trap_common
.endm

	.text
	.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,64,128,255
	fz_stub \vec
	.endr

fz_trap_common:
	pusha
	cld
	mov $GUEST_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	push %esp		/* struct fz_frame * */
	call fz_trap
	add $4, %esp
	popa
	add $8, %esp
	iret

	.section .rodata
	.balign 4
	.globl fz_stub_table
fz_stub_table:
	.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,64,128,255
	.long \vec, fz_stub_\vec
	.endr
	.globl fz_stub_count
fz_stub_count:
	.long 35

	.text
/* Loads EAX..EBP from the struct fz_regs at fz_regs_ptr (EAX last). */
.macro load_regs
	mov fz_regs_ptr, %eax
	mov 4(%eax), %ebx
	mov 8(%eax), %ecx
	mov 12(%eax), %edx
	mov 16(%eax), %esi
	mov 20(%eax), %edi
	mov 24(%eax), %ebp
	mov 0(%eax), %eax
.endm

/* fz_exec*(fn, regs): save the callee-saved registers and ESP, keep fn and regs. */
.macro exec_enter
	push %ebp
	push %ebx
	push %esi
	push %edi
	mov %esp, fz_saved_esp
	mov 20(%esp), %eax
	mov %eax, fz_fn
	mov 24(%esp), %eax
	mov %eax, fz_regs_ptr
.endm

/* Back on the stack exec_enter saved, the caller's registers restored. */
.macro exec_leave
	mov fz_saved_esp, %esp
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
.endm

	.globl fz_exec
fz_exec:
	exec_enter
	load_regs
	call *fz_fn
	push %eax
	mov fz_regs_ptr, %eax
	mov %ebx, 4(%eax)
	mov %ecx, 8(%eax)
	mov %edx, 12(%eax)
	mov %esi, 16(%eax)
	mov %edi, 20(%eax)
	mov %ebp, 24(%eax)
	pop %ebx
	mov %ebx, 0(%eax)
	pushf
	pop 28(%eax)
	cld
	exec_leave
	xor %eax, %eax
	ret

	.globl fz_exec_user
fz_exec_user:
	exec_enter
	mov $GUEST_USER_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	push $GUEST_USER_DS
	push $fz_user_stack_top
	push $0x2		/* IF=0, IOPL=0 */
	push $GUEST_USER_CS
	push $fz_user_trampoline
	load_regs
	iret
fz_user_trampoline:
	call *fz_fn
	int $0x80

	/* The IRET from fz_trap lands here at CPL0, for a fault or the closing INT 0x80. */
	.globl fz_resume
fz_resume:
	mov $GUEST_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	exec_leave
	mov $1, %eax
	ret

	/* Task B of the task-switch operation: count, then jump back to task A. */
	.globl fz_task_b_entry
fz_task_b_entry:
	incl fz_task_b_runs
	ljmp $GUEST_TSS_A, $0
	jmp fz_task_b_entry

/* Snippets: each is one instruction (or a short fixed sequence) and RET. */
.macro snippet name, body:vararg
	.globl fz_i_\name
fz_i_\name:
	\body
	ret
.endm

snippet nop, nop
snippet cpuid, cpuid
snippet rdmsr, rdmsr
snippet wrmsr, wrmsr
snippet rdpmc, rdpmc
snippet rdtsc, rdtsc
snippet inb, inb %dx, %al
snippet inw, inw %dx, %ax
snippet inl, inl %dx, %eax
snippet outb, outb %al, %dx
snippet outw, outw %ax, %dx
snippet outl, outl %eax, %dx
snippet insb, rep insb
snippet insw, rep insw
snippet insl, rep insl
snippet outsb, rep outsb
snippet outsw, rep outsw
snippet outsl, rep outsl
snippet mov_cr0, mov %eax, %cr0
snippet mov_cr3, mov %eax, %cr3
snippet mov_cr4, mov %eax, %cr4
snippet read_cr0, mov %cr0, %eax
snippet read_cr3, mov %cr3, %eax
snippet read_cr4, mov %cr4, %eax
snippet clts, clts
snippet xsetbv, xsetbv
snippet xgetbv, xgetbv
snippet invd, invd
snippet wbinvd, wbinvd
snippet vmcall, vmcall
snippet vmxon, vmxon fz_vmx_region_ptr
snippet vmxoff, vmxoff
snippet vmclear, vmclear fz_vmx_region_ptr
snippet vmptrld, vmptrld fz_vmx_region_ptr
snippet vmptrst, vmptrst fz_vmx_region_ptr
snippet vmread, vmread %eax, %ebx
snippet vmwrite, vmwrite %ebx, %eax
snippet vmlaunch, vmlaunch
snippet vmresume, vmresume
snippet invept, invept fz_invept_desc, %eax
snippet invvpid, invvpid fz_invept_desc, %eax
snippet vmfunc, vmfunc
snippet hlt, hlt
snippet cli, cli
snippet lgdt, lgdt fz_membuf
snippet read32, mov (%esi), %eax
snippet write32, mov %eax, (%esi)
snippet ljmp_tss_b, ljmp $GUEST_TSS_B, $0
snippet ljmp_tss_a, ljmp $GUEST_TSS_A, $0
snippet ud2, ud2

/* Snippets of several instructions (a ';' would end a macro argument). */
.macro snippet3 name, a, b, c
	.globl fz_i_\name
fz_i_\name:
	\a
	\b
	\c
	ret
.endm

snippet3 insb_std, std, "rep insb", cld
snippet3 insw_std, std, "rep insw", cld
snippet3 insl_std, std, "rep insl", cld
snippet3 outsb_std, std, "rep outsb", cld
snippet3 outsw_std, std, "rep outsw", cld
snippet3 outsl_std, std, "rep outsl", cld
snippet3 sti_hlt_cli, sti, hlt, cli

/*
 * Single-step snippets: POPF sets TF, so the #DB trap follows the next
 * instruction; fz_step_end_NAME is where it must report.
 */
.macro step_snippet name, body:vararg
	.globl fz_s_\name
	.globl fz_step_end_\name
fz_s_\name:
	pushf
	orl $0x100, (%esp)
	popf
	\body
fz_step_end_\name:
	nop
	ret
.endm

step_snippet cpuid, cpuid
step_snippet rdmsr, rdmsr
step_snippet wrmsr, wrmsr
step_snippet inb, inb %dx, %al
step_snippet outb, outb %al, %dx
step_snippet nop, nop
step_snippet xsetbv, xsetbv
step_snippet wbinvd, wbinvd

	.bss
	.balign 4096
	.globl fz_membuf
fz_membuf:
	.skip 4096
	.balign 16
	.skip 4096
fz_user_stack_top:
	.balign 4
	.globl fz_regs_ptr, fz_task_b_runs
fz_saved_esp:
	.long 0
fz_fn:
	.long 0
fz_regs_ptr:
	.long 0
fz_task_b_runs:
	.long 0

	.data
	.balign 8
	.globl fz_vmx_region_ptr, fz_invept_desc
fz_vmx_region_ptr:
	.quad 0
fz_invept_desc:
	.quad 0, 0

	.section .note.GNU-stack, "", @progbits
