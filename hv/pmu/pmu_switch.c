/*
 * Switching the PMU between guest and host in the exit handler, one
 * function pair per strategy. IA32_PERF_GLOBAL_CTRL itself is switched by
 * the VM transitions (pmu.c); at VM exit it holds the host value 0, so no
 * counter counts until a strategy enables the host's own.
 *
 * Every PMU MSR access goes through the counted primitives at the top, so
 * the cost of each strategy is known exactly per exit.
 */
#include "hv/pmu/pmu_switch.h"
#include "hv/pmu/pmu.h"
#include "arch/x86/msr.h"

struct pmu pmu;

u64 pmu_rdmsr(u32 msr)
{
	pmu.access.rdmsr++;
	return rdmsr(msr);
}

void pmu_wrmsr(u32 msr, u64 value)
{
	pmu.access.wrmsr++;
	wrmsr(msr, value);
}

u64 pmu_read_gp(unsigned i)
{
	if (!pmu.use_rdpmc)
		return pmu_rdmsr(msr_pmc(i, false));
	pmu.access.rdpmc++;
	return rdpmc(i);
}

u64 pmu_read_fixed(unsigned j)
{
	if (!pmu.use_rdpmc)
		return pmu_rdmsr(msr_fixed_ctr(j));
	pmu.access.rdpmc++;
	return rdpmc(RDPMC_FIXED | j);
}

/* Legacy IA32_PMCx writes keep only 32 bits, sign-extended; IA32_A_PMCx takes all. */
void pmu_write_gp(unsigned i, u64 value)
{
	pmu_wrmsr(msr_pmc(i, pmu.full_width_writes), value);
}

/*
 * GLOBAL_STATUS is read-only: bits are cleared through GLOBAL_OVF_CTRL
 * (STATUS_RESET) and set through GLOBAL_STATUS_SET (PerfMon v4+). Only the
 * differing bits are written. Intel SDM Vol. 3B, "Performance Monitoring
 * Version 4", IA32_PERF_GLOBAL_STATUS_SET.
 */
void pmu_restore_global_status(u64 target)
{
	u64 hw = pmu_rdmsr(MSR_CORE_PERF_GLOBAL_STATUS);
	u64 clear = hw & ~target, set = target & ~hw;

	if (clear)
		pmu_wrmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL, clear);
	if (set && pmu.has_status_set)
		pmu_wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET, set);
}

/* Read GLOBAL_STATUS and clear it where non-zero, as rfc and mediated both do. */
static u64 pmu_take_global_status(void)
{
	u64 status = pmu_rdmsr(MSR_CORE_PERF_GLOBAL_STATUS);

	if (status)
		pmu_wrmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL, status);
	return status;
}

/* ---- switch: only what the host uses moves (its fixed counters 0 and 1) ---- */

static unsigned host_fixed_used(void)
{
	return MIN(pmu.nr_fixed, 2u);
}

static void switch_to_host(void)
{
	unsigned n = host_fixed_used();

	/* FIXED_CTR_CTRL writes are intercepted: the guest's value is known. */
	for (unsigned j = 0; j < n; j++)
		pmu.guest.fixed[j] = pmu_read_fixed(j);
	if (pmu.guest.fixed_ctr_ctrl != pmu.host.fixed_ctr_ctrl)
		pmu_wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, pmu.host.fixed_ctr_ctrl);
	for (unsigned j = 0; j < n; j++)
		if (pmu.guest.fixed[j] != 0)
			pmu_wrmsr(msr_fixed_ctr(j), 0);
	if (pmu.host.global_ctrl)
		pmu_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, pmu.host.global_ctrl);
}

