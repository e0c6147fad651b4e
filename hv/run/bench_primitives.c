/*
 * bench_primitives=1: the cost of the primitives the strategies are made
 * of, measured on the machine at hand before the guest starts: RDMSR,
 * WRMSR and RDPMC of each PMU MSR, and a VM round trip (entry + exit of a
 * guest stub that executes VMCALL) with no MSR list, with one
 * IA32_PERF_GLOBAL_CTRL entry in each of the three lists, and with the
 * dedicated "load IA32_PERF_GLOBAL_CTRL" controls instead. This answers,
 * here, whether a list entry costs "100+ cycles" more than a VMCS field.
 * TSC ticks, lfence-ordered; in an emulator they are path lengths.
 */
#include "hv/run/bench_primitives.h"
#include "hv/exit/stats.h"
#include "arch/x86/frame.h"
#include "hv/base/log.h"
#include "hv/pmu/pmu.h"
#include "hv/cpu/probe.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmx.h"
#include "hv/base/platform_info.h"
#include "hv/cpu/vmx_enable.h"
#include "lib/printf.h"
#include "lib/string.h"

#define ITERATIONS 256

static struct sample_set set;
static u64 rng = 0x2545f4914f6cdd1dULL;

static void sample_reset(u32 *buf)
{
	set = (struct sample_set){ .samples = buf };
}

static void report(const char *kind, u32 *buf)
{
	console_printf("data,prim,%s,tsc,min,%llu\n", kind, (unsigned long long)set.min);
	console_printf("data,prim,%s,tsc,median,%llu\n", kind,
		       (unsigned long long)stats_quantile(&set, 50));
	console_printf("data,prim,%s,tsc,max,%llu\n", kind, (unsigned long long)set.max);
	(void)buf;
}

static inline u64 tsc_fenced(void)
{
	asm volatile("lfence" ::: "memory");
	return rdtsc();
}

static void bench_rdmsr(u32 msr, const char *name, u32 *buf)
{
	char kind[48];

	sample_reset(buf);
	for (int i = 0; i < ITERATIONS; i++) {
		u64 t = tsc_fenced();
		(void)rdmsr(msr);
		stats_add(&set, tsc_fenced() - t, &rng);
	}
	snprintf_hv(kind, sizeof(kind), "RDMSR_%s", name);
	report(kind, buf);
}

static void bench_wrmsr(u32 msr, u64 value, const char *name, u32 *buf)
{
	char kind[48];

	sample_reset(buf);
	for (int i = 0; i < ITERATIONS; i++) {
		u64 t = tsc_fenced();
		wrmsr(msr, value);
		stats_add(&set, tsc_fenced() - t, &rng);
	}
	snprintf_hv(kind, sizeof(kind), "WRMSR_%s", name);
	report(kind, buf);
}

/* RDMSR, then WRMSR of the value read: the register is left as it was. */
static void bench_msr(u32 msr, const char *name, u32 *buf)
{
	u64 v;

	if (!rdmsr_safe(msr, &v))
		return;
	bench_rdmsr(msr, name, buf);
	bench_wrmsr(msr, v, name, buf);
}

static void bench_rdpmc(u32 ecx, const char *name, u32 *buf)
{
	char kind[48];
	u64 v;

	if (!rdpmc_safe(ecx, &v))
		return;
	sample_reset(buf);
	for (int i = 0; i < ITERATIONS; i++) {
		u64 t = tsc_fenced();
		(void)rdpmc(ecx);
		stats_add(&set, tsc_fenced() - t, &rng);
	}
	snprintf_hv(kind, sizeof(kind), "RDPMC_%s", name);
	report(kind, buf);
}

static void bench_pmu_msrs(u32 *buf)
{
	static const char *const digit[] = { "0", "1", "2", "3", "4", "5", "6", "7" };
	char name[24];
	u64 saved = rdmsr(MSR_CORE_PERF_GLOBAL_CTRL);

	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	bench_msr(MSR_CORE_PERF_GLOBAL_CTRL, "GLOBAL_CTRL", buf);
	/* GLOBAL_STATUS is read-only (a WRMSR #GPs): software writes its reset MSR. */
	bench_rdmsr(MSR_CORE_PERF_GLOBAL_STATUS, "GLOBAL_STATUS", buf);
	bench_wrmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL, 0, "GLOBAL_OVF_CTRL", buf);
	bench_msr(MSR_CORE_PERF_FIXED_CTR_CTRL, "FIXED_CTR_CTRL", buf);
	for (unsigned i = 0; i < pmu.nr_gp; i++) {
		snprintf_hv(name, sizeof(name), "PMC%s", digit[i]);
		bench_msr(msr_pmc(i, false), name, buf);
		snprintf_hv(name, sizeof(name), "PERFEVTSEL%s", digit[i]);
		bench_msr(msr_evtsel(i), name, buf);
		snprintf_hv(name, sizeof(name), "PMC%s", digit[i]);
		bench_rdpmc(i, name, buf);
	}
	for (unsigned j = 0; j < pmu.nr_fixed; j++) {
		if (!pmu_fixed_present(j))
			continue;
		snprintf_hv(name, sizeof(name), "FIXED_CTR%s", digit[j]);
		bench_msr(msr_fixed_ctr(j), name, buf);
		bench_rdpmc(RDPMC_FIXED | j, name, buf);
	}
	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, saved);
}

