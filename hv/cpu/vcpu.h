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

/* Saved and restored by arch/x86/vmx_entry.S; keep the order in sync (checked below). */
struct guest_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

_Static_assert(offsetof(struct guest_regs, rax) == 0, "vmx_entry.S layout");
_Static_assert(offsetof(struct guest_regs, r15) == 14 * 8, "vmx_entry.S layout");

extern struct guest_regs guest_regs;

/* What a handler asks the exit loop to do with the exiting instruction. */
enum exit_action {
	EXIT_RESUME,	/* re-execute or continue where the guest is */
	EXIT_SKIP_INSN, /* the instruction was emulated: step over it */
};

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

/* hv/cpu/vmx_enable.c: check every feature the design needs, then VMXON. */
void vmx_enable(void);
u32 vmx_revision_id(void);
/* VMLAUNCH/VMRESUME failed (VMfail): report and end the run (exit_fatal.c). */
__attribute__((noreturn)) void vmx_entry_failed(int resumed);
/* The same on an application processor, quietly: returns VMX_OK or an error. */
int vmx_enter_root_ap(void);
/* hv/cpu/smp.c: keep the other processors in VMX root operation, where INIT is blocked. */
void smp_park_application_processors(const struct boot_info *boot);
/* Values the VMCS setup needs from the capability MSRs. */
struct vmx_controls {
	u32 pin, cpu, secondary, exit, entry;
};
void vmx_compute_controls(struct vmx_controls *out, bool want_preemption_timer);
/* Whether a VM-exit or VM-entry control may be set (its allowed-1 bit). */
bool vmx_exit_control_supported(u32 bit);
bool vmx_entry_control_supported(u32 bit);

/* hv/cpu/vcpu.c */
void vcpu_create(const struct guest_image *image, const struct guest_boot *boot);
__attribute__((noreturn)) void vcpu_run(void);
void vcpu_skip_instruction(void);
/* Ends the guest past its time limit, else arms the VMX-preemption timer for the rest. */
void vcpu_arm_time_limit(void);
void vcpu_inject_gp(void);
void vcpu_inject_ud(void);
u64 *vcpu_gpr(unsigned index); /* by the SDM's register numbering: 0 RAX, 1 RCX, ... */

/* hv/exit/vmexit.c: called by vmx_entry.S on every VM exit. */
void vmexit_handler(void);

/* hv/guest/end.c: the guest is over; report and end the run. */
__attribute__((noreturn)) void guest_end(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
