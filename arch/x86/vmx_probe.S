/*
 * One VM round trip for measurement: VMRESUME (or VMLAUNCH) into a guest
 * that exits at once, back here through HOST_RIP = vmx_probe_exit. Returns
 * the TSC ticks from just before the VM entry to just after the VM exit,
 * or ~0 if the VM entry failed (VMfail).
 *
 *   u64 vmx_probe_roundtrip(int launch);
 */
#define HOST_RSP 0x6c14
#define HOST_RIP 0x6c16

	.text
	.code64
	.global vmx_probe_roundtrip
vmx_probe_roundtrip:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %edi, %r13d
	mov $HOST_RSP, %rax
	vmwrite %rsp, %rax
	lea vmx_probe_exit(%rip), %rdx
	mov $HOST_RIP, %rax
	vmwrite %rdx, %rax
	lfence
	rdtsc
	shl $32, %rdx
	or %rax, %rdx
	mov %rdx, %r12
	test %r13d, %r13d
	jz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	mov $-1, %rax                   /* VMfail: no VM entry happened */
	jmp 3f
vmx_probe_exit:
	rdtsc
	lfence
	shl $32, %rdx
	or %rdx, %rax
	sub %r12, %rax
3:	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret
