/*
 * VM-exit dispatch. Contract: a failed VM entry is decoded before the
 * table is consulted; every other exit goes to exactly one handler,
 * indexed by basic exit reason, which returns whether to step over the
 * exiting instruction or to end the guest. A reason without a handler is
 * reported and ends the guest: an unhandled exit never silently resumes
 * or advances RIP. The guest ends here and nowhere else on the exit path:
 * a handler (or the time limit) only asks, with guest_stop().
 *
 * The lean path, the one every exit takes in a run without extras (no
 * time limit, no statistics beyond the count per reason), in
 * order; arch/x86/vmx_entry.S around it saves and restores the guest's
 * registers:
 *   nmi_after_exit()          one store: NMIs are only counted from here on
 *   VMREAD of the exit reason one compare with extras.lean_below sends a
 *                             run with extras and an unusual reason (a
 *                             failed VM entry, a flag bit, a reason past
 *                             the table) to vmexit_full()
 *   exit_counts[reason]++     the count per reason, at every stats= level
 *   pmu_lean_exit()           the strategy's switch to the host: inlined
 *                             (switch), its save() called directly, or
 *                             nothing (hv/pmu/lean.h)
 *   exit_handlers[reason]()   every slot holds a handler: no NULL test
 *   vcpu_skip_instruction()   the RIP advance, the STI/MOV SS shadow and TF
 *                             (hv/cpu/vcpu.h)
 *   pmu_lean_entry()          the switch back to the guest, likewise
 *   nmi_before_entry()        one test of nmi_pending (hv/exit/nmi.h)
 * It is compiled once per enum pmu_lean; vmexit_prepare() points
 * vmexit_handler, which vmx_entry.S calls, at the run's copy.
 * vmexit_full() runs the same handle_exit() with the extras around the
 * handler.
 */
#include "hv/exit/stats.h"
#include "hv/exit/cpuid.h"
#include "hv/exit/cr.h"
#include "hv/exit/ept.h"
#include "hv/exit/fatal.h"
#include "hv/exit/io.h"
#include "hv/exit/misc.h"
#include "hv/exit/msr.h"
#include "hv/exit/nmi.h"
#include "hv/exit/rdpmc.h"
#include "hv/exit/task.h"
#include "hv/exit/vmcall.h"
#include "hv/cpu/vcpu.h"
#include "arch/x86/vmx_entry.h"
#include "hv/base/log.h"
#include "hv/base/options.h"
#include "hv/pmu/pmu.h"
#include "hv/pmu/lean.h"
#include "hv/base/status.h"
#include "arch/x86/cr.h"
#include "arch/x86/vmx.h"
#include "lib/printf.h"
#include <stdarg.h>

static enum exit_action unexpected_exit(void);

/*
 * Every slot holds a handler: the ones below, unexpected_exit() in the
 * rest. The range initializer fills them all first and the named ones
 * override it, which is what -Woverride-init would warn about.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static const exit_handler_fn exit_handlers[EXIT_REASON_MAX] = {
	[0 ... EXIT_REASON_MAX - 1] = unexpected_exit,
	[EXIT_REASON_EXCEPTION_NMI] = handle_exception_nmi,
	[EXIT_REASON_TRIPLE_FAULT] = handle_triple_fault,
	[EXIT_REASON_INIT_SIGNAL] = handle_init_signal,
	[EXIT_REASON_SIPI_SIGNAL] = handle_sipi,
	[EXIT_REASON_NMI_WINDOW] = handle_nmi_window,
	[EXIT_REASON_TASK_SWITCH] = handle_task_switch,
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
#pragma GCC diagnostic pop

enum exit_action guest_stop(int status, const char *fmt, ...)
{
	va_list ap;

	if (vcpu.end_requested)
		return EXIT_END;
	vcpu.end_requested = true;
	vcpu.end_status = status;
	va_start(ap, fmt);
	vformat_to_buffer(vcpu.end_reason, sizeof(vcpu.end_reason), fmt, ap);
	va_end(ap);
	return EXIT_END;
}

bool guest_stop_requested(void)
{
	return vcpu.end_requested;
}

/* The one place the exit path ends the guest, for the reason guest_stop() recorded. */
static __attribute__((noinline, cold, noreturn)) void end_guest(void)
{
	vcpu.end_requested = false;
	guest_end(vcpu.end_status, "%s", vcpu.end_reason);
}

