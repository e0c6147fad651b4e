/*
 * The per-exit PMU switch of every strategy (hv/pmu/pmu_switch.c) and the
 * switching primitives it is built from, shared with the unit tests: every
 * access is counted in pmu.access.
 */
#ifndef HV_PMU_PMU_SWITCH_H
#define HV_PMU_PMU_SWITCH_H

#include "hv/pmu/pmu.h"

/* Around every exit (hv/exit/vmexit.c): the strategy's switch. */
void pmu_vmexit(u32 basic_reason);
void pmu_vmentry(u32 basic_reason);

u64 pmu_rdmsr(u32 msr);
void pmu_wrmsr(u32 msr, u64 value);
u64 pmu_read_gp(unsigned i);
u64 pmu_read_fixed(unsigned j);
void pmu_write_gp(unsigned i, u64 value);
/* Make GLOBAL_STATUS equal target by clearing and setting only the differing bits. */
void pmu_restore_global_status(u64 target);

#endif
