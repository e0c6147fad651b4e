/*
 * off: the guest gets no PMU. CPUID 0xA and 0x23 read zero, PDCM and
 * CPUID.(7,1):EAX[8] are hidden, every PMU MSR exits and #GPs, RDPMC exits
 * and #GPs; the hypervisor never touches the PMU.
 */
#include "hv/pmu/strategy.h"

static void off_filter_cpuid(u32 leaf, u32 subleaf, struct cpuid_regs *r)
{
	if (leaf == 1)
		r->ecx &= ~(u32)CPUID_1_ECX_PDCM; /* no IA32_PERF_CAPABILITIES */
	else if (leaf == 7 && subleaf == 1)
		r->eax &= ~(u32)CPUID_7_1_EAX_ARCH_PERFMON_EXT; /* no leaf 0x23 */
	else if (leaf == CPUID_LEAF_PMU || leaf == CPUID_LEAF_PMU_EXT)
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
}

const struct pmu_strategy pmu_strategy_off = {
	.name = "off",
	.description =
		"no PMU for the guest: CPUID 0xA and 0x23 read 0, every PMU MSR and RDPMC #GP",
	.exits = PMU_EXIT_ALL,
	.filter_cpuid = off_filter_cpuid,
};
