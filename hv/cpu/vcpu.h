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
	u64 test_port_writes;
	u64 dropped_init_sipi;
	/* guest time limit, VMX-preemption timer */
	u64 deadline_tsc;
	u32 preemption_timer_rate;
};

extern struct vcpu vcpu;

/*
 * A VMCS for the guest, made current: the controls beyond the intercepts,
 * the host state and the guest's state at the kernel's entry. The
 * intercepts and the guest's TSC are the exit path's (hv/exit/intercepts.h,
 * hv/exit/tsc.h): the run's guest setup adds them to this VMCS.
 */
void vcpu_create(const struct guest_image *image, const struct guest_boot *boot);
struct vmx_controls;
/* The VM-execution, VM-exit and VM-entry controls, and the fields they bring into use. */
void vcpu_write_exec_controls(const struct vmx_controls *c);
/* The CR0 bits VMX operation needs set in the real register (CR0.NE). */
u64 vcpu_cr0_forced_bits(void);
/* The CR0 bits the guest changes only through an exit (hv/exit/cr.c): those and CD, NW. */
u64 vcpu_cr0_owned_bits(void);
/* Every exit of the run: the sum of exit_counts, which is all the exit path counts. */
u64 vcpu_exits_total(void);
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
 * What stepping over an instruction owes the guest beyond RIP, rare enough
 * to be out of line (hv/cpu/vcpu.c): the end of an STI or MOV SS shadow,
 * and under EFLAGS.TF the single-step trap.
 */
__attribute__((cold)) void vcpu_skip_side_effects(u64 interruptibility, u64 rflags);

/*
 * Step over the instruction that exited. The instruction length is valid
 * for every exit a handler skips: all are caused by an instruction (SDM
 * Vol. 3C, "VM-Exit Instruction-Information Field" and "VM-Exit
 * Instruction Length"). Inline: it is on the path of most exits, where it
 * is four VMREADs, one VMWRITE and a test each for the shadow and TF.
 */
static inline void vcpu_skip_instruction(void)
{
	u64 rip = vmread(GUEST_RIP) + vmread(VM_EXIT_INSTRUCTION_LEN);
	u64 intr = vmread(GUEST_INTERRUPTIBILITY_INFO);
	u64 rflags = vmread(GUEST_RFLAGS);

	vmwrite(GUEST_RIP, rip);
	if (__builtin_expect((intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)) != 0, 0))
		vcpu_skip_side_effects(intr, rflags);
	else if (__builtin_expect((rflags & X86_EFLAGS_TF) != 0, 0))
		vcpu_skip_side_effects(intr, rflags);
}

#endif