/* ---- VM round trips ---- */

struct transition_config {
	const char *kind;
	u32 list_count; /* entries in each of the three MSR lists */
	bool dedicated; /* the "load IA32_PERF_GLOBAL_CTRL" controls */
};

static void run_roundtrips(const char *kind, u32 *buf, struct vm_probe *probe)
{
	sample_reset(buf);
	for (int i = 0; i < ITERATIONS; i++) {
		u64 t = vm_probe_roundtrip(probe);
		if (t == ~0ULL) {
			pr_warn("bench_primitives: the probe failed for %s: VM-instruction error "
				"%d, exit reason %llu",
				kind, vmx_read_instruction_error(),
				(unsigned long long)vmread(VM_EXIT_REASON));
			return;
		}
		stats_add(&set, t, &rng);
	}
	report(kind, buf);
}

static const enum vmcs_field list_counts[3] = { VM_ENTRY_MSR_LOAD_COUNT, VM_EXIT_MSR_STORE_COUNT,
						VM_EXIT_MSR_LOAD_COUNT };
static const enum vmcs_field list_addrs[3] = { VM_ENTRY_MSR_LOAD_ADDR, VM_EXIT_MSR_STORE_ADDR,
					       VM_EXIT_MSR_LOAD_ADDR };

static void configure(const struct vm_probe *base, const struct transition_config *c, u64 list_phys)
{
	u64 exit_ctl = base->exit_ctl & ~(u64)(VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL |
					       VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL);
	u64 entry_ctl = base->entry_ctl & ~(u64)VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL;

	if (c->dedicated) {
		exit_ctl |= VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL;
		entry_ctl |= VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL;
		vmwrite(GUEST_IA32_PERF_GLOBAL_CTRL, 0);
		vmwrite(HOST_IA32_PERF_GLOBAL_CTRL, 0);
	}
	vmwrite(VM_EXIT_CONTROLS, exit_ctl);
	vmwrite(VM_ENTRY_CONTROLS, entry_ctl);
	for (int i = 0; i < 3; i++) {
		vmwrite(list_counts[i], c->list_count);
		vmwrite(list_addrs[i], list_phys);
	}
}

static void bench_transitions(u32 *buf)
{
	const struct transition_config configs[] = {
		{ "VMENTRY_EXIT_no_msr_list", 0, false },
		{ "VMENTRY_EXIT_global_ctrl_in_lists", 1, false },
		{ "VMENTRY_EXIT_global_ctrl_vmcs_fields", 0, true },
	};
	u64 list = frame_alloc_zeroed();
	struct vmx_msr_entry *e = phys_to_virt(list);
	struct vm_probe probe;

	if (!list)
		return;
	e->index = MSR_CORE_PERF_GLOBAL_CTRL;
	e->value = 0;
	vm_probe_begin(&probe);
	for (size_t i = 0; i < ARRAY_SIZE(configs); i++) {
		if (configs[i].dedicated &&
		    !(vmx_entry_control_supported(VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL) &&
		      vmx_exit_control_supported(VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL))) {
			pr_info("bench_primitives: no 'load IA32_PERF_GLOBAL_CTRL' controls: %s "
				"skipped",
				configs[i].kind);
			continue;
		}
		configure(&probe, &configs[i], list);
		run_roundtrips(configs[i].kind, buf, &probe);
	}
	vm_probe_end(&probe);
}

void bench_primitives_run(void)
{
	u64 mem = frame_alloc_contig(1);
	u32 *buf = phys_to_virt(mem);

	if (!mem) {
		pr_warn("bench_primitives: out of memory");
		return;
	}
	pr_info("bench_primitives: %d iterations each, TSC ticks", ITERATIONS);
	console_printf("=== pmuvisor results begin ===\n");
	platform_print_meta();
	if (pmu.nr_gp || pmu.nr_fixed)
		bench_pmu_msrs(buf);
	bench_transitions(buf);
	console_printf("=== end ===\n");
}
