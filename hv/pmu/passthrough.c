/*
 * passthrough: the guest owns its counters; only IA32_PERF_GLOBAL_CTRL
 * moves, through the VM transitions. The exit handler touches no PMU MSR.
 */
#include "hv/pmu/strategy.h"

const struct pmu_strategy pmu_strategy_passthrough = {
	.name = "passthrough",
	.description = "the guest owns the counters; only GLOBAL_CTRL moves, at the VM transitions",
	.filter_cpuid = pmu_cpuid_guest_share,
};
