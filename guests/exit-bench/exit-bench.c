/*
 * exit-bench: the round-trip cost of the exits a guest can provoke
 * (CPUID, VMCALL, an intercepted RDMSR, intercepted port I/O) and of its
 * own PMU accesses (WRMSR of PERFEVTSEL0, PMC0 and GLOBAL_CTRL, RDPMC of
 * GP counter 0), which exit or not depending on the strategy, with the
 * PMU idle (GLOBAL_CTRL 0) and active (every counter counting), measured
 * with the TSC and, where they count, the fixed counters; then a short
 * PMU-heavy workload whose counts are reported, to compare counts across
 * strategies. Results go out as a results block (source "guest").
 *
 * Command line: iters=N (default 1000, at most MAX_ITERS).
 */
#include "lib/sort.h"
#include "guests/lib/guest.h"
#include "hv/base/hypercall.h"
#include "lib/printf.h"
#include "lib/string.h"

#define MAX_ITERS 4096
#define MSR_IA32_PMC0 0xc1
#define MSR_PERFEVTSEL0 0x186
#define MSR_FIXED_CTR0 0x309
#define MSR_FIXED_CTR_CTRL 0x38d
#define MSR_GLOBAL_CTRL 0x38f
#define EVTSEL_USR (1u << 16)
#define EVTSEL_OS (1u << 17)
#define EVTSEL_EN (1u << 22)
#define RDPMC_FIXED (1u << 30)

const char guest_name[] = "exit-bench";

static u32 samples[MAX_ITERS];
static u32 nr_gp, nr_fixed;
static bool fixed_counts; /* RDPMC of the fixed counters works and they count */

/*
 * The guest's own PMU accesses come after the exits: whether they exit at
 * all depends on the strategy (or, under KVM, its vPMU), and a guest with
 * no GP counter has none. Each writes the value the MSR already holds, so
 * the counting goes on as it was.
 */
enum exit_kind {
	KIND_CPUID,
	KIND_VMCALL,
	KIND_RDMSR,
	KIND_IO,
	KIND_WRMSR_PERFEVTSEL0,
	KIND_WRMSR_PMC0,
	KIND_WRMSR_GLOBAL_CTRL,
	KIND_RDPMC0,
	NR_KINDS
};
#define FIRST_PMU_KIND KIND_WRMSR_PERFEVTSEL0
static const char *const kind_names[NR_KINDS] = {
	"CPUID",
	"VMCALL",
	"MSR_READ",
	"IO_INSTRUCTION",
	"WRMSR_PERFEVTSEL0",
	"WRMSR_PMC0",
	"WRMSR_GLOBAL_CTRL",
	"RDPMC0",
};
/* What PERFEVTSEL0 and GLOBAL_CTRL hold (pmu_idle, pmu_active): the PMU kinds write it back. */
static u64 cur_evtsel0, cur_global_ctrl;

static inline u64 tsc_fenced(void)
{
	asm volatile("lfence" ::: "memory");
	return rdtsc();
}

static inline __attribute__((always_inline)) void provoke(enum exit_kind k)
{
	switch (k) {
	case KIND_CPUID:
		(void)cpuid(0, 0);
		break;
	case KIND_VMCALL:
		(void)vmcall(HC_PING, 0, 0, 0);
		break;
	case KIND_RDMSR:
		(void)rdmsr(HV_BENCH_MSR);
		break;
	case KIND_IO:
		(void)inl(HV_TEST_PORT);
		break;
	case KIND_WRMSR_PERFEVTSEL0:
		wrmsr(MSR_PERFEVTSEL0, cur_evtsel0);
		break;
	case KIND_WRMSR_PMC0:
		wrmsr(MSR_IA32_PMC0, 0);
		break;
	case KIND_WRMSR_GLOBAL_CTRL:
		wrmsr(MSR_GLOBAL_CTRL, cur_global_ctrl);
		break;
	case KIND_RDPMC0:
		(void)rdpmc(0);
		break;
	default:
		break;
	}
}

