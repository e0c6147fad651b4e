/*
 * Per-exit-reason measurements, at one of three levels (option stats=):
 *
 *   off     the exit count per reason, nothing else: no RDTSC, no
 *           allocation, no division on the exit path
 *   counts  also the PMU MSR accesses the switching made, per reason
 *           (total, min, max): additions only, still no RDTSC
 *   full    also samples of the TSC ticks spent handling each exit, the
 *           hypervisor's own cycles and instructions where it counts them
 *           (pmu=switch, lazy) and the accesses, for medians and p99
 *
 * The statistics run inside the time they measure: each level up adds its
 * own instructions to every exit (docs/results.md measures how many).
 * Printed at guest end (hv/run/stats_report.c) as the results block that
 * scripts/bench parses (docs/bench.md).
 */
#ifndef HV_EXIT_STATS_H
#define HV_EXIT_STATS_H

#include "lib/types.h"
#include "arch/x86/cr.h"

enum stats_level { STATS_OFF, STATS_COUNTS, STATS_FULL };
/*
 * Their names as stats= takes them, in enum order, NULL-terminated: the one
 * list of them (the option, the results block, build/stats-levels.tsv).
 */
extern const char *const stats_level_names[];

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
	u32 *samples; /* NULL: count, sum, min and max only */
};

/* A sample into s, whose samples array holds STAT_SAMPLES. */
void stats_add(struct sample_set *s, u64 value, u64 *rng);
/* Sorts the kept samples; q in 0..100. */
u64 stats_quantile(struct sample_set *s, unsigned q);

extern enum stats_level exit_stats_level;

/* At boot, when any run has stats=full: every sample reservoir, so that no exit allocates. */
void exit_stats_reserve(void);
/* Before each guest run, at the level hv_opts.stats says: forget the last run's statistics. */
void exit_stats_init(void);

extern u64 exit_stats_start;

/* At VM exit: where the exit's handling starts, read only for stats=full. */
static inline void exit_stats_clock(void)
{
	if (exit_stats_level == STATS_FULL)
		exit_stats_start = rdtsc();
}

/* Record the exit just handled (hv/exit/vmexit.c), timed from exit_stats_clock(). */
void exit_stats_record(u32 reason);
/* What was recorded for a reason (reason < EXIT_REASON_MAX). */
struct sample_set *exit_stats_of(u32 reason, enum stat_metric m);

#endif
