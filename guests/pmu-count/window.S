/*
 * pmu-count's measured windows, written in assembly so that what they
 * retire is known to the instruction (pmu-count.h names the counts), and
 * the handlers of its own IDT.
 *
 * A window writes the caller's value to one MSR (GLOBAL_CTRL, an EVTSEL or
 * FIXED_CTR_CTRL), which starts counting, runs known instructions (in
 * pc_window and pc_user_window a loop of N iterations of DEC and JNZ), and
 * writes 0 to the same MSR, which stops it. Each WRMSR has an exception
 * fixup that resumes after it, so that a PMU without the MSR (or a value
 * it refuses) costs a failed check, not the run.
 */
#include "guests/lib/desc.h"
#include "guests/pmu-count/pmu-count.h"

#define EFLAGS_FIXED 0x2 /* bit 1 reads 1; IF, IOPL and the rest 0 */

/* {fault, resume} in the runtime's fixup table (guests/lib/cpu.h). */
.macro extable fault, resume
	.pushsection guest_extable, "a"
	.balign 4
	.long \fault, \resume
	.popsection
.endm

	.text
/* void pc_window(u32 msr, u32 on_lo, u32 on_hi, u32 iterations): at CPL 0. */
	.globl pc_window
pc_window:
	push %ebx
	mov 8(%esp), %ecx
	mov 12(%esp), %eax
	mov 16(%esp), %edx
	mov 20(%esp), %ebx
1:	wrmsr				/* counted: the counter is enabled when it retires */
	.globl pc_window_loop
pc_window_loop:
	dec %ebx
	.globl pc_window_jnz
pc_window_jnz:
	jnz pc_window_loop
	.globl pc_window_tail
pc_window_tail:
	xor %eax, %eax
	.globl pc_window_tail_edx
pc_window_tail_edx:
	xor %edx, %edx
	.globl pc_window_stop
pc_window_stop:
	wrmsr				/* not counted: the counter is disabled when it retires */
2:	pop %ebx
	ret
	extable 1b, pc_window_loop
	extable pc_window_stop, 2b

/*
 * void pc_user_window(u32 msr, u32 on_lo, u32 on_hi, u32 iterations): the
 * WRMSR at CPL 0, an IRET to the loop at CPL 3 and INT 0x80 back to
 * pc_ring3_exit, which stops counting and returns to our caller. DS and ES
 * hold the flat ring-3 data segment meanwhile: the IRET to CPL 3 keeps
 * them, and pc_ring3_exit can read memory with them before it reloads.
 */
	.globl pc_user_window
pc_user_window:
	push %ebp
	push %ebx
	push %esi
	push %edi
	mov %esp, pc_ring0_esp
	mov 20(%esp), %ecx
	mov %ecx, pc_stop_msr
	mov 24(%esp), %esi
	mov 28(%esp), %edi
	mov 32(%esp), %ebx
	mov $GUEST_USER_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	push $GUEST_USER_DS
	push $pc_user_stack_top
	push $EFLAGS_FIXED
	push $GUEST_USER_CS
	push $pc_user_loop
	mov %esi, %eax
	mov %edi, %edx
1:	wrmsr				/* counted at CPL 0 */
2:	iret				/* counted at CPL 3, where it leaves the CPU */
pc_user_loop:
	dec %ebx
	jnz pc_user_loop
	int $PC_VECTOR_RING3_EXIT	/* counted at CPL 0 */
	extable 1b, 2b

/*
 * void pc_user_rdpmc(u32 index): RDPMC at CPL 3. pc_user_ok says whether it
 * completed (a #GP resumes at the INT through the fixup table, the
 * runtime's handler serving CPL 3 as well), pc_user_value what it read.
 * The way back stops counting by writing GLOBAL_CTRL: the counters are
 * stopped already, as they must be for a value to compare.
 */
	.globl pc_user_rdpmc
pc_user_rdpmc:
	push %ebp
	push %ebx
	push %esi
	push %edi
	mov %esp, pc_ring0_esp
	movl $MSR_CORE_PERF_GLOBAL_CTRL, pc_stop_msr
	movl $0, pc_user_ok
	mov 20(%esp), %ecx
	mov $GUEST_USER_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	push $GUEST_USER_DS
	push $pc_user_stack_top
	push $EFLAGS_FIXED
	push $GUEST_USER_CS
	push $1f
	iret
