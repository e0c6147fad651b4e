/*
 * Running the guest once per configuration. Between runs nothing of the
 * last one survives that could change the next: the frames allocated for
 * it (VMCS, EPT, bitmaps, MSR lists) are handed back and allocated anew,
 * the vCPU, its registers, the PMU state and the statistics are zeroed
 * and set up again from the run's options, and the guest is loaded from
 * copies of the modules made at boot in memory the guest cannot reach.
 * The host PMU is restored and verified at the end of every run
 * (hv/run/end.c); a run that fails that check ends the boot.
 */
#include "hv/run/runs.h"
#include "hv/run/bench_primitives.h"
#include "hv/exit/stats.h"
#include "hv/run/guest_setup.h"
#include "hv/cpu/vcpu.h"
#include "hv/exit/vmexit.h"
#include "hv/cpu/global_ctrl_check.h"
#include "hv/base/log.h"
#include "hv/run/options.h"
#include "hv/base/platform_info.h"
#include "hv/pmu/pmu.h"
#include "hv/base/status.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/stack.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_entry.h"
#include "lib/printf.h"
#include "lib/string.h"

#define RUN_STACK_SIZE 16384

static struct {
	struct boot_info *boot;
	struct phys_range image, pool;
	struct hv_options base;	 /* the command line as given */
	struct frame_mark fresh; /* the allocator before the first run */
	int configs, total, current, status;
	char config[OPTIONS_RUNS_MAX_TEXT];
	struct msr_reading smi_at_launch, smi_at_end; /* IA32_SMI_COUNT around the guest */
} runs;

static u8 run_stack[RUN_STACK_SIZE] __attribute__((aligned(16)));

static bool multiple_runs(void)
{
	return (u64)MAX(options_run_configs(&hv_opts), 1) * hv_opts.repeat > 1;
}

u64 runs_memory_needed(const struct boot_info *boot)
{
	u64 total = 0;

	if (!multiple_runs())
		return 0;
	for (int i = 0; i < boot->nr_modules; i++)
		total += ALIGN_UP(boot->modules[i].end - boot->modules[i].start, PAGE_SIZE);
	return total;
}

/* The modules as GRUB loaded them, copied where the guest cannot write. */
static void keep_pristine_modules(struct boot_info *boot)
{
	for (int i = 0; i < boot->nr_modules; i++) {
		struct boot_module *m = &boot->modules[i];
		u64 len = m->end - m->start;
		u64 copy = frame_alloc_contig((unsigned)(ALIGN_UP(len, PAGE_SIZE) / PAGE_SIZE));

		if (!copy)
			hv_fail(HV_STATUS_HV_FAULT, "out of memory for a copy of module %d", i);
		memcpy(phys_to_virt(copy), phys_to_virt(m->start), len);
		m->start = copy;
		m->end = copy + len;
	}
}

/* stats=full in any run: its sample reservoirs are allocated once, before the first. */
static bool any_run_full_stats(void)
{
	struct hv_options o;
	const char *c;
	size_t n;

	for (int i = 0; i < runs.configs; i++) {
		options_for_run(&runs.base, i, &o, &c, &n);
		if (o.stats == STATS_FULL)
			return true;
	}
	return runs.base.stats == STATS_FULL;
}

static void run_options(void)
{
	const char *c;
	size_t n;

	if (!runs.configs) {
		hv_opts = runs.base;
		runs.config[0] = '\0';
		return;
	}
	options_for_run(&runs.base, runs.current % runs.configs, &hv_opts, &c, &n);
	memcpy(runs.config, c, n);
	runs.config[n] = '\0';
}

/*
 * The next run's EPT is built in frames the last one's may have used, with
 * the same EPTP: translations the CPU cached from the old tables must go.
 * SDM Vol. 3C, "Guidelines for Use of the INVEPT Instruction".
 */
static void forget_last_guest_translations(void)
{
	u64 cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);

	if (cap & VMX_EPT_INVEPT_ALL_CONTEXT)
		vmx_check(invept_safe(INVEPT_ALL_CONTEXT, 0), "INVEPT all-context", 0);
	else
		vmx_check(invept_safe(INVEPT_SINGLE_CONTEXT, ept_pointer(&vcpu.ept)),
			  "INVEPT single-context", ept_pointer(&vcpu.ept));
}

