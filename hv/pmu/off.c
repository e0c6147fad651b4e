/*
 * off: the guest gets no PMU. CPUID 0xA reads zero and PDCM is hidden,
 * every PMU MSR exits and #GPs, RDPMC exits and #GPs; the hypervisor never
 * touches the PMU.
 */
#include "hv/pmu/pmu.h"

static void off_filter_cpuid(u32 leaf, u32 subleaf, struct cpuid_regs *r)
{
	(void)subleaf;
	if (leaf == 1)
		r->ecx &= ~(u32)CPUID_1_ECX_PDCM; /* no IA32_PERF_CAPABILITIES */
	else if (leaf == CPUID_LEAF_PMU)
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
}

const struct pmu_strategy pmu_strategy_off = {
	.name = "off",
	.description = "no PMU for the guest: CPUID 0xA reads 0, every PMU MSR and RDPMC #GP",
	.exits = PMU_EXIT_ALL,
	.filter_cpuid = off_filter_cpuid,
};
