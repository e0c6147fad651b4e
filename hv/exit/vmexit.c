/*
 * VM-exit dispatch. Contract: a failed VM entry is decoded before the
 * table is consulted; every other exit goes to exactly one handler,
 * indexed by basic exit reason, which returns whether to step over the
 * exiting instruction. A reason without a handler is reported and ends
 * the guest: an unhandled exit never silently resumes or advances RIP.
 */
#include "hv/exit/stats.h"
#include "hv/exit/cpuid.h"
#include "hv/exit/cr.h"
#include "hv/exit/fatal.h"
#include "hv/exit/io.h"
#include "hv/exit/misc.h"
#include "hv/exit/msr.h"
#include "hv/exit/vmcall.h"
#include "hv/cpu/vcpu.h"
#include "arch/x86/vmx_entry.h"
#include "hv/log.h"
#include "hv/pmu/pmu.h"
#include "hv/status.h"
#include "hv/guest/end.h"
#include "arch/x86/cr.h"
#include "arch/x86/vmx.h"

static const exit_handler_fn exit_handlers[EXIT_REASON_MAX] = {
	[EXIT_REASON_TRIPLE_FAULT] = handle_triple_fault,
	[EXIT_REASON_INIT_SIGNAL] = handle_init_signal,
	[EXIT_REASON_SIPI_SIGNAL] = handle_sipi,
	[EXIT_REASON_CPUID] = handle_cpuid,
	[EXIT_REASON_GETSEC] = handle_vmx_instruction,
	[EXIT_REASON_HLT] = handle_hlt,
	[EXIT_REASON_INVD] = handle_invd,
	[EXIT_REASON_RDPMC] = handle_rdpmc,
	[EXIT_REASON_VMCALL] = handle_vmcall,
	[EXIT_REASON_VMCLEAR] = handle_vmx_instruction,
	[EXIT_REASON_VMLAUNCH] = handle_vmx_instruction,
	[EXIT_REASON_VMPTRLD] = handle_vmx_instruction,
	[EXIT_REASON_VMPTRST] = handle_vmx_instruction,
	[EXIT_REASON_VMREAD] = handle_vmx_instruction,
	[EXIT_REASON_VMRESUME] = handle_vmx_instruction,
	[EXIT_REASON_VMWRITE] = handle_vmx_instruction,
	[EXIT_REASON_VMOFF] = handle_vmx_instruction,
	[EXIT_REASON_VMON] = handle_vmx_instruction,
	[EXIT_REASON_INVEPT] = handle_vmx_instruction,
	[EXIT_REASON_INVVPID] = handle_vmx_instruction,
	[EXIT_REASON_CR_ACCESS] = handle_cr_access,
	[EXIT_REASON_IO_INSTRUCTION] = handle_io,
	[EXIT_REASON_MSR_READ] = handle_rdmsr,
	[EXIT_REASON_MSR_WRITE] = handle_wrmsr,
	[EXIT_REASON_EPT_VIOLATION] = handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG] = handle_ept_misconfig,
	[EXIT_REASON_PREEMPTION_TIMER] = handle_preemption_timer,
	[EXIT_REASON_XSETBV] = handle_xsetbv,
};

/* An exit without a handler is the hypervisor's gap, not the guest's fault. */
static void unexpected_exit(u32 reason)
{
	print_guest_state();
	print_exit_fields();
	guest_end(HV_STATUS_HV_FAULT,
		  "unexpected VM exit %u (%s): qualification 0x%llx, guest RIP 0x%llx", reason,
		  exit_reason_name(reason), (unsigned long long)vcpu_exit_qualification(),
		  (unsigned long long)vmread(GUEST_RIP));
}

/*
 * The exit path reads only the exit reason from the VMCS; handlers read
 * the qualification and the instruction length where they need them, and
 * the statistics beyond the count per reason cost nothing unless asked
 * for (hv/exit/stats.h).
 */
void vmexit_handler(void)
{
	u64 start = exit_stats_clock();
	u32 reason = (u32)vmread(VM_EXIT_REASON);
	u32 basic = EXIT_REASON_BASIC(reason);
	exit_handler_fn handler = NULL;

	vcpu.exit_reason = reason;
	if (reason & EXIT_REASON_FAILED_VMENTRY)
		vmentry_failure(reason);
	vcpu.exits_total++;
	if (basic < EXIT_REASON_MAX) {
		vcpu.exit_counts[basic]++;
		handler = exit_handlers[basic];
	}
	if (vcpu.pmu_on_exits) {
		pmu_sync_global_ctrl_field();
		pmu_vmexit(basic);
	}
	if (!handler)
		unexpected_exit(basic);
	if (handler() == EXIT_SKIP_INSN)
		vcpu_skip_instruction();
	vcpu_arm_time_limit();
	if (vcpu.pmu_on_exits)
		pmu_vmentry(basic);
	if (exit_stats_level != STATS_OFF)
		exit_stats_record(basic, start);
}
