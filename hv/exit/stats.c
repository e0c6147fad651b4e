#include "lib/sort.h"
#include "hv/exit/stats.h"
#include "arch/x86/frame.h"
#include "hv/log.h"
#include "hv/options.h"
#include "hv/platform_info.h"
#include "hv/runs.h"
#include "hv/status.h"
#include "hv/pmu/pmu.h"
#include "hv/cpu/vcpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmx.h"

struct reason_stats {
	struct sample_set m[NR_STAT_METRICS];
};

enum stats_level exit_stats_level;
u64 exit_stats_start;
static struct reason_stats stats[EXIT_REASON_MAX];
static u32 *sample_memory; /* stats=full: every reservoir, allocated once */
static u64 rng_state;

static const char *const metric_names[NR_STAT_METRICS] = {
	[STAT_TSC] = "tsc",
	[STAT_CYCLES] = "cycles",
	[STAT_INSTRUCTIONS] = "instructions",
	[STAT_PMU_ACCESSES] = "pmu_msr_accesses",
	[STAT_PMU_RDMSR] = "pmu_rdmsr",
	[STAT_PMU_WRMSR] = "pmu_wrmsr",
	[STAT_PMU_RDPMC] = "pmu_rdpmc",
};

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
	if (!s->samples)
		return;
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

static const char *const level_names[] = { "off", "counts", "full" };

static void print_human_table(void)
{
	pr_info("exit statistics (stats=%s):", level_names[exit_stats_level]);
	pr_info("  %-22s %10s %10s %10s %10s %8s", "reason", "count", "tsc med", "cycles med",
		"instr med", "pmu msrs");
	for (u32 r = 0; r < EXIT_REASON_MAX; r++) {
		struct reason_stats *rs = &stats[r];
		if (!vcpu.exit_counts[r])
			continue;
		if (exit_stats_level == STATS_OFF) {
			pr_info("  %-17s (%2u) %10llu", exit_reason_name(r), r,
				(unsigned long long)vcpu.exit_counts[r]);
			continue;
		}
		pr_info("  %-17s (%2u) %10llu %10llu %10llu %10llu %8llu", exit_reason_name(r), r,
			(unsigned long long)vcpu.exit_counts[r],
			(unsigned long long)stats_quantile(&rs->m[STAT_TSC], 50),
			(unsigned long long)stats_quantile(&rs->m[STAT_CYCLES], 50),
			(unsigned long long)stats_quantile(&rs->m[STAT_INSTRUCTIONS], 50),
			(unsigned long long)rs->m[STAT_PMU_ACCESSES].max);
	}
	pr_info("  %-22s %10llu", "total", (unsigned long long)vcpu.exits_total);
	if (vcpu.dropped_init_sipi)
		pr_info("  INIT/SIPI dropped: %llu", (unsigned long long)vcpu.dropped_init_sipi);
	if (vcpu.test_port_writes)
		pr_info("  test port writes: %llu", (unsigned long long)vcpu.test_port_writes);
}

/* Without samples (stats=counts) there is no min, median or p99: the total instead. */
static void print_set(const char *reason, enum stat_metric m, struct sample_set *s)
{
	const char *name = metric_names[m];
	u64 mean100 = s->n ? s->sum * 100 / s->n : 0;

	if (!s->n)
		return;
	if (s->samples) {
		console_printf("data,hv,%s,%s,min,%llu\n", reason, name,
			       (unsigned long long)s->min);
		console_printf("data,hv,%s,%s,median,%llu\n", reason, name,
			       (unsigned long long)stats_quantile(s, 50));
		console_printf("data,hv,%s,%s,p99,%llu\n", reason, name,
			       (unsigned long long)stats_quantile(s, 99));
	} else {
		console_printf("data,hv,%s,%s,total,%llu\n", reason, name,
			       (unsigned long long)s->sum);
	}
	console_printf("data,hv,%s,%s,max,%llu\n", reason, name, (unsigned long long)s->max);
	console_printf("data,hv,%s,%s,mean,%llu.%02llu\n", reason, name,
		       (unsigned long long)(mean100 / 100), (unsigned long long)(mean100 % 100));
}

static void print_results_block(int guest_status)
{
	char opts[512];

	options_format(&hv_opts, opts, sizeof(opts));
	console_printf("=== pmuvisor results begin ===\n");
	platform_print_meta();
	console_printf("meta,hv_options,%s\n", opts);
	runs_print_meta();
	console_printf("meta,pmu,%s\n", pmu.ops ? pmu.ops->name : "?");
	console_printf("meta,global_ctrl,%s\n",
		       pmu.global_ctrl_mode == GLOBAL_CTRL_LISTS ? "lists" : "vmcs");
	console_printf("meta,pmu_read,%s\n", pmu.use_rdpmc ? "rdpmc" : "rdmsr");
	console_printf("meta,stats,%s\n", level_names[exit_stats_level]);
	console_printf("meta,hv_status,%d\n", guest_status);
	for (u32 r = 0; r < EXIT_REASON_MAX; r++) {
		if (!vcpu.exit_counts[r])
			continue;
		console_printf("data,hv,%s,count,value,%llu\n", exit_reason_name(r),
			       (unsigned long long)vcpu.exit_counts[r]);
		for (int m = 0; m < NR_STAT_METRICS; m++)
			print_set(exit_reason_name(r), (enum stat_metric)m, &stats[r].m[m]);
	}
	console_printf("data,hv,ALL,count,value,%llu\n", (unsigned long long)vcpu.exits_total);
	console_printf("=== end ===\n");
}

void exit_stats_print(int guest_status)
{
	print_human_table();
	print_results_block(guest_status);
}