static void report(const char *kind, const char *metric, u32 n)
{
	u64 sum = 0;

	for (u32 i = 0; i < n; i++)
		sum += samples[i];
	sort_u32(samples, n);
	guest_printf("data,guest,%s,%s,n,%u\n", kind, metric, n);
	guest_printf("data,guest,%s,%s,min,%u\n", kind, metric, samples[0]);
	guest_printf("data,guest,%s,%s,median,%u\n", kind, metric, samples[(n - 1) / 2]);
	guest_printf("data,guest,%s,%s,p99,%u\n", kind, metric, samples[(n - 1) * 99 / 100]);
	guest_printf("data,guest,%s,%s,max,%u\n", kind, metric, samples[n - 1]);
	guest_printf("data,guest,%s,%s,mean,%llu\n", kind, metric, (unsigned long long)(sum / n));
}

/*
 * The round trip of one exit. Inlined per kind, so that the loop holds
 * nothing but the exiting instruction; NR_KINDS measures the same loop
 * without it: the measurement's own ticks, which exit_tsc leaves out.
 */
static inline __attribute__((always_inline)) u32 measure_tsc(enum exit_kind k, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		u64 t = tsc_fenced();
		if (k != NR_KINDS)
			provoke(k);
		samples[i] = (u32)(tsc_fenced() - t);
	}
	sort_u32(samples, n);
	return samples[(n - 1) / 2];
}

static u32 measure_tsc_kind(enum exit_kind k, u32 n)
{
	switch (k) {
	case KIND_CPUID:
		return measure_tsc(KIND_CPUID, n);
	case KIND_VMCALL:
		return measure_tsc(KIND_VMCALL, n);
	case KIND_RDMSR:
		return measure_tsc(KIND_RDMSR, n);
	case KIND_IO:
		return measure_tsc(KIND_IO, n);
	case KIND_WRMSR_PERFEVTSEL0:
		return measure_tsc(KIND_WRMSR_PERFEVTSEL0, n);
	case KIND_WRMSR_PMC0:
		return measure_tsc(KIND_WRMSR_PMC0, n);
	case KIND_WRMSR_GLOBAL_CTRL:
		return measure_tsc(KIND_WRMSR_GLOBAL_CTRL, n);
	case KIND_RDPMC0:
		return measure_tsc(KIND_RDPMC0, n);
	default:
		return measure_tsc(NR_KINDS, n);
	}
}

/* Fixed counter j (0 instructions, 1 cycles) across one round trip, as the guest sees it. */
static void measure_fixed(enum exit_kind k, const char *kind, u32 j, const char *metric, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		u64 c = rdpmc(RDPMC_FIXED | j);
		provoke(k);
		samples[i] = (u32)(rdpmc(RDPMC_FIXED | j) - c);
	}
	report(kind, metric, n);
}

static void pmu_idle(void)
{
	if (nr_gp || nr_fixed)
		wrmsr(MSR_GLOBAL_CTRL, 0);
	cur_global_ctrl = 0;
	cur_evtsel0 = nr_gp ? rdmsr(MSR_PERFEVTSEL0) : 0;
}

/* Every counter the guest has counts, in all rings: the most state a switch must carry. */
static void pmu_active(void)
{
	static const u32 events[] = { 0xc0, 0x3c, 0x2e4f,
				      0x2e41 }; /* instr, cycles, LLC ref/miss */
	u64 ctrl = 0, fixed_ctrl = 0;

	wrmsr(MSR_GLOBAL_CTRL, 0);
	for (u32 i = 0; i < nr_gp; i++) {
		u32 ev = events[i % 4];
		wrmsr(MSR_IA32_PMC0 + i, 0);
		wrmsr(MSR_PERFEVTSEL0 + i, EVTSEL_EN | EVTSEL_OS | EVTSEL_USR | ev);
		ctrl |= 1ull << i;
	}
	for (u32 j = 0; j < nr_fixed; j++) {
		wrmsr(MSR_FIXED_CTR0 + j, 0);
		fixed_ctrl |= 3ull << (4 * j);
		ctrl |= 1ull << (32 + j);
	}
	wrmsr(MSR_FIXED_CTR_CTRL, fixed_ctrl);
	wrmsr(MSR_GLOBAL_CTRL, ctrl);
	cur_global_ctrl = ctrl;
	cur_evtsel0 = nr_gp ? rdmsr(MSR_PERFEVTSEL0) : 0;
}

