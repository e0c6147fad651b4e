/*
 * What the files of hv/pmu share with each other and with no one else:
 * the boot steps pmu_init() runs (each in the file of its concern) and a
 * few helpers. Neither a strategy nor the rest of the hypervisor needs
 * these.
 */
#ifndef HV_PMU_INTERNAL_H
#define HV_PMU_INTERNAL_H

#include "hv/pmu/strategy.h"
#include "arch/x86/msr.h"

/* What the guest may set in DEBUGCTL, where the CPU accepts it: no LBR, BTS or trace. */
#define DEBUGCTL_GUEST_ALLOWED \
	(DEBUGCTLMSR_BTF | DEBUGCTLMSR_FREEZE_PERFMON_ON_PMI | DEBUGCTLMSR_FREEZE_IN_SMM)
/* GLOBAL_STATUS bits of no counter, tried at boot in GLOBAL_OVF_CTRL and GLOBAL_STATUS_SET. */
#define GLOBAL_STATUS_NO_COUNTER                                                                \
	(GLOBAL_STATUS_PERF_METRICS_OVF | GLOBAL_STATUS_TRACE_TOPAPMI |                         \
	 GLOBAL_STATUS_LBRS_FROZEN | GLOBAL_STATUS_COUNTERS_FROZEN | GLOBAL_STATUS_BUFFER_OVF | \
	 GLOBAL_STATUS_COND_CHG)

/* Whether the guest gets a PMU at all: every strategy but one that makes every PMU MSR exit. */
static inline bool pmu_guest_has_pmu(void)
{
	return !(pmu.ops->exits & PMU_EXIT_ALL);
}

/* The number of counters in mask (the freestanding build has no popcount helper). */
static inline unsigned pmu_bits_set(u32 mask)
{
	unsigned n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

/* The number of counters in mask from counter 0 up to the first gap. */
static inline unsigned pmu_counters_from_zero(u32 mask)
{
	unsigned n = 0;

	while (n < 32 && (mask & BIT(n)))
		n++;
	return n;
}

/* enum.c: what the CPU has. */
/* The counters and PMU MSRs; false, with why, where the CPU has no usable PMU. */
bool pmu_detect(char *why, size_t len);
void pmu_detect_status_bits(void);
void pmu_detect_debugctl(void);
/* RDPMC's self-test and pmu_read=: pmu.use_rdpmc and pmu.rdpmc_broken. */
void pmu_choose_read_method(void);
/* The GLOBAL_CTRL/STATUS bits of GP counters 0..gp-1 and the fixed counters in fixed (bit j). */
u64 pmu_counter_bits(unsigned gp, u32 fixed);

/* host_state.c: one side's PMU registers as the hardware holds them. */
void pmu_read_state(struct pmu_state *s);

/* guest_view.c: the guest's share of the counters, from pmu_gp=. */
void pmu_choose_guest_share(void);

/* global_ctrl.c: the VM-entry/exit lists or controls that switch GLOBAL_CTRL. */
void pmu_setup_global_ctrl(const struct pmu_vmx_caps *caps, struct vmx_controls *c);
/* global_ctrl=vmcs without the save control, for a guest with a PMU: every exit copies the field. */
bool pmu_copies_global_ctrl_field(void);

/* guest_msr.c: the guest's RDPMC exits and is emulated from the counter MSRs. */
bool pmu_emulates_rdpmc(void);

#endif
