/*
 * switch: pmuvisor's minimal switch. Only what the hypervisor uses moves:
 * its fixed counters 0 and 1 (instructions retired and unhalted cycles,
 * ring 0), with which it measures each exit, and FIXED_CTR_CTRL. The
 * guest's GP counters, selectors and overflow bits stay in the hardware,
 * frozen by GLOBAL_CTRL = 0 (the host value the VM exit loaded). Writes
 * whose value is already in the register are skipped; the guest's
 * FIXED_CTR_CTRL writes exit, so its value is known without an RDMSR.
 */
#include "hv/pmu/strategy.h"

/* Fixed counters 0 and 1, as far as the CPU has them without a gap: counted once, at init. */
static unsigned host_fixed_used;

/* The hypervisor counts with fixed counters 0 and 1 where the CPU has both; else it does not measure. */
static void switch_init(void)
{
	host_fixed_used = 0;
	while (host_fixed_used < 2 && pmu_fixed_present(host_fixed_used))
		host_fixed_used++;
	if (pmu_fixed_present(FIXED_INSTRUCTIONS) && pmu_fixed_present(FIXED_CORE_CYCLES))
		pmu_host_counts_with_fixed_0_1();
}

static bool switch_to_host(u32 reason)
{
	unsigned n = host_fixed_used;

	(void)reason;
	for (unsigned j = 0; j < n; j++)
		pmu.guest.fixed[j] = pmu_read_fixed(j);
	if (pmu.guest.fixed_ctr_ctrl != pmu.host.fixed_ctr_ctrl)
		pmu_wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, pmu.host.fixed_ctr_ctrl);
	for (unsigned j = 0; j < n; j++)
		if (pmu.guest.fixed[j] != 0)
			pmu_wrmsr(msr_fixed_ctr(j), 0);
	if (pmu.host.global_ctrl)
		pmu_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, pmu.host.global_ctrl);
	return true;
}

static void switch_to_guest(u32 reason)
{
	unsigned n = host_fixed_used;
	u64 host_count[2] = { 0, 0 };

	(void)reason;
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

const struct pmu_strategy pmu_strategy_switch = {
	.name = "switch",
	.description = "pmuvisor's minimal switch: only the hypervisor's fixed counters 0 and 1 "
		       "move; it measures each exit",
	.exits = PMU_EXIT_FIXED_CTR_CTRL_WRITE,
	.init = switch_init,
	.filter_cpuid = pmu_cpuid_guest_share,
	.save = switch_to_host,
	.restore = switch_to_guest,
};