1:	rdpmc
	movl $1, pc_user_ok
	mov %eax, pc_user_value
	mov %edx, pc_user_value + 4
2:	int $PC_VECTOR_RING3_EXIT
	extable 1b, 2b

/*
 * INT 0x80 from CPL 3 (a DPL-3 gate): stop counting (three instructions,
 * counted at CPL 0), then back on the caller's stack with the ring-0 data
 * segments, returning from pc_user_window or pc_user_rdpmc.
 */
	.globl pc_ring3_exit
pc_ring3_exit:
	mov pc_stop_msr, %ecx
	xor %eax, %eax
	xor %edx, %edx
1:	wrmsr				/* not counted */
2:	mov $GUEST_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %fs
	mov %eax, %gs
	mov pc_ring0_esp, %esp
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
	ret
	extable 1b, 2b

/*
 * void pc_rep_window(u32 msr, u32 on_lo, u32 on_hi, u32 count, void *buffer):
 * REP STOSB of count bytes, which retires once whatever the count, between
 * the starting and stopping WRMSRs: 7 counted instructions, no branch.
 */
	.globl pc_rep_window
pc_rep_window:
	push %edi
	push %esi
	push %ebx
	mov 16(%esp), %ecx
	mov 20(%esp), %eax
	mov 24(%esp), %edx
	mov 28(%esp), %ebx
	mov 32(%esp), %edi
1:	wrmsr				/* 1 */
2:	mov %ecx, %esi			/* 2 */
	mov %ebx, %ecx			/* 3 */
	xor %eax, %eax			/* 4 */
	.globl pc_rep_window_stosb
pc_rep_window_stosb:
	rep stosb			/* 5 */
	mov %esi, %ecx			/* 6 */
	xor %edx, %edx			/* 7 */
3:	wrmsr
4:	pop %ebx
	pop %esi
	pop %edi
	ret
	extable 1b, 2b
	extable 3b, 4b

/*
 * void pc_exit_window(u32 msr, u32 on_lo, u32 on_hi, u32 iterations): a
 * window whose loop executes CPUID, which a hypervisor intercepts: each one
 * is a VM exit. The starting WRMSR, N times XOR, XOR, CPUID, DEC, JNZ, and
 * the MOV and two XORs before the stopping WRMSR: 5N + 4 instructions, N
 * branches. Under a hypervisor the CPUID does not retire in the guest and
 * the VM-entry instruction that resumes it does, with the guest's counters
 * enabled (docs/bochs-pmu.md): the count is the native one unless the
 * hypervisor's own instructions leak into it.
 */
	.globl pc_exit_window
pc_exit_window:
	push %ebx
	push %esi
	push %edi
	mov 16(%esp), %edi
	mov 20(%esp), %eax
	mov 24(%esp), %edx
	mov 28(%esp), %esi
	mov %edi, %ecx
	wrmsr				/* counted */
1:	xor %eax, %eax
	xor %ecx, %ecx
	cpuid
	.globl pc_exit_window_dec
pc_exit_window_dec:
	dec %esi
	jnz 1b
	mov %edi, %ecx
	xor %eax, %eax
	xor %edx, %edx
	wrmsr				/* not counted */
	pop %edi
	pop %esi
	pop %ebx
	ret

/*
 * void pc_fault_window(u32 msr, u32 on_lo, u32 on_hi): a UD2, which faults
 * and so does not retire, and pc_ud_skip, the #UD handler the caller puts
 * in the IDT for it: 5 counted instructions, 1 branch (the IRET).
 */
	.globl pc_fault_window
pc_fault_window:
	push %ebx
	mov 8(%esp), %ecx
	mov 12(%esp), %eax
	mov 16(%esp), %edx
1:	wrmsr				/* 1 */
2:	ud2				/* not counted: it faults */
	xor %eax, %eax			/* 4 */
	xor %edx, %edx			/* 5 */
3:	wrmsr
4:	pop %ebx
	ret
	extable 1b, 2b
	extable 3b, 4b

	.globl pc_ud_skip
pc_ud_skip:
	addl $2, (%esp)			/* 2: resume after the UD2 */
	iret				/* 3, a branch */

/*
 * void pc_branch_window(u32 msr, u32 on_lo, u32 on_hi): one of each kind
 * of branch docs/bochs-pmu.md lists that ring 0 can run without a gate:
 * 26 counted instructions, 14 of them branches (numbered Bn).
 */
	.globl pc_branch_window
