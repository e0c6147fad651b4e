/*
 * hv/exit/stats.c: what each stats= level costs the exit path. The exit
 * path calls exit_stats_clock() on every exit and exit_stats_record() when
 * the level is above off (hv/exit/vmexit.c): with stats=off and counts
 * neither may read the TSC, with full each exit reads it exactly twice.
 */
#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "arch/x86/frame.h"
#include "arch/x86/vmcs.h"
#include "hv/exit/stats.h"
#include "hv/boot/multiboot2.h"
#include "hv/run/options.h"
#include "hv/pmu/pmu.h"

#define MiB (1ULL << 20)

static void set_level(enum stats_level level)
{
	options_set_defaults(&hv_opts);
	hv_opts.stats = level;
	exit_stats_init();
}

/* One exit as the exit path sees it, with the PMU accesses a switch made. */
static void one_exit(u32 reason, u32 rdmsrs, u32 wrmsrs)
{
	exit_stats_clock();
	pmu.access = (struct pmu_access_count){ rdmsrs, wrmsrs, 0 };
	exit_stats_record(reason);
}

TEST(stats_off_and_counts_read_no_tsc)
{
	set_level(STATS_OFF);
	exit_stats_clock();
	CHECK_EQ_U64(model_tsc_reads(), 0);

	set_level(STATS_COUNTS);
	for (int i = 0; i < 3000; i++)
		one_exit(EXIT_REASON_CPUID, 2, 3);
	CHECK_EQ_U64(model_tsc_reads(), 0);
	/* what counts keeps: the total and the largest, no samples */
	CHECK_EQ_U64(exit_stats_of(EXIT_REASON_CPUID, STAT_PMU_ACCESSES)->n, 3000);
	CHECK_EQ_U64(exit_stats_of(EXIT_REASON_CPUID, STAT_PMU_ACCESSES)->sum, 15000);
	CHECK_EQ_U64(exit_stats_of(EXIT_REASON_CPUID, STAT_PMU_WRMSR)->max, 3);
	CHECK(exit_stats_of(EXIT_REASON_CPUID, STAT_PMU_ACCESSES)->samples == NULL);
	CHECK_EQ_U64(exit_stats_of(EXIT_REASON_CPUID, STAT_TSC)->n, 0);
}

TEST(stats_full_reads_the_tsc_twice_per_exit_and_samples_every_exit)
{
	const struct mem_region ram = { 16 * MiB, 4 * MiB, MB2_MEMORY_AVAILABLE };
	struct sample_set *tsc;

	model_mem_map(16 * MiB, 4 * MiB, 0xcc);
	CHECK(frame_init(&ram, 1, NULL, 0));
	exit_stats_reserve();
	set_level(STATS_FULL);
	model_tsc_set(1000, 7); /* every RDTSC 7 ticks after the last */
	for (int i = 0; i < 2 * STAT_SAMPLES + 5; i++)
		one_exit(EXIT_REASON_VMCALL, 1, 0);
	CHECK_EQ_U64(model_tsc_reads(), 2 * (2 * STAT_SAMPLES + 5));
	tsc = exit_stats_of(EXIT_REASON_VMCALL, STAT_TSC);
	CHECK_EQ_U64(tsc->n, 2 * STAT_SAMPLES + 5);
	CHECK_EQ_U64(tsc->kept, STAT_SAMPLES); /* the reservoir is full, and stays so */
	CHECK_EQ_U64(stats_quantile(tsc, 50), 7);
	CHECK_EQ_U64(exit_stats_of(EXIT_REASON_VMCALL, STAT_PMU_RDMSR)->sum, 2 * STAT_SAMPLES + 5);

	/* the next run starts from nothing */
	set_level(STATS_FULL);
	CHECK_EQ_U64(exit_stats_of(EXIT_REASON_VMCALL, STAT_TSC)->n, 0);
	CHECK_EQ_U64(exit_stats_of(EXIT_REASON_VMCALL, STAT_TSC)->kept, 0);
}