/* The time limit counts from here; the exit path is set up for the run, then VM entry. */
__attribute__((noreturn)) static void launch_guest(void)
{
	if (hv_opts.guest_limit)
		vcpu.deadline_tsc = rdtsc() + hv_opts.guest_limit;
	vmexit_prepare(); /* with a time limit, also its first check */
	vmx_launch_guest();
}

__attribute__((noreturn)) static void run(void)
{
	run_options();
	log_set_level((enum log_level)hv_opts.loglevel);
	if (runs.total > 1)
		pr_info("run %d of %d: %s", runs.current + 1, runs.total,
			runs.configs ? runs.config : "(the command line)");
	if (vcpu.vmcs_phys) {
		vmx_check(vmclear_safe(vcpu.vmcs_phys), "VMCLEAR", vcpu.vmcs_phys);
		forget_last_guest_translations();
	}
	frame_release(&runs.fresh);
	memset(&vcpu, 0, sizeof(vcpu));
	memset(&guest_regs, 0, sizeof(guest_regs));
	memset(&pmu, 0, sizeof(pmu));
	pmu_init();
	exit_stats_init();
	guest_setup(runs.boot, runs.image, runs.pool);
	vcpu_check_global_ctrl_fields();
	if (hv_opts.bench_primitives && runs.current == 0)
		bench_primitives_run();
	pr_info("launching the guest");
	runs_smi_count_at_launch();
	launch_guest();
}

void runs_start(struct boot_info *boot, struct phys_range image, struct phys_range pool)
{
	runs.boot = boot;
	runs.image = image;
	runs.pool = pool;
	runs.base = hv_opts;
	runs.configs = options_run_configs(&hv_opts);
	runs.total = MAX(runs.configs, 1) * (int)hv_opts.repeat;
	if (multiple_runs())
		keep_pristine_modules(boot);
	if (any_run_full_stats())
		exit_stats_reserve();
	frame_mark(&runs.fresh);
	run();
}

void runs_guest_ended(int status)
{
	if (status != HV_STATUS_OK && runs.status == HV_STATUS_OK)
		runs.status = status;
	runs.current++;
	if (runs.current == runs.total || status == HV_STATUS_HV_FAULT) {
		if (runs.current < runs.total)
			pr_err("runs: stopping after run %d of %d: the hypervisor is not in a "
			       "state "
			       "to go on",
			       runs.current, runs.total);
		hv_exit(runs.status);
	}
	/* The exit stack holds the handler that ended the guest: start afresh on our own. */
	call_on_stack(run_stack + RUN_STACK_SIZE, run);
}

void runs_smi_count_at_launch(void)
{
	runs.smi_at_launch = platform_smi_count();
	runs.smi_at_end = (struct msr_reading){ false, 0 };
}

void runs_smi_count_at_end(void)
{
	runs.smi_at_end = platform_smi_count();
}

static void print_smi_meta(void)
{
	struct msr_reading a = runs.smi_at_launch, b = runs.smi_at_end;

	if (!a.present || !b.present) {
		console_printf("meta,smi_count_before,absent\nmeta,smi_count_after,absent\n"
			       "meta,smi_count_delta,absent\n");
		return;
	}
	/* The count is 32 bits wide: the difference modulo 2^32 survives a wrap. */
	console_printf("meta,smi_count_before,%llu\nmeta,smi_count_after,%llu\n"
		       "meta,smi_count_delta,%llu\n",
		       (unsigned long long)a.value, (unsigned long long)b.value,
		       (unsigned long long)((b.value - a.value) & 0xffffffff));
}

void runs_print_meta(void)
{
	console_printf("meta,run,%d\n", runs.current + 1);
	console_printf("meta,runs,%d\n", runs.total);
	if (runs.configs)
		console_printf("meta,run_config,%s\n", runs.config);
	print_smi_meta();
}
