/*
 * Entering and leaving the guest. vmx_launch_guest loads the guest's
 * general registers from guest_regs and executes VMLAUNCH; every VM exit
 * lands at vmx_exit_entry (the VMCS HOST_RIP) on the exit stack (HOST_RSP),
 * saves the guest's registers, calls *vmexit_handler and resumes.
 * RSP and RIP are in the VMCS; everything else here. The offsets into
 * struct guest_regs (arch/x86/vmx_entry.h) are generated from C.
 */
#include "generated/asm-offsets.h"

	.text
	.code64

.macro load_guest_regs
	mov guest_regs + GUEST_REGS_RBX(%rip), %rbx
	mov guest_regs + GUEST_REGS_RCX(%rip), %rcx
	mov guest_regs + GUEST_REGS_RDX(%rip), %rdx
	mov guest_regs + GUEST_REGS_RSI(%rip), %rsi
	mov guest_regs + GUEST_REGS_RDI(%rip), %rdi
	mov guest_regs + GUEST_REGS_RBP(%rip), %rbp
	mov guest_regs + GUEST_REGS_R8(%rip), %r8
	mov guest_regs + GUEST_REGS_R9(%rip), %r9
	mov guest_regs + GUEST_REGS_R10(%rip), %r10
	mov guest_regs + GUEST_REGS_R11(%rip), %r11
	mov guest_regs + GUEST_REGS_R12(%rip), %r12
	mov guest_regs + GUEST_REGS_R13(%rip), %r13
	mov guest_regs + GUEST_REGS_R14(%rip), %r14
	mov guest_regs + GUEST_REGS_R15(%rip), %r15
	mov guest_regs + GUEST_REGS_RAX(%rip), %rax
.endm

	.global vmx_launch_guest
vmx_launch_guest:
	load_guest_regs
	vmlaunch
	/* Only reached when VMLAUNCH fails (VMfailInvalid or VMfailValid). */
	xor %edi, %edi
	call vmx_entry_failed

	.global vmx_exit_entry
vmx_exit_entry:
	mov %rax, guest_regs + GUEST_REGS_RAX(%rip)
	mov %rbx, guest_regs + GUEST_REGS_RBX(%rip)
	mov %rcx, guest_regs + GUEST_REGS_RCX(%rip)
	mov %rdx, guest_regs + GUEST_REGS_RDX(%rip)
	mov %rsi, guest_regs + GUEST_REGS_RSI(%rip)
	mov %rdi, guest_regs + GUEST_REGS_RDI(%rip)
	mov %rbp, guest_regs + GUEST_REGS_RBP(%rip)
	mov %r8, guest_regs + GUEST_REGS_R8(%rip)
	mov %r9, guest_regs + GUEST_REGS_R9(%rip)
	mov %r10, guest_regs + GUEST_REGS_R10(%rip)
	mov %r11, guest_regs + GUEST_REGS_R11(%rip)
	mov %r12, guest_regs + GUEST_REGS_R12(%rip)
	mov %r13, guest_regs + GUEST_REGS_R13(%rip)
	mov %r14, guest_regs + GUEST_REGS_R14(%rip)
	mov %r15, guest_regs + GUEST_REGS_R15(%rip)
	xor %ebp, %ebp
	call *vmexit_handler(%rip)
	load_guest_regs
	vmresume
	mov $1, %edi
	call vmx_entry_failed
