/*
 * The one virtual CPU: its VMCS and the structures the VMCS points to,
 * the guest registers the VMCS does not hold, and per-exit bookkeeping.
 */
#ifndef HV_CPU_VCPU_H
#define HV_CPU_VCPU_H

#include "hv/guest/boot_info.h"
#include "hv/guest/memory.h"
#include "arch/x86/cr.h"
#include "arch/x86/ept.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_entry.h"

struct vcpu {
	struct guest_regs *regs;
	u64 vmcs_phys;
	u8 *msr_bitmap, *io_bitmap_a, *io_bitmap_b;
	struct ept ept;
	struct guest_memory mem;
	/* the exit being handled */
	u32 exit_reason;
	/* the end asked for by guest_stop() (hv/exit/vmexit.h), for the exit dispatcher */
	bool end_requested;
	int end_status;
	char end_reason[200];
	/* statistics */
	u64 exit_counts[EXIT_REASON_MAX];
	u64 exits_total;
	u64 test_port_writes;
	u64 dropped_init_sipi;
	/* guest time limit, VMX-preemption timer */
	u64 deadline_tsc;
	u32 preemption_timer_rate;
};

extern struct vcpu vcpu;

void vcpu_create(const struct guest_image *image, const struct guest_boot *boot);
struct vmx_controls;
/* The VM-execution, VM-exit and VM-entry controls, and the fields they bring into use. */
void vcpu_write_exec_controls(const struct vmx_controls *c);
__attribute__((noreturn)) void vcpu_run(void);
/*
 * With a time limit, before the first entry and on every exit: arms the
 * VMX-preemption timer and returns true, or past the limit asks for the
 * end of the guest (guest_stop()) and returns false.
 */
bool vcpu_check_time_limit(void);
void vcpu_inject_gp(void);
void vcpu_inject_ud(void);
void vcpu_inject_page_fault(u64 linear, u32 error);
unsigned vcpu_cpl(void);
u64 *vcpu_gpr(unsigned index); /* by the SDM's register numbering: 0 RAX, 1 RCX, ... */

/* Read where a handler needs it, not on every exit. */
static inline u64 vcpu_exit_qualification(void)
{
	return vmread(EXIT_QUALIFICATION);
}

/*
 * An emulated instruction under EFLAGS.TF owes the guest the single-step
 * trap the real one would have raised (unless DEBUGCTL.BTF limits it to
 * branches): VM entry delivers it from the pending debug exceptions, as
 * KVM's kvm_skip_emulated_instruction() arranges.
 */
static inline void vcpu_single_step_trap(void)
{
	if (!(vmread(GUEST_IA32_DEBUGCTL) & DEBUGCTLMSR_BTF))
		vmwrite(GUEST_PENDING_DBG_EXCEPTIONS,
			vmread(GUEST_PENDING_DBG_EXCEPTIONS) | PENDING_DBG_BS);
}

/*
 * Step over the instruction that exited. The instruction length is valid
 * for every exit a handler skips: all are caused by an instruction (SDM
 * Vol. 3C, "VM-Exit Instruction-Information Field" and "VM-Exit
 * Instruction Length"). Inline: it is on the path of most exits.
 */
static inline void vcpu_skip_instruction(void)
{
	u64 len = vmread(VM_EXIT_INSTRUCTION_LEN);
	u64 intr = vmread(GUEST_INTERRUPTIBILITY_INFO);

	vmwrite(GUEST_RIP, vmread(GUEST_RIP) + len);
	/* Emulating the instruction ends any STI or MOV SS shadow it was in. */
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmwrite(GUEST_INTERRUPTIBILITY_INFO,
			intr & ~(u64)(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
	if (vmread(GUEST_RFLAGS) & X86_EFLAGS_TF)
		vcpu_single_step_trap();
}

#endif
