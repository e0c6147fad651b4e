/*
 * Collecting the exit statistics; hv/run/stats_report.c prints them.
 * Only the part the exit path runs is here, so that the host unit tests
 * can check what each level costs it (tests/unit/test_stats.c).
 */
#include "lib/sort.h"
#include "hv/exit/stats.h"
#include "arch/x86/frame.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmcs.h"
#include "hv/base/log.h"
#include "hv/base/options.h"
#include "hv/base/status.h"
#include "hv/pmu/pmu.h"

struct reason_stats {
	struct sample_set m[NR_STAT_METRICS];
};

const char *const stats_level_names[] = {
	[STATS_OFF] = "off", [STATS_COUNTS] = "counts", [STATS_FULL] = "full", NULL
};
enum stats_level exit_stats_level;
u64 exit_stats_start;
static struct reason_stats stats[EXIT_REASON_MAX];
static u32 *sample_memory; /* stats=full: every reservoir, allocated once */
static u64 rng_state;

static u64 xorshift(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A uniform index in 0..n-1 from the high half of a 64x64-bit product: no division. */
static u64 random_below(u64 n, u64 *rng)
{
	return (u64)(((unsigned __int128)xorshift(rng) * n) >> 64);
}

/* Reservoir sampling keeps a uniform sample of every exit, not just the first ones. */
void stats_add(struct sample_set *s, u64 value, u64 *rng)
{
	u32 v = (u32)MIN(value, 0xffffffffULL);

	s->min = s->n ? MIN(s->min, value) : value;
	s->max = MAX(s->max, value);
	s->sum += value;
	s->n++;
	if (s->kept < STAT_SAMPLES) {
		s->samples[s->kept++] = v;
	} else {
		u64 j = random_below(s->n, rng);
		if (j < STAT_SAMPLES)
			s->samples[j] = v;
	}
}

u64 stats_quantile(struct sample_set *s, unsigned q)
{
	if (!s->kept)
		return 0;
	sort_u32(s->samples, s->kept);
	return s->samples[(u64)(s->kept - 1) * q / 100];
}

void exit_stats_reserve(void)
{
	u64 bytes = (u64)EXIT_REASON_MAX * NR_STAT_METRICS * STAT_SAMPLES * sizeof(u32);
	u64 mem;

	if (sample_memory)
		return;
	mem = frame_alloc_contig((unsigned)((bytes + PAGE_SIZE - 1) / PAGE_SIZE));
	if (!mem)
		hv_fail(HV_STATUS_HV_FAULT, "out of memory for the exit statistics (%llu KiB)",
			(unsigned long long)(bytes >> 10));
	sample_memory = phys_to_virt(mem);
}

void exit_stats_init(void)
{
	exit_stats_level = (enum stats_level)hv_opts.stats;
	if (exit_stats_level == STATS_FULL && !sample_memory)
		panic("exit statistics: stats=full without exit_stats_reserve() at boot");
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (u32 r = 0; r < EXIT_REASON_MAX; r++)
		for (int m = 0; m < NR_STAT_METRICS; m++)
			stats[r].m[m] = (struct sample_set){
				.samples = exit_stats_level == STATS_FULL
						   ? sample_memory + (r * NR_STAT_METRICS + m) *
									     STAT_SAMPLES
						   : NULL,
			};
}

/* stats=counts: the total and the largest, nothing that branches on the value's history. */
static inline void stats_count(struct sample_set *s, u64 value)
{
	s->n++;
	s->sum += value;
	s->max = MAX(s->max, value);
}

void exit_stats_record(u32 reason)
{
	u64 ticks = exit_stats_level == STATS_FULL ? rdtsc() - exit_stats_start : 0;
	const struct pmu_access_count *a = &pmu.access;
	struct reason_stats *rs;

	if (reason >= EXIT_REASON_MAX)
		return;
	rs = &stats[reason];
	if (exit_stats_level == STATS_COUNTS) {
		stats_count(&rs->m[STAT_PMU_ACCESSES], a->rdmsr + a->wrmsr + a->rdpmc);
		stats_count(&rs->m[STAT_PMU_RDMSR], a->rdmsr);
		stats_count(&rs->m[STAT_PMU_WRMSR], a->wrmsr);
		stats_count(&rs->m[STAT_PMU_RDPMC], a->rdpmc);
		return;
	}
	stats_add(&rs->m[STAT_PMU_ACCESSES], a->rdmsr + a->wrmsr + a->rdpmc, &rng_state);
	stats_add(&rs->m[STAT_PMU_RDMSR], a->rdmsr, &rng_state);
	stats_add(&rs->m[STAT_PMU_WRMSR], a->wrmsr, &rng_state);
	stats_add(&rs->m[STAT_PMU_RDPMC], a->rdpmc, &rng_state);
	if (pmu.measured) {
		stats_add(&rs->m[STAT_CYCLES], pmu.host_cycles, &rng_state);
		stats_add(&rs->m[STAT_INSTRUCTIONS], pmu.host_instructions, &rng_state);
	}
	stats_add(&rs->m[STAT_TSC], ticks, &rng_state);
}

struct sample_set *exit_stats_of(u32 reason, enum stat_metric m)
{
	return &stats[reason].m[m];
}
