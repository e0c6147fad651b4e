/*
 * rfc: the reviewed patch's sequence, operation for operation. Every
 * counter, selector and GLOBAL_STATUS of the guest is read and zeroed on
 * exit and written back before entry; the guest's overflow bits are held
 * in pmu.guest while it is switched out.
 */
#include "hv/pmu/strategy.h"

static bool rfc_save(u32 reason)
{
	struct pmu_state *g = &pmu.guest;

	(void)reason;
	g->global_status = pmu_take_global_status();
	for (unsigned i = 0; i < pmu.guest_gp; i++) {
		g->pmc[i] = pmu_read_gp(i);
		g->evtsel[i] = pmu_rdmsr(msr_evtsel(i));
		if (g->evtsel[i])
			pmu_wrmsr(msr_evtsel(i), 0);
		if (g->pmc[i])
			pmu_write_gp(i, 0);
	}
	g->fixed_ctr_ctrl = pmu_rdmsr(MSR_CORE_PERF_FIXED_CTR_CTRL);
	if (g->fixed_ctr_ctrl)
		pmu_wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, 0);
	for (unsigned j = 0; j < pmu.nr_fixed; j++) {
		if (!pmu_guest_owns_fixed(j))
			continue;
		g->fixed[j] = pmu_read_fixed(j);
		if (g->fixed[j])
			pmu_wrmsr(msr_fixed_ctr(j), 0);
	}
	return true;
}

static void rfc_restore(u32 reason)
{
	struct pmu_state *g = &pmu.guest;

	(void)reason;
	pmu_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	pmu_take_global_status();
	if (pmu.has_status_set) {
		/* A bit the CPU set itself that SET does not take stays lost: no #GP here. */
		g->global_status &= pmu.status_set_bits;
		pmu_wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET, g->global_status);
	}
	for (unsigned i = 0; i < pmu.guest_gp; i++) {
		pmu_write_gp(i, g->pmc[i]);
		pmu_wrmsr(msr_evtsel(i), g->evtsel[i]);
	}
	pmu_wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, g->fixed_ctr_ctrl);
	for (unsigned j = 0; j < pmu.nr_fixed; j++)
		if (pmu_guest_owns_fixed(j))
			pmu_wrmsr(msr_fixed_ctr(j), g->fixed[j]);
}

const struct pmu_strategy pmu_strategy_rfc = {
	.name = "rfc",
	.description = "the reviewed patch's sequence: every guest counter, selector and status "
		       "saved and zeroed on exit, written back on entry",
	.warnings = PMU_WARN_NO_STATUS_SET | PMU_WARN_LEGACY_WRITES,
	.status_held_outside = true,
	.filter_cpuid = pmu_cpuid_guest_share,
	.save = rfc_save,
	.restore = rfc_restore,
};
