/*
 * mediated: upstream KVM's mediated vPMU, its put on exit and load before
 * entry. Selector and FIXED_CTR_CTRL writes exit, as upstream intercepts
 * them, so their values are known without an RDMSR; the guest's overflow
 * bits are held in pmu.guest while it is switched out.
 */
#include "hv/pmu/strategy.h"

static bool mediated_put(u32 reason)
{
	struct pmu_state *g = &pmu.guest;

	(void)reason;
	g->global_status = pmu_take_global_status();
	if (g->fixed_ctr_ctrl)
		pmu_wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, 0);
	for (unsigned i = 0; i < pmu.guest_gp; i++) {
		g->pmc[i] = pmu_read_gp(i);
		if (g->pmc[i])
			pmu_write_gp(i, 0);
		if (g->evtsel[i])
			pmu_wrmsr(msr_evtsel(i), 0);
	}
	for (unsigned j = 0; j < pmu.nr_fixed; j++) {
		if (!pmu_guest_owns_fixed(j))
			continue;
		g->fixed[j] = pmu_read_fixed(j);
		if (g->fixed[j])
			pmu_wrmsr(msr_fixed_ctr(j), 0);
	}
	return true;
}

static void mediated_load(u32 reason)
{
	struct pmu_state *g = &pmu.guest;

	(void)reason;
	pmu_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	for (unsigned i = 0; i < pmu.guest_gp; i++) {
		if (pmu_read_gp(i) != g->pmc[i])
			pmu_write_gp(i, g->pmc[i]);
		pmu_wrmsr(msr_evtsel(i), g->evtsel[i]);
	}
	pmu_restore_global_status(g->global_status);
	pmu_wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, g->fixed_ctr_ctrl);
	for (unsigned j = 0; j < pmu.nr_fixed; j++)
		if (pmu_guest_owns_fixed(j))
			if (pmu_read_fixed(j) != g->fixed[j])
				pmu_wrmsr(msr_fixed_ctr(j), g->fixed[j]);
}

const struct pmu_strategy pmu_strategy_mediated = {
	.name = "mediated",
	.description = "upstream KVM's mediated vPMU put and load; selector and FIXED_CTR_CTRL "
		       "writes exit",
	.exits = PMU_EXIT_EVTSEL_WRITE | PMU_EXIT_FIXED_CTR_CTRL_WRITE,
	.warnings = PMU_WARN_NO_STATUS_SET | PMU_WARN_LEGACY_WRITES,
	.status_held_outside = true,
	.filter_cpuid = pmu_cpuid_guest_share,
	.save = mediated_put,
	.restore = mediated_load,
};
