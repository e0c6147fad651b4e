/*
 * switch: pmuvisor's minimal switch. Only what the hypervisor uses moves:
 * its fixed counters 0 and 1 (instructions retired and unhalted cycles,
 * ring 0), with which it measures each exit, and FIXED_CTR_CTRL. The
 * guest's GP counters, selectors and overflow bits stay in the hardware,
 * frozen by GLOBAL_CTRL = 0 (the host value the VM exit loaded). The
 * guest's FIXED_CTR_CTRL writes exit, so its value is known without an
 * RDMSR. Every exit makes the same 12 accesses, written once in
 * hv/pmu/switch.h: a write is not skipped where the register already
 * holds the value, since the test costs every exit a compare and a branch
 * and saves a write only for a guest that leaves fixed counters 0 and 1 at
 * zero.
 */
#include "hv/pmu/strategy.h"
#include "hv/pmu/switch.h"

/* The CPU has fixed counters 0 and 1: the hypervisor counts with them, and switch moves them. */
static bool has_fixed_0_1;

static void switch_init(void)
{
	has_fixed_0_1 = pmu_fixed_present(FIXED_INSTRUCTIONS) &&
			pmu_fixed_present(FIXED_CORE_CYCLES);
	if (has_fixed_0_1)
		pmu_host_counts_with_fixed_0_1();
}

/* Without fixed counters 0 and 1 the hypervisor does not measure, and nothing needs to move. */
static bool switch_acts_on_exits(void)
{
	return has_fixed_0_1;
}

static bool switch_to_host(u32 reason)
{
	(void)reason;
	if (!has_fixed_0_1)
		return false;
	switch_out_guest(true, pmu.use_rdpmc);
	return true;
}

static void switch_to_guest(u32 reason)
{
	(void)reason;
	switch_in_guest(true, pmu.use_rdpmc);
	pmu.measured = true;
}

/* stats=off: the exit path inlines the same two directions, uncounted (hv/pmu/lean.h). */
static enum pmu_lean switch_lean(void)
{
	return pmu.use_rdpmc ? PMU_LEAN_SWITCH_RDPMC : PMU_LEAN_SWITCH_RDMSR;
}

const struct pmu_strategy pmu_strategy_switch = {
	.name = "switch",
	.description = "pmuvisor's minimal switch: only the hypervisor's fixed counters 0 and 1 "
		       "move; it measures each exit",
	.exits = PMU_EXIT_FIXED_CTR_CTRL_WRITE,
	.init = switch_init,
	.filter_cpuid = pmu_cpuid_guest_share,
	.acts_on_exits = switch_acts_on_exits,
	.save = switch_to_host,
	.restore = switch_to_guest,
	.lean = switch_lean,
};
