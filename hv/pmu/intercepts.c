/*
 * Which of the guest's PMU accesses exit: the MSR bitmap and RDPMC
 * exiting; and the PMU's part of the VMCS.
 */
#include "hv/pmu/internal.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_bitmap.h"

static void intercept(u8 *bitmap, u32 msr, enum msr_access a)
{
	msr_bitmap_intercept(bitmap, msr, a);
}

/* Every PMU MSR exits: the guest has no PMU. */
static void intercept_all(u8 *bm)
{
	for (unsigned i = 0; i < PMU_MAX_GP; i++) {
		intercept(bm, msr_pmc(i, false), MSR_INTERCEPT_RW);
		intercept(bm, msr_pmc(i, true), MSR_INTERCEPT_RW);
		intercept(bm, msr_evtsel(i), MSR_INTERCEPT_RW);
	}
	for (unsigned j = 0; j < PMU_MAX_FIXED; j++)
		intercept(bm, msr_fixed_ctr(j), MSR_INTERCEPT_RW);
	for (u32 m = MSR_CORE_PERF_FIXED_CTR_CTRL; m <= MSR_CORE_PERF_GLOBAL_STATUS_SET; m++)
		intercept(bm, m, MSR_INTERCEPT_RW);
}

/*
 * The counters the guest owns go to the hardware; the others exit and
 * #GP. The strategy's policy (its exits, and what its init added for this
 * boot) adds the accesses it must see.
 */
void pmu_set_msr_intercepts(u8 *bm)
{
	u32 exits = pmu.ops->exits | pmu.extra_exits;

	intercept(bm, MSR_IA32_PERF_CAPABILITIES, MSR_INTERCEPT_RW);
	intercept(bm, MSR_IA32_DS_AREA, MSR_INTERCEPT_RW);
	intercept(bm, MSR_IA32_PEBS_ENABLE, MSR_INTERCEPT_RW);
	intercept(bm, MSR_IA32_DEBUGCTLMSR, MSR_INTERCEPT_WRITE);
	if (exits & PMU_EXIT_ALL) {
		intercept_all(bm);
		return;
	}
	for (unsigned i = 0; i < PMU_MAX_GP; i++) {
		bool owned = pmu.guest_global_mask & global_bit_gp(i);
		if (!owned) {
			intercept(bm, msr_pmc(i, false), MSR_INTERCEPT_RW);
			intercept(bm, msr_pmc(i, true), MSR_INTERCEPT_RW);
			intercept(bm, msr_evtsel(i), MSR_INTERCEPT_RW);
		} else if (exits & PMU_EXIT_EVTSEL_WRITE) {
			intercept(bm, msr_evtsel(i), MSR_INTERCEPT_WRITE);
		}
		if (owned && !pmu.full_width_writes)
			intercept(bm, msr_pmc(i, true), MSR_INTERCEPT_RW);
	}
	for (unsigned j = 0; j < PMU_MAX_FIXED; j++)
		if (!(pmu.guest_global_mask & global_bit_fixed(j)))
			intercept(bm, msr_fixed_ctr(j), MSR_INTERCEPT_RW);
	if (exits & PMU_EXIT_FIXED_CTR_CTRL_WRITE)
		intercept(bm, MSR_CORE_PERF_FIXED_CTR_CTRL, MSR_INTERCEPT_WRITE);
	if (exits & PMU_EXIT_FIXED_CTR_CTRL_READ)
		intercept(bm, MSR_CORE_PERF_FIXED_CTR_CTRL, MSR_INTERCEPT_READ);
	if (pmu.partitioned || (exits & PMU_EXIT_GLOBAL_CTRL_WRITE)) {
		intercept(bm, MSR_CORE_PERF_GLOBAL_CTRL, MSR_INTERCEPT_WRITE);
		intercept(bm, MSR_CORE_PERF_GLOBAL_OVF_CTRL, MSR_INTERCEPT_WRITE);
		intercept(bm, MSR_CORE_PERF_GLOBAL_STATUS_SET, MSR_INTERCEPT_WRITE);
	}
}

/*
 * Without a PMU the guest's RDPMC must #GP too, not read the host's
 * counters; with one it exits where a strategy answers it or the CPU's
 * does not read back (it is emulated then).
 */
bool pmu_rdpmc_exits(void)
{
	if (!pmu_guest_has_pmu())
		return true;
	return pmu.ops->rdpmc || pmu.rdpmc_broken;
}

void pmu_setup_vmcs(const struct pmu_vmx_caps *caps, u8 *msr_bitmap, struct vmx_controls *c)
{
	pmu_set_msr_intercepts(msr_bitmap);
	if (pmu_rdpmc_exits())
		c->cpu |= CPU_BASED_RDPMC_EXITING;
	if (pmu_guest_has_pmu())
		pmu_setup_global_ctrl(caps, c);
}