static void switch_to_guest(void)
{
	unsigned n = host_fixed_used();
	u64 host_count[2] = { 0, 0 };

	if (pmu.host.global_ctrl)
		pmu_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	for (unsigned j = 0; j < n; j++)
		host_count[j] = pmu_read_fixed(j);
	if (n == 2) {
		pmu.host_instructions = host_count[FIXED_INSTRUCTIONS];
		pmu.host_cycles = host_count[FIXED_CORE_CYCLES];
		pmu.measured = true;
	}
	for (unsigned j = 0; j < n; j++)
		if (host_count[j] != pmu.guest.fixed[j])
			pmu_wrmsr(msr_fixed_ctr(j), pmu.guest.fixed[j]);
	if (pmu.guest.fixed_ctr_ctrl != pmu.host.fixed_ctr_ctrl)
		pmu_wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, pmu.guest.fixed_ctr_ctrl);
}

/* ---- rfc: the reviewed patch, operation for operation ---- */

static void rfc_save(void)
{
	struct pmu_state *g = &pmu.guest;

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
	for (unsigned j = 0; j < pmu.guest_fixed; j++) {
		g->fixed[j] = pmu_read_fixed(j);
		if (g->fixed[j])
			pmu_wrmsr(msr_fixed_ctr(j), 0);
	}
}

static void rfc_restore(void)
{
	struct pmu_state *g = &pmu.guest;

	pmu_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	pmu_take_global_status();
	if (pmu.has_status_set)
		pmu_wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET, g->global_status);
	for (unsigned i = 0; i < pmu.guest_gp; i++) {
		pmu_write_gp(i, g->pmc[i]);
		pmu_wrmsr(msr_evtsel(i), g->evtsel[i]);
	}
	pmu_wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, g->fixed_ctr_ctrl);
	for (unsigned j = 0; j < pmu.guest_fixed; j++)
		pmu_wrmsr(msr_fixed_ctr(j), g->fixed[j]);
}

/* ---- mediated: upstream KVM's put and load; selectors and FIXED_CTR_CTRL are intercepted ---- */

static void mediated_put(void)
{
	struct pmu_state *g = &pmu.guest;

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
	for (unsigned j = 0; j < pmu.guest_fixed; j++) {
		g->fixed[j] = pmu_read_fixed(j);
		if (g->fixed[j])
			pmu_wrmsr(msr_fixed_ctr(j), 0);
	}
}

static void mediated_load(void)
{
	struct pmu_state *g = &pmu.guest;

	pmu_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	for (unsigned i = 0; i < pmu.guest_gp; i++) {
		if (pmu_read_gp(i) != g->pmc[i])
			pmu_write_gp(i, g->pmc[i]);
		pmu_wrmsr(msr_evtsel(i), g->evtsel[i]);
	}
	pmu_restore_global_status(g->global_status);
	pmu_wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, g->fixed_ctr_ctrl);
	for (unsigned j = 0; j < pmu.guest_fixed; j++)
		if (pmu_read_fixed(j) != g->fixed[j])
			pmu_wrmsr(msr_fixed_ctr(j), g->fixed[j]);
}

/* ---- per exit ---- */

static bool lazy_switches(u32 reason)
{
	pmu.lazy_exits++;
	if (reason < 64 && (pmu.lazy_reasons & BIT(reason)))
		return true;
	return pmu.lazy_every && pmu.lazy_exits % pmu.lazy_every == 0;
}

void pmu_vmexit(u32 reason)
{
	pmu.access = (struct pmu_access_count){ 0, 0, 0 };
	pmu.measured = false;
	pmu.switched = false;
	switch (pmu.strategy) {
	case PMU_OFF:
	case PMU_PASSTHROUGH:
		return;
	case PMU_LAZY:
		if (!lazy_switches(reason))
			return;
		/* fall through */
	case PMU_SWITCH:
		switch_to_host();
		break;
	case PMU_RFC:
		rfc_save();
		break;
	case PMU_MEDIATED:
		mediated_put();
		break;
	}
	pmu.switched = true;
}

void pmu_vmentry(u32 reason)
{
	(void)reason;
	if (!pmu.switched)
		return;
	switch (pmu.strategy) {
	case PMU_LAZY:
	case PMU_SWITCH:
		switch_to_guest();
		break;
	case PMU_RFC:
		rfc_restore();
		break;
	case PMU_MEDIATED:
		mediated_load();
		break;
	default:
		break;
	}
	pmu.switched = false;
}
