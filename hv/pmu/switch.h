/*
 * switch's two directions (hv/pmu/switch.c), each a straight line of
 * unconditional accesses, inlined where they run: into switch.c's save
 * and restore, which count every access in pmu.access (stats= above
 * off), and into the exit path of a run with stats=off (hv/pmu/lean.h,
 * hv/exit/vmexit.c), which pays for the accesses and their operands and
 * nothing else. One body for both, so both make the same accesses in the
 * same order (tests/unit/test_pmu_switch.c compares them).
 *
 * Both run with GLOBAL_CTRL = 0, the host value the VM exit loaded, so
 * that nothing counts while the counters change hands: on the way out
 * until the hypervisor enables its own, on the way in from the moment it
 * disables them until VM entry loads the guest's.
 */
#ifndef HV_PMU_SWITCH_H
#define HV_PMU_SWITCH_H

#include "hv/pmu/pmu.h"
#include "arch/x86/msr.h"
#include "arch/x86/pmu.h"

#define SWITCH_INLINE static inline __attribute__((always_inline))

/* Fixed counter j into *dst, with RDPMC or RDMSR (pmu_read=); counted in pmu.access where counted. */
SWITCH_INLINE void switch_read_fixed(bool counted, bool by_rdpmc, unsigned j, u64 *dst)
{
	if (counted && by_rdpmc)
		pmu.access.rdpmc++;
	else if (counted)
		pmu.access.rdmsr++;
	if (by_rdpmc)
		rdpmc_to(RDPMC_FIXED | j, dst);
	else
		rdmsr_to(msr_fixed_ctr(j), dst);
}

SWITCH_INLINE void switch_write(bool counted, u32 msr, u64 value)
{
	if (counted)
		pmu.access.wrmsr++;
	wrmsr(msr, value);
}

SWITCH_INLINE void switch_write_from(bool counted, u32 msr, const u64 *src)
{
	if (counted)
		pmu.access.wrmsr++;
	wrmsr_from(msr, src);
}

/*
 * To the host, 6 accesses: the guest's fixed counters 0 and 1 saved, each
 * zeroed at once so that the hypervisor counts an exit from 0 and never
 * overflows a guest counter set close to overflow (a sampling period);
 * the hypervisor's FIXED_CTR_CTRL; then GLOBAL_CTRL enables its counters.
 * The guest's FIXED_CTR_CTRL is not read: its writes exit (switch.c).
 */
SWITCH_INLINE void switch_out_guest(bool counted, bool by_rdpmc)
{
	switch_read_fixed(counted, by_rdpmc, FIXED_INSTRUCTIONS,
			  &pmu.guest.fixed[FIXED_INSTRUCTIONS]);
	switch_write(counted, msr_fixed_ctr(FIXED_INSTRUCTIONS), 0);
	switch_read_fixed(counted, by_rdpmc, FIXED_CORE_CYCLES,
			  &pmu.guest.fixed[FIXED_CORE_CYCLES]);
	switch_write(counted, msr_fixed_ctr(FIXED_CORE_CYCLES), 0);
	switch_write(counted, MSR_CORE_PERF_FIXED_CTR_CTRL, PMU_HOST_FIXED_CTR_CTRL);
	switch_write(counted, MSR_CORE_PERF_GLOBAL_CTRL, PMU_HOST_GLOBAL_CTRL);
}

/*
 * To the guest, 6 accesses: GLOBAL_CTRL stops the hypervisor's counters;
 * each is read (what the exit cost) and given the guest's value back;
 * then the guest's FIXED_CTR_CTRL. VM entry loads the guest's GLOBAL_CTRL.
 */
SWITCH_INLINE void switch_in_guest(bool counted, bool by_rdpmc)
{
	switch_write(counted, MSR_CORE_PERF_GLOBAL_CTRL, 0);
	switch_read_fixed(counted, by_rdpmc, FIXED_INSTRUCTIONS, &pmu.host_instructions);
	switch_write_from(counted, msr_fixed_ctr(FIXED_INSTRUCTIONS),
			  &pmu.guest.fixed[FIXED_INSTRUCTIONS]);
	switch_read_fixed(counted, by_rdpmc, FIXED_CORE_CYCLES, &pmu.host_cycles);
	switch_write_from(counted, msr_fixed_ctr(FIXED_CORE_CYCLES),
			  &pmu.guest.fixed[FIXED_CORE_CYCLES]);
	switch_write_from(counted, MSR_CORE_PERF_FIXED_CTR_CTRL, &pmu.guest.fixed_ctr_ctrl);
}

#endif
