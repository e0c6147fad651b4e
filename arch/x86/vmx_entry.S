/*
 * Entering and leaving the guest. vmx_launch_guest loads the guest's
 * general registers from guest_regs and executes VMLAUNCH; every VM exit
 * lands at vmx_exit_entry (the VMCS HOST_RIP) on the exit stack (HOST_RSP),
 * saves the guest's registers, calls vmexit_handler and resumes.
 * RSP and RIP are in the VMCS; everything else here.
 */
	.text
	.code64

.macro load_guest_regs
	mov guest_regs + 8*1(%rip), %rbx
	mov guest_regs + 8*2(%rip), %rcx
	mov guest_regs + 8*3(%rip), %rdx
	mov guest_regs + 8*4(%rip), %rsi
	mov guest_regs + 8*5(%rip), %rdi
	mov guest_regs + 8*6(%rip), %rbp
	mov guest_regs + 8*7(%rip), %r8
	mov guest_regs + 8*8(%rip), %r9
	mov guest_regs + 8*9(%rip), %r10
	mov guest_regs + 8*10(%rip), %r11
	mov guest_regs + 8*11(%rip), %r12
	mov guest_regs + 8*12(%rip), %r13
	mov guest_regs + 8*13(%rip), %r14
	mov guest_regs + 8*14(%rip), %r15
	mov guest_regs + 8*0(%rip), %rax
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
	mov %rax, guest_regs + 8*0(%rip)
	mov %rbx, guest_regs + 8*1(%rip)
	mov %rcx, guest_regs + 8*2(%rip)
	mov %rdx, guest_regs + 8*3(%rip)
	mov %rsi, guest_regs + 8*4(%rip)
	mov %rdi, guest_regs + 8*5(%rip)
	mov %rbp, guest_regs + 8*6(%rip)
	mov %r8, guest_regs + 8*7(%rip)
	mov %r9, guest_regs + 8*8(%rip)
	mov %r10, guest_regs + 8*9(%rip)
	mov %r11, guest_regs + 8*10(%rip)
	mov %r12, guest_regs + 8*11(%rip)
	mov %r13, guest_regs + 8*12(%rip)
	mov %r14, guest_regs + 8*13(%rip)
	mov %r15, guest_regs + 8*14(%rip)
	xor %ebp, %ebp
	call vmexit_handler
	load_guest_regs
	vmresume
	mov $1, %edi
	call vmx_entry_failed
