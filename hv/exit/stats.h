/*
 * Per-exit-reason measurements: count, and samples of the TSC ticks spent
 * handling each exit, the hypervisor's own cycles and instructions where
 * it counts them (pmu=switch, lazy), and the PMU MSR accesses the
 * switching made. Printed at guest end as the results block that
 * scripts/bench parses (docs/bench.md).
 */
#ifndef HV_EXIT_STATS_H
#define HV_EXIT_STATS_H

#include "lib/types.h"

enum stat_metric {
	STAT_TSC,
	STAT_CYCLES,
	STAT_INSTRUCTIONS,
	STAT_PMU_ACCESSES,
	STAT_PMU_RDMSR,
	STAT_PMU_WRMSR,
	STAT_PMU_RDPMC,
	NR_STAT_METRICS,
};

#define STAT_SAMPLES 1024 /* a reservoir per reason and metric */

struct sample_set {
	u64 n, min, max, sum;
	u32 kept;
	u32 *samples;
};

void stats_add(struct sample_set *s, u64 value, u64 *rng);
/* Sorts the kept samples; q in 0..100. */
u64 stats_quantile(struct sample_set *s, unsigned q);

/* Record the exit just handled (hv/exit/vmexit.c). */
void exit_stats_record(u32 reason, u64 tsc_ticks);
/* The human table and the machine-readable results block. */
void exit_stats_print(int guest_status);

#endif
