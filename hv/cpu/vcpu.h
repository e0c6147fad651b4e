/*
 * The one virtual CPU: its VMCS and the structures the VMCS points to,
 * the guest registers the VMCS does not hold, and per-exit bookkeeping.
 */
#ifndef HV_CPU_VCPU_H
#define HV_CPU_VCPU_H

#include "hv/guest/boot_info.h"
#include "hv/guest/memory.h"
#include "arch/x86/ept.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_entry.h"

struct vcpu {
	struct guest_regs *regs;
	u64 vmcs_phys;
	u8 *msr_bitmap, *io_bitmap_a, *io_bitmap_b;
	struct ept ept;
	struct guest_memory mem;
	/* the exit being handled */
	u32 exit_reason;
	u64 exit_qualification;
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
__attribute__((noreturn)) void vcpu_run(void);
void vcpu_skip_instruction(void);
/* Ends the guest past its time limit, else arms the VMX-preemption timer for the rest. */
void vcpu_arm_time_limit(void);
void vcpu_inject_gp(void);
void vcpu_inject_ud(void);
u64 *vcpu_gpr(unsigned index); /* by the SDM's register numbering: 0 RAX, 1 RCX, ... */

#endif