/* An exit without a handler is the hypervisor's gap, not the guest's fault. */
static __attribute__((noinline, cold)) enum exit_action unexpected_exit(void)
{
	u32 reason = EXIT_REASON_BASIC(vcpu.exit_reason);

	print_guest_state();
	print_exit_fields();
	return guest_stop(HV_STATUS_HV_FAULT,
			  "unexpected VM exit %u (%s): qualification 0x%llx, guest RIP 0x%llx",
			  reason, exit_reason_name(reason),
			  (unsigned long long)vcpu_exit_qualification(),
			  (unsigned long long)vmread(GUEST_RIP));
}

bool vmexit_check_time_limit(void)
{
	u64 now = rdtsc(), left;

	if (now >= vcpu.deadline_tsc) {
		guest_stop(HV_STATUS_GUEST_CRASHED, "time limit of %llu TSC ticks reached",
			   (unsigned long long)hv_opts.guest_limit);
		return false;
	}
	left = (vcpu.deadline_tsc - now) >> vcpu.preemption_timer_rate;
	vmwrite(VMX_PREEMPTION_TIMER_VALUE, MAX(1, MIN(left, 0xffffffffULL)));
	return true;
}

/* Past the time limit the guest ends; before it, the VMX-preemption timer is armed. */
static void check_time_limit(void)
{
	if (!vmexit_check_time_limit())
		end_guest();
}

/* What the run does on every exit besides the handler; decided once per run. */
static struct {
	/*
	 * Exit reasons below it take the lean path straight to their handler:
	 * EXIT_REASON_MAX without extras, 0 with any (and before the first
	 * vmexit_prepare()). One compare sends both the extras and an unusual
	 * reason off it.
	 */
	u64 lean_below;
	bool any;      /* one of the below */
	bool pmu;      /* pmu_vmexit() and pmu_vmentry() (pmu_acts_on_exits(), no PMU_LEAN_*) */
	bool deadline; /* guest_limit= */
	bool stats;    /* stats= above off */
} extras;

static void before_handler(u32 basic)
{
	exit_stats_clock();
	if (extras.pmu) {
		pmu_sync_global_ctrl_field();
		pmu_vmexit(basic);
	} else if (extras.stats) {
		/* The strategy does not run, but an exit handler may count PMU accesses. */
		pmu_access_reset();
	}
}

static void after_handler(u32 basic)
{
	if (extras.deadline)
		check_time_limit();
	if (extras.pmu)
		pmu_vmentry(basic);
	if (extras.stats)
		exit_stats_record(basic);
}

/*
 * Reasons at or above the table's size: a failed VM entry (bit 31) is
 * decoded and ends the run, as does a basic reason past the table; any
 * other bit set is a flag of an ordinary exit (SDM Vol. 3C, "Basic VM-Exit
 * Information"), which goes on to the handler of its basic reason.
 */
static __attribute__((noinline, cold)) void check_unusual_exit_reason(u32 reason)
{
	if (reason & EXIT_REASON_FAILED_VMENTRY)
		vmentry_failure(reason);
	if (EXIT_REASON_BASIC(reason) >= EXIT_REASON_MAX) {
		(void)unexpected_exit();
		end_guest();
	}
}

/*
 * An exit counted, from its handler to VM entry: the handler, the step
 * over the instruction where it asks for it, the extras around them where
 * the run has any, the PMU switch inlined where the run has one
 * (hv/pmu/lean.h), and the NMI check. with_extras and lean are constants
 * on the lean path.
 */
