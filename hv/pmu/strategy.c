/*
 * The registry of strategies (pmu=, pmu=help), the boot sequence that
 * chooses one and runs the shared setup of the other files of hv/pmu, and
 * the per-exit calls of the strategy's save and restore.
 */
#include "hv/pmu/internal.h"
#include "hv/base/log.h"
#include "hv/base/options.h"
#include "hv/base/status.h"
#include "arch/x86/vmx.h"
#include "lib/printf.h"
#include "lib/string.h"

struct pmu pmu;

/* ---- the strategies ---- */

/* The one list of strategies: pmu=, pmu=help, the results and the scripts take it from here. */
const struct pmu_strategy *const pmu_strategies[] = {
	&pmu_strategy_passthrough, /* the default */
	&pmu_strategy_off,	   &pmu_strategy_switch, &pmu_strategy_rfc,
	&pmu_strategy_mediated,	   &pmu_strategy_lazy,	 &pmu_strategy_partition,
};
const unsigned pmu_nr_strategies = ARRAY_SIZE(pmu_strategies);

const struct pmu_strategy *pmu_strategy_find(const char *name, size_t len)
{
	for (unsigned i = 0; i < pmu_nr_strategies; i++)
		if (strlen(pmu_strategies[i]->name) == len &&
		    !strncmp(pmu_strategies[i]->name, name, len))
			return pmu_strategies[i];
	return NULL;
}

const char *pmu_strategy_name_at(u64 i)
{
	return i < pmu_nr_strategies ? pmu_strategies[i]->name : NULL;
}

const char *pmu_strategy_name(void)
{
	return pmu.ops ? pmu.ops->name : "?";
}

void pmu_print_strategies(void)
{
	for (unsigned i = 0; i < pmu_nr_strategies; i++)
		pr_info("pmu strategy %-12s %s%s", pmu_strategies[i]->name,
			pmu_strategies[i]->description, i == 0 ? " (default)" : "");
}

/* The index of pmu=off in pmu_strategies[]. */
static u64 strategy_off_index(void)
{
	u64 k = 0;

	while (pmu_strategies[k] != &pmu_strategy_off)
		k++;
	return k;
}

/*
 * The CPU cannot give the guest the PMU of this strategy: a strategy the
 * command line named is refused; the default gives way to pmu=off, with
 * one line, so that a machine without a usable PMU (nested under KVM,
 * whose PMU may be absent or too old) still runs the guest.
 */
static void no_usable_pmu(const char *why)
{
	if (!pmu_guest_has_pmu())
		return;
	if (hv_opts.pmu_given)
		hv_fail(HV_STATUS_UNSUPPORTED, "pmu=%s: %s (use pmu=off)", pmu.ops->name, why);
	pr_warn("pmu: %s: the guest runs with pmu=off (no pmu= given)", why);
	pmu.ops = &pmu_strategy_off;
	hv_opts.pmu = strategy_off_index(); /* the options in force, as the results record them */
}

/* The boot line: the strategy, the guest's share, the methods; and what the CPU makes it lose. */
static void report_choice(void)
{
	pr_info("pmu: strategy %s; guest gets %u of %u GP and %u fixed counters%s; "
		"GLOBAL_CTRL via %s; counters read with %s",
		pmu.ops->name, pmu.guest_gp, pmu.nr_gp, pmu.guest_fixed,
		pmu.full_width_writes ? ", full-width writes" : "",
		pmu.global_ctrl_mode == GLOBAL_CTRL_LISTS ? "VMCS MSR lists" : "VMCS fields",
		pmu.use_rdpmc ? "RDPMC" : "RDMSR");
	if (!pmu.has_status_set && (pmu.ops->warnings & PMU_WARN_NO_STATUS_SET))
		pr_warn("pmu: PerfMon v%u has no GLOBAL_STATUS_SET: overflow bits cleared while "
			"switched out cannot be set again",
			pmu.caps.version);
	if (!pmu.full_width_writes && (pmu.ops->warnings & PMU_WARN_LEGACY_WRITES))
		pr_warn("pmu: %s rewrites the guest's GP counters on every exit, and without "
			"full-width writes hardware keeps 32 bits of each: counts above 2^31 "
			"come back wrong",
			pmu.ops->name);
	else if (!pmu.full_width_writes)
		pr_info("pmu: no full-width counter writes (PERF_CAPABILITIES.FW_WRITE = 0): on "
			"hardware a GP counter write keeps 32 bits, sign-extended");
}

void pmu_init(void)
{
	char why[128];

	pmu.ops = pmu_strategies[hv_opts.pmu < pmu_nr_strategies ? hv_opts.pmu : 0];
	pmu.global_ctrl_mode = (enum global_ctrl_mode)hv_opts.global_ctrl;
	if (hv_opts.pmu_host != PMU_HOST_FIXED && !pmu.ops->keeps_host_counters)
		hv_fail(HV_STATUS_BAD_INPUT,
			"pmu_host=gp: pmu=%s keeps no counters of its own for the hypervisor "
			"(pmu=help lists the strategies)",
			pmu.ops->name);
	if (!pmu_detect(why, sizeof(why)))
		no_usable_pmu(why);
	if (!pmu_guest_has_pmu()) {
		pr_info("pmu: strategy %s: the guest gets no PMU", pmu.ops->name);
		return;
	}
	pmu_detect_status_bits();
	pmu_detect_debugctl();
	pmu_read_state(&pmu.host_boot);
	pmu.guest = pmu.host_boot;
	pmu_choose_read_method();
	pmu_choose_guest_share();
	if (pmu.ops->init)
		pmu.ops->init();
	report_choice();
}

/* ---- per exit: the strategy's save and restore ---- */

void pmu_access_reset(void)
{
	pmu.access = (struct pmu_access_count){ 0, 0, 0 };
}

void pmu_vmexit(u32 reason)
{
	pmu_access_reset();
	pmu.measured = false;
	/* An emulated RDPMC reads the guest's counters where they are: nothing moves for it. */
	if (reason == EXIT_REASON_RDPMC && pmu_emulates_rdpmc()) {
		pmu.switched = false;
		return;
	}
	pmu.switched = pmu.ops->save && pmu.ops->save(reason);
}

void pmu_vmentry(u32 reason)
{
	if (!pmu.switched)
		return;
	pmu.ops->restore(reason);
	pmu.switched = false;
}

/* The strategy's save() runs on exits in this boot. */
static bool strategy_saves(void)
{
	return pmu.ops->save && (!pmu.ops->acts_on_exits || pmu.ops->acts_on_exits());
}

bool pmu_acts_on_exits(void)
{
	return strategy_saves() || pmu_copies_global_ctrl_field();
}

enum pmu_lean pmu_lean_path(bool run_allows)
{
	enum pmu_lean lean = PMU_LEAN_NONE;

	/* An emulated RDPMC reads the guest's counters in place: that exit must not switch. */
	if (run_allows && strategy_saves() && pmu_guest_has_pmu() &&
	    !pmu_copies_global_ctrl_field() && !pmu_emulates_rdpmc())
		lean = pmu.ops->lean ? pmu.ops->lean() : PMU_LEAN_CALLS;
	pmu.switched = lean == PMU_LEAN_SWITCH_RDMSR || lean == PMU_LEAN_SWITCH_RDPMC;
	return lean;
}
