/*
 * The host's PMU state: read at boot, put back and verified when the
 * guest ends, so that the hypervisor leaves no trace in the PMU.
 */
#include "hv/pmu/internal.h"
#include "hv/base/log.h"
#include "arch/x86/msr.h"

void pmu_host_counts_with_fixed_0_1(void)
{
	pmu.host.fixed_ctr_ctrl = PMU_HOST_FIXED_CTR_CTRL;
	pmu.host.global_ctrl = PMU_HOST_GLOBAL_CTRL;
}

void pmu_read_state(struct pmu_state *s)
{
	s->global_ctrl = rdmsr(MSR_CORE_PERF_GLOBAL_CTRL);
	s->global_status = rdmsr(MSR_CORE_PERF_GLOBAL_STATUS);
	s->fixed_ctr_ctrl = rdmsr(MSR_CORE_PERF_FIXED_CTR_CTRL);
	for (unsigned i = 0; i < pmu.nr_gp; i++) {
		s->pmc[i] = rdmsr(msr_pmc(i, false));
		s->evtsel[i] = rdmsr(msr_evtsel(i));
	}
	for (unsigned j = 0; j < pmu.nr_fixed; j++)
		if (pmu_fixed_present(j))
			s->fixed[j] = rdmsr(msr_fixed_ctr(j));
}

static void write_state(const struct pmu_state *s)
{
	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	for (unsigned i = 0; i < pmu.nr_gp; i++) {
		wrmsr(msr_evtsel(i), s->evtsel[i]);
		wrmsr(msr_pmc(i, pmu.full_width_writes), s->pmc[i]);
	}
	wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, s->fixed_ctr_ctrl);
	for (unsigned j = 0; j < pmu.nr_fixed; j++)
		if (pmu_fixed_present(j))
			wrmsr(msr_fixed_ctr(j), s->fixed[j]);
	pmu_restore_global_status(s->global_status);
	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, s->global_ctrl);
}

static unsigned compare_state(const struct pmu_state *want, const struct pmu_state *got)
{
	unsigned bad = 0;

#define CHECK_REG(field, name, idx)                                                               \
	do {                                                                                      \
		if (want->field != got->field) {                                                  \
			pr_err("pmu: host %s%s is 0x%llx after the guest, expected 0x%llx", name, \
			       idx, (unsigned long long)got->field,                               \
			       (unsigned long long)want->field);                                  \
			bad++;                                                                    \
		}                                                                                 \
	} while (0)
	static const char *const digit[] = { "0", "1", "2", "3", "4", "5", "6", "7" };
	CHECK_REG(global_ctrl, "GLOBAL_CTRL", "");
	CHECK_REG(global_status, "GLOBAL_STATUS", "");
	CHECK_REG(fixed_ctr_ctrl, "FIXED_CTR_CTRL", "");
	/* A counter the host itself left enabled moves on; only the others must match. */
	for (unsigned i = 0; i < pmu.nr_gp; i++) {
		if (!(want->global_ctrl & global_bit_gp(i)))
			CHECK_REG(pmc[i], "PMC", digit[i]);
		CHECK_REG(evtsel[i], "PERFEVTSEL", digit[i]);
	}
	for (unsigned j = 0; j < pmu.nr_fixed; j++)
		if (pmu_fixed_present(j) && !(want->global_ctrl & global_bit_fixed(j)))
			CHECK_REG(fixed[j], "FIXED_CTR", digit[j]);
#undef CHECK_REG
	return bad;
}

bool pmu_restore_host(void)
{
	struct pmu_state now;
	unsigned bad, regs = 3 + 2 * pmu.nr_gp + pmu_bits_set(pmu.fixed_present);

	if (!pmu_guest_has_pmu())
		return true;
	write_state(&pmu.host_boot);
	pmu_read_state(&now);
	bad = compare_state(&pmu.host_boot, &now);
	if (bad)
		return false;
	pr_info("pmu: host PMU state restored and verified (%u MSRs)", regs);
	return true;
}