static inline __attribute__((always_inline)) void handle_exit(u64 basic, bool with_extras,
							      enum pmu_lean lean)
{
	exit_handler_fn handler;
	enum exit_action action;

	if (with_extras)
		before_handler(basic);
	pmu_lean_exit(lean, (u32)basic);
	handler = exit_handlers[basic];
	action = handler();
	if (action == EXIT_SKIP_INSN)
		vcpu_skip_instruction();
	else if (action == EXIT_END)
		end_guest();
	if (with_extras)
		after_handler(basic);
	pmu_lean_entry(lean, (u32)basic);
	nmi_before_entry();
}

/*
 * Every exit the lean path does not take (a run with extras, or an unusual
 * reason), from vcpu.exit_reason; lean: the lean path's, for a run without
 * extras.
 */
static __attribute__((noinline)) void vmexit_full(enum pmu_lean lean)
{
	u32 reason = vcpu.exit_reason, basic = EXIT_REASON_BASIC(reason);

	if (reason >= EXIT_REASON_MAX)
		check_unusual_exit_reason(reason);
	vcpu.exit_counts[basic]++;
	if (extras.any)
		handle_exit(basic, true, PMU_LEAN_NONE);
	else
		handle_exit(basic, false, lean);
}

/*
 * The exit path reads only the exit reason from the VMCS; handlers read
 * the qualification and the instruction length where they need them.
 * Without a time limit or statistics beyond the count per reason, nothing
 * else runs but the PMU switch the strategy inlines, if any: no RDTSC, no
 * allocation, no division (hv/exit/stats.h), and no test for them either:
 * the one compare with extras.lean_below, which the reason needs anyway,
 * decides. One copy of it per value of lean, chosen by vmexit_prepare().
 */
static inline __attribute__((always_inline)) void lean_exit(enum pmu_lean lean)
{
	u64 reason; /* a 32-bit field: VMREAD leaves bits 63:32 clear */

	nmi_after_exit();
	reason = vmread(VM_EXIT_REASON);
	vcpu.exit_reason = (u32)reason;
	if (__builtin_expect(reason >= extras.lean_below, 0)) {
		vmexit_full(lean);
		return;
	}
	vcpu.exit_counts[reason]++;
	handle_exit(reason, false, lean);
}

static void vmexit_lean(void)
{
	lean_exit(PMU_LEAN_NONE);
}

static void vmexit_lean_switch_rdmsr(void)
{
	lean_exit(PMU_LEAN_SWITCH_RDMSR);
}

static void vmexit_lean_switch_rdpmc(void)
{
	lean_exit(PMU_LEAN_SWITCH_RDPMC);
}

static void vmexit_lean_pmu_calls(void)
{
	lean_exit(PMU_LEAN_CALLS);
}

static void (*const lean_paths[])(void) = {
	[PMU_LEAN_NONE] = vmexit_lean,
	[PMU_LEAN_SWITCH_RDMSR] = vmexit_lean_switch_rdmsr,
	[PMU_LEAN_SWITCH_RDPMC] = vmexit_lean_switch_rdpmc,
	[PMU_LEAN_CALLS] = vmexit_lean_pmu_calls,
};

void (*vmexit_handler)(void) = vmexit_lean;

void vmexit_prepare(void)
{
	enum pmu_lean lean;

	extras.deadline = vcpu.deadline_tsc != 0;
	extras.stats = exit_stats_level != STATS_OFF;
	lean = pmu_lean_path(!extras.deadline && !extras.stats);
	extras.pmu = lean == PMU_LEAN_NONE && pmu_acts_on_exits();
	extras.any = extras.pmu || extras.deadline || extras.stats;
	extras.lean_below = extras.any ? 0 : EXIT_REASON_MAX;
	vmexit_handler = lean_paths[lean];
	if (extras.deadline)
		check_time_limit();
}
