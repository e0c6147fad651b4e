/*
 * The counted primitives of the strategies that are more than one access
 * (the single ones are inline in hv/pmu/strategy.h): every PMU MSR access
 * of a save or restore goes through one and is counted in pmu.access
 * (pmu_msr_accesses in the results).
 */
#include "hv/pmu/internal.h"
#include "arch/x86/msr.h"

/*
 * GLOBAL_STATUS is read-only: bits are cleared through GLOBAL_OVF_CTRL
 * (STATUS_RESET) and set through GLOBAL_STATUS_SET (PerfMon v4+). Only the
 * differing bits are written, and only those the MSR takes (found at
 * boot): a bit the CPU sets by itself but has no SET counterpart for stays
 * as the hardware has it rather than #GP the hypervisor. Intel SDM Vol.
 * 3B, "Performance Monitoring Version 4", IA32_PERF_GLOBAL_STATUS_SET.
 */
void pmu_restore_global_status(u64 target)
{
	u64 hw = pmu_rdmsr(MSR_CORE_PERF_GLOBAL_STATUS);
	u64 clear = hw & ~target & pmu.status_reset_bits;
	u64 set = target & ~hw & pmu.status_set_bits;

	if (clear)
		pmu_wrmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL, clear);
	if (set)
		pmu_wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET, set);
}

/* All of GLOBAL_STATUS is returned; what GLOBAL_OVF_CTRL cannot clear stays in the hardware. */
u64 pmu_take_global_status(void)
{
	u64 status = pmu_rdmsr(MSR_CORE_PERF_GLOBAL_STATUS);

	if (status & pmu.status_reset_bits)
		pmu_wrmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL, status & pmu.status_reset_bits);
	return status;
}
