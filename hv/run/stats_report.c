/* The exit statistics at guest end: a table for people, a results block for scripts/bench. */
#include "hv/run/stats_report.h"
#include "hv/exit/stats.h"
#include "hv/cpu/vcpu.h"
#include "hv/base/log.h"
#include "hv/run/options.h"
#include "hv/base/platform_info.h"
#include "hv/pmu/pmu.h"
#include "hv/run/runs.h"
#include "arch/x86/vmx.h"

static const char *const metric_names[NR_STAT_METRICS] = {
	[STAT_TSC] = "tsc",
	[STAT_CYCLES] = "cycles",
	[STAT_INSTRUCTIONS] = "instructions",
	[STAT_PMU_ACCESSES] = "pmu_msr_accesses",
	[STAT_PMU_RDMSR] = "pmu_rdmsr",
	[STAT_PMU_WRMSR] = "pmu_wrmsr",
	[STAT_PMU_RDPMC] = "pmu_rdpmc",
};

static void print_human_table(void)
{
	pr_info("exit statistics (stats=%s):", stats_level_names[exit_stats_level]);
	pr_info("  %-22s %10s %10s %10s %10s %8s", "reason", "count", "tsc med", "cycles med",
		"instr med", "pmu msrs");
	for (u32 r = 0; r < EXIT_REASON_MAX; r++) {
		if (!vcpu.exit_counts[r])
			continue;
		if (exit_stats_level == STATS_OFF) {
			pr_info("  %-17s (%2u) %10llu", exit_reason_name(r), r,
				(unsigned long long)vcpu.exit_counts[r]);
			continue;
		}
		if (exit_stats_level == STATS_COUNTS) { /* no samples, no medians */
			pr_info("  %-17s (%2u) %10llu %10s %10s %10s %8llu", exit_reason_name(r), r,
				(unsigned long long)vcpu.exit_counts[r], "-", "-", "-",
				(unsigned long long)exit_stats_of(r, STAT_PMU_ACCESSES)->max);
			continue;
		}
		pr_info("  %-17s (%2u) %10llu %10llu %10llu %10llu %8llu", exit_reason_name(r), r,
			(unsigned long long)vcpu.exit_counts[r],
			(unsigned long long)stats_quantile(exit_stats_of(r, STAT_TSC), 50),
			(unsigned long long)stats_quantile(exit_stats_of(r, STAT_CYCLES), 50),
			(unsigned long long)stats_quantile(exit_stats_of(r, STAT_INSTRUCTIONS), 50),
			(unsigned long long)exit_stats_of(r, STAT_PMU_ACCESSES)->max);
	}
	pr_info("  %-22s %10llu", "total", (unsigned long long)vcpu_exits_total());
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
	console_printf("meta,pmu,%s\n", pmu_strategy_name());
	console_printf("meta,global_ctrl,%s\n",
		       pmu.global_ctrl_mode == GLOBAL_CTRL_LISTS ? "lists" : "vmcs");
	console_printf("meta,pmu_read,%s\n", pmu.use_rdpmc ? "rdpmc" : "rdmsr");
	console_printf("meta,stats,%s\n", stats_level_names[exit_stats_level]);
	console_printf("meta,hv_status,%d\n", guest_status);
	for (u32 r = 0; r < EXIT_REASON_MAX; r++) {
		if (!vcpu.exit_counts[r])
			continue;
		console_printf("data,hv,%s,count,value,%llu\n", exit_reason_name(r),
			       (unsigned long long)vcpu.exit_counts[r]);
		for (int m = 0; m < NR_STAT_METRICS; m++)
			print_set(exit_reason_name(r), (enum stat_metric)m,
				  exit_stats_of(r, (enum stat_metric)m));
	}
	console_printf("data,hv,ALL,count,value,%llu\n", (unsigned long long)vcpu_exits_total());
	console_printf("=== end ===\n");
}

void exit_stats_print(int guest_status)
{
	runs_smi_count_at_end(); /* before the printing, which takes long on a serial line */
	print_human_table();
	print_results_block(guest_status);
}