pc_branch_window:
	push %ebx
	push %esi
	mov 12(%esp), %ecx
	mov 16(%esp), %eax
	mov 20(%esp), %edx
1:	wrmsr				/*  1 */
2:	mov %ecx, %esi			/*  2 */
	call pc_bw_near			/*  3 B1: CALL rel32; 4 B2: its RET */
	jmp 3f				/*  5 B3: JMP rel8 */
	ud2
3:	mov $3, %ecx			/*  6 */
4:	loop 4b				/*  7-9 B4-B6: LOOP, taken twice, then not */
	jecxz 5f			/* 10 B7: JECXZ, taken */
	ud2
5:	test %ecx, %ecx			/* 11 */
	jnz 10f				/* 12 B8: Jcc, not taken */
	mov $pc_bw_near_imm, %ebx	/* 13 */
	call *%ebx			/* 14 B9: CALL indirect; 15 B10: its RET imm16 */
	mov $6f, %ebx			/* 16 */
	jmp *%ebx			/* 17 B11: JMP indirect */
	ud2
6:	lcall $GUEST_CS, $pc_bw_far	/* 18 B12: CALL far; 19 B13: its LRET */
	pushf				/* 20 */
	push $GUEST_CS			/* 21 */
	push $7f			/* 22 */
	iret				/* 23 B14: IRET to the same privilege level */
7:	mov %esi, %ecx			/* 24 */
	xor %eax, %eax			/* 25 */
	xor %edx, %edx			/* 26 */
8:	wrmsr
9:	pop %esi
	pop %ebx
	ret
	extable 1b, 2b
	extable 8b, 9b
10:	ud2				/* never: a taken JNZ would end here, not loop */
pc_bw_near:
	ret
pc_bw_near_imm:
	ret $0
pc_bw_far:
	lret

/*
 * The PMI handlers, fixed delivery (with an EOI) and NMI delivery (none:
 * an NMI takes no ISR bit). Each records where the interrupt came (the
 * interrupted EIP, and EBX, a window's loop counter) and the counter that
 * overflowed, read with RDPMC after PMI_HANDLER_INSNS_BEFORE_RDPMC of its
 * instructions, and leaves the LVT entry as delivery left it: masked.
 * Their instruction counts are in pmu-count.h; keep them in step.
 */
.macro pmi_handler name, count, eoi
	.globl \name
\name:
	push %eax
	push %ecx
	push %edx
	mov pc_pmi_rdpmc_index, %ecx
1:	rdpmc
2:	mov %eax, pc_pmi_counter
	mov %edx, pc_pmi_counter + 4
	mov 12(%esp), %eax		/* the interrupted EIP, above the three pushes */
	mov %eax, pc_pmi_eip
	mov %ebx, pc_pmi_ebx
	incl \count
	.if \eoi
	movl $0, APIC_DEFAULT_PHYS_BASE + APIC_EOI
	.endif
	pop %edx
	pop %ecx
	pop %eax
	iret
	extable 1b, 2b
.endm

	pmi_handler pc_pmi_stub, pc_pmi_count, 1
	pmi_handler pc_nmi_stub, pc_nmi_count, 0

/* The APIC's spurious vector: no EOI (SDM Vol. 3A, "Spurious Interrupt"). */
	.globl pc_spurious_stub
pc_spurious_stub:
	incl pc_spurious_count
	iret

	.bss
	.balign 16
	.skip 4096
pc_user_stack_top:		/* the ring-3 code pushes nothing; an address that is ours */
	.balign 8
	.globl pc_user_value, pc_pmi_counter
pc_user_value:
	.quad 0
pc_pmi_counter:
	.quad 0
	.balign 4
	.globl pc_user_ok, pc_pmi_rdpmc_index, pc_pmi_eip, pc_pmi_ebx
	.globl pc_pmi_count, pc_nmi_count, pc_spurious_count
pc_ring0_esp:
	.long 0
pc_stop_msr:
	.long 0
pc_user_ok:
	.long 0
pc_pmi_rdpmc_index:
	.long 0
pc_pmi_eip:
	.long 0
pc_pmi_ebx:
	.long 0
pc_pmi_count:
	.long 0
pc_nmi_count:
	.long 0
pc_spurious_count:
	.long 0

	.section .note.GNU-stack, "", @progbits
