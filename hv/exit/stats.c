#include "lib/sort.h"
#include "hv/exit/stats.h"
#include "arch/x86/frame.h"
#include "hv/log.h"
#include "hv/options.h"
#include "hv/platform_info.h"
#include "hv/pmu/pmu.h"
#include "hv/cpu/vcpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmx.h"

struct reason_stats {
	struct sample_set m[NR_STAT_METRICS];
};

static struct reason_stats *stats[EXIT_REASON_MAX];
static u64 rng_state = 0x9e3779b97f4a7c15ULL;
static bool out_of_memory;

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
		u64 j = xorshift(rng) % s->n;
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

static struct reason_stats *stats_for(u32 reason)
{
	u32 frames = (NR_STAT_METRICS * STAT_SAMPLES * 4 + PAGE_SIZE - 1) / PAGE_SIZE;
	struct reason_stats *rs;
	u64 mem;

	if (stats[reason] || out_of_memory)
		return stats[reason];
	mem = frame_alloc_contig(frames + 1);
	if (!mem) {
		out_of_memory = true;
		pr_warn("exit statistics: out of memory, sampling stops");
		return NULL;
	}
	rs = phys_to_virt(mem);
	for (int m = 0; m < NR_STAT_METRICS; m++)
		rs->m[m].samples = (u32 *)phys_to_virt(mem + PAGE_SIZE) + m * STAT_SAMPLES;
	return stats[reason] = rs;
}

void exit_stats_record(u32 reason, u64 tsc_ticks)
{
	struct reason_stats *rs = reason < EXIT_REASON_MAX ? stats_for(reason) : NULL;
	const struct pmu_access_count *a = &pmu.access;

	if (!rs)
		return;
	stats_add(&rs->m[STAT_TSC], tsc_ticks, &rng_state);
	if (pmu.measured) {
		stats_add(&rs->m[STAT_CYCLES], pmu.host_cycles, &rng_state);
		stats_add(&rs->m[STAT_INSTRUCTIONS], pmu.host_instructions, &rng_state);
	}
	stats_add(&rs->m[STAT_PMU_ACCESSES], a->rdmsr + a->wrmsr + a->rdpmc, &rng_state);
	stats_add(&rs->m[STAT_PMU_RDMSR], a->rdmsr, &rng_state);
	stats_add(&rs->m[STAT_PMU_WRMSR], a->wrmsr, &rng_state);
	stats_add(&rs->m[STAT_PMU_RDPMC], a->rdpmc, &rng_state);
}

static void print_human_table(void)
{
	pr_info("exit statistics:");
	pr_info("  %-22s %10s %10s %10s %10s %8s", "reason", "count", "tsc med", "cycles med",
		"instr med", "pmu msrs");
	for (u32 r = 0; r < EXIT_REASON_MAX; r++) {
		struct reason_stats *rs = stats[r];
		if (!vcpu.exit_counts[r])
			continue;
		if (!rs) {
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

static void print_set(const char *reason, enum stat_metric m, struct sample_set *s)
{
	const char *name = metric_names[m];
	u64 mean100 = s->n ? s->sum * 100 / s->n : 0;

	if (!s->n)
		return;
	console_printf("data,hv,%s,%s,min,%llu\n", reason, name, (unsigned long long)s->min);
	console_printf("data,hv,%s,%s,median,%llu\n", reason, name,
		       (unsigned long long)stats_quantile(s, 50));
	console_printf("data,hv,%s,%s,p99,%llu\n", reason, name,
		       (unsigned long long)stats_quantile(s, 99));
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
	console_printf("meta,pmu,%s\n", pmu.ops ? pmu.ops->name : "?");
	console_printf("meta,global_ctrl,%s\n",
		       pmu.global_ctrl_mode == GLOBAL_CTRL_LISTS ? "lists" : "vmcs");
	console_printf("meta,pmu_read,%s\n", pmu.use_rdpmc ? "rdpmc" : "rdmsr");
	console_printf("meta,hv_status,%d\n", guest_status);
	for (u32 r = 0; r < EXIT_REASON_MAX; r++) {
		if (!vcpu.exit_counts[r])
			continue;
		console_printf("data,hv,%s,count,value,%llu\n", exit_reason_name(r),
			       (unsigned long long)vcpu.exit_counts[r]);
		for (int m = 0; stats[r] && m < NR_STAT_METRICS; m++)
			print_set(exit_reason_name(r), (enum stat_metric)m, &stats[r]->m[m]);
	}
	console_printf("data,hv,ALL,count,value,%llu\n", (unsigned long long)vcpu.exits_total);
	console_printf("=== end ===\n");
}

void exit_stats_print(int guest_status)
{
	print_human_table();
	print_results_block(guest_status);
}