static void detect_pmu(void)
{
	struct cpuid_regs r = cpuid(0xa, 0);
	u64 a, b;

	if ((r.eax & 0xff) >= 2) {
		nr_gp = (r.eax >> 8) & 0xff;
		nr_fixed = r.edx & 0x1f;
	}
	if (nr_gp > 8)
		nr_gp = 8;
	if (nr_fixed < 2)
		return;
	pmu_active();
	fixed_counts = rdpmc_safe(RDPMC_FIXED | 0, &a) && rdpmc_safe(RDPMC_FIXED | 0, &b) && b != a;
	pmu_idle();
}

/*
 * tsc is the round trip as the guest sees it; exit_tsc the same minus the
 * measurement's own ticks (the median of an empty measurement): the VM
 * exit, the hypervisor's path and the VM entry. In Bochs, where the TSC
 * counts instructions, it is the hypervisor's path length from VM exit to
 * VMRESUME, plus the one or two instructions that load the exit's operands.
 */
static void run_kinds(const char *suffix, u32 n)
{
	u32 empty = measure_tsc_kind(NR_KINDS, n);
	char kind[48];

	snprintf_hv(kind, sizeof(kind), "empty%s", suffix);
	report(kind, "tsc", n);
	for (int k = 0; k < NR_KINDS; k++) {
		u32 median;

		if (k >= FIRST_PMU_KIND && !nr_gp)
			break;

		snprintf_hv(kind, sizeof(kind), "%s%s", kind_names[k], suffix);
		median = measure_tsc_kind((enum exit_kind)k, n);
		report(kind, "tsc", n);
		guest_printf("data,guest,%s,exit_tsc,median,%u\n", kind,
			     median > empty ? median - empty : 0);
		if (fixed_counts && *suffix) {
			measure_fixed((enum exit_kind)k, kind, 0, "guest_instructions", n);
			measure_fixed((enum exit_kind)k, kind, 1, "guest_cycles", n);
		}
	}
}

/* Arithmetic with an exit every 64 iterations: its counts must not depend on the strategy. */
static void workload(void)
{
	volatile u32 x = 1;
	u64 t = rdtsc();

	pmu_active();
	for (u32 i = 0; i < 20000; i++) {
		x = x * 1103515245u + 12345u;
		if ((i & 63) == 0)
			(void)cpuid(0, 0);
	}
	pmu_idle();
	guest_printf("data,guest,workload,tsc,value,%llu\n", (unsigned long long)(rdtsc() - t));
	for (u32 j = 0; j < nr_fixed; j++)
		guest_printf("data,guest,workload,fixed%u,value,%llu\n", j,
			     (unsigned long long)rdmsr(MSR_FIXED_CTR0 + j));
	for (u32 i = 0; i < nr_gp; i++)
		guest_printf("data,guest,workload,pmc%u,value,%llu\n", i,
			     (unsigned long long)rdmsr(MSR_IA32_PMC0 + i));
}

static u32 arg_iters(const char *cmdline)
{
	const char *p = cmdline;
	u32 n = 0;

	for (; *p; p++)
		if ((p == cmdline || p[-1] == ' ') && !strncmp(p, "iters=", 6))
			break;
	if (!*p)
		return 1000;
	for (p += 6; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (u32)(*p - '0');
	return n < 1 ? 1 : n > MAX_ITERS ? MAX_ITERS : n;
}

int guest_main(const char *cmdline)
{
	u32 n = arg_iters(cmdline);

	detect_pmu();
	guest_printf("# exit-bench: %u iterations per kind; %u GP and %u fixed counters%s\n", n,
		     nr_gp, nr_fixed, fixed_counts ? ", fixed counters count" : "");
	guest_printf("=== pmuvisor results begin ===\n");
	guest_printf("meta,guest,exit-bench\nmeta,iterations,%u\n", n);
	guest_printf("meta,guest_fixed_counters_count,%u\n", fixed_counts ? 1 : 0);
	pmu_idle();
	run_kinds("", n);
	if (nr_gp || nr_fixed) {
		pmu_active();
		run_kinds("_pmu_active", n);
		pmu_idle();
		workload();
	}
	guest_printf("=== end ===\n");
	guest_exit(GUEST_STATUS_PASS);
}
