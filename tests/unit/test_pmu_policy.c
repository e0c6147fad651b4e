/*
 * What each strategy's table of operations promises the guest, seen from
 * the guest through the real boot and exit handlers (pmu_machine.h): which
 * PMU MSR accesses exit (the MSR bitmap the boot wrote, decoded by the
 * model), what CPUID says, what an intercepted access returns, which
 * boot warnings apply, and the registry itself (pmu=, pmu=help).
 */
#include <stdio.h>
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/unit/pmu_machine.h"
#include "tests/model/model.h"
#include "arch/x86/msr.h"
#include "arch/x86/pmu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "hv/base/log.h"
#include "hv/cpu/global_ctrl_check.h"
#include "hv/run/options.h"
#include "hv/pmu/strategy.h"

#define EN_OS (ARCH_PERFMON_EVENTSEL_ENABLE | ARCH_PERFMON_EVENTSEL_OS)
#define DEBUGCTL_LBR BIT(0)
#define DEBUGCTL_BTF BIT(1)

/* The strategies whose policy this file states (partition has its own tests). */
static const struct pmu_strategy *const strategies[] = {
	&pmu_strategy_passthrough, &pmu_strategy_off,	   &pmu_strategy_switch,
	&pmu_strategy_rfc,	   &pmu_strategy_mediated, &pmu_strategy_lazy,
};

static char args[160];

/* Boot strategy s with more options; v4 with full-width writes unless said otherwise. */
static void boot(const struct pmu_strategy *s, const char *more, bool full_width, bool v4)
{
	struct pmu_machine m = { .hv_args = args,
				 .full_width_writes = full_width,
				 .has_status_set = v4 };

	snprintf(args, sizeof(args), "pmu=%s %s", s->name, more);
	pmu_machine_launch(&m);
}

/* ---- which guest accesses exit ---- */

struct intercept {
	u32 msr;
	bool read, write; /* exits */
};

static void check_intercept(const struct intercept *want, const char *file, int line)
{
	bool r = model_msr_exits(want->msr, false), w = model_msr_exits(want->msr, true);

	unit_check(r == want->read && w == want->write, file, line,
		   "%s: MSR 0x%x: read %s, write %s; want read %s, write %s", args, want->msr,
		   r ? "exits" : "passes", w ? "exits" : "passes", want->read ? "exits" : "passes",
		   want->write ? "exits" : "passes");
}

#define CHECK_INTERCEPT(msr, r, w) \
	check_intercept(&(struct intercept){ (msr), (r), (w) }, __FILE__, __LINE__)

/* The guest owns gp of 4 GP counters and the 3 fixed ones. */
static void check_policy(const struct pmu_strategy *s, unsigned gp, bool full_width)
{
	bool selectors = s == &pmu_strategy_mediated;
	bool fixed_ctrl = s == &pmu_strategy_mediated || s == &pmu_strategy_switch ||
			  s == &pmu_strategy_lazy;
	bool global = gp < MODEL_PMU_GP;

	CHECK_INTERCEPT(MSR_IA32_PERF_CAPABILITIES, true, true);
	CHECK_INTERCEPT(MSR_IA32_DS_AREA, true, true);
	CHECK_INTERCEPT(MSR_IA32_PEBS_ENABLE, true, true);
	CHECK_INTERCEPT(MSR_IA32_DEBUGCTLMSR, false, true);
	for (unsigned i = 0; i < PMU_MAX_GP; i++) {
		bool owned = i < gp;
		CHECK_INTERCEPT(msr_pmc(i, false), !owned, !owned);
		CHECK_INTERCEPT(msr_pmc(i, true), !owned || !full_width, !owned || !full_width);
		CHECK_INTERCEPT(msr_evtsel(i), !owned, !owned || selectors);
	}
	for (unsigned j = 0; j < PMU_MAX_FIXED; j++)
		CHECK_INTERCEPT(msr_fixed_ctr(j), j >= MODEL_PMU_FIXED, j >= MODEL_PMU_FIXED);
	CHECK_INTERCEPT(MSR_CORE_PERF_FIXED_CTR_CTRL, false, fixed_ctrl);
	CHECK_INTERCEPT(MSR_CORE_PERF_GLOBAL_STATUS, false, false);
	CHECK_INTERCEPT(MSR_CORE_PERF_GLOBAL_CTRL, false, global);
	CHECK_INTERCEPT(MSR_CORE_PERF_GLOBAL_OVF_CTRL, false, global);
	CHECK_INTERCEPT(MSR_CORE_PERF_GLOBAL_STATUS_SET, false, global);
	unit_check(!model_rdpmc_exits(), __FILE__, __LINE__, "%s: RDPMC exits", args);
}

TEST(pmu_policy_each_strategy_intercepts_what_it_promises)
{
	for (unsigned k = 0; k < ARRAY_SIZE(strategies); k++) {
		const struct pmu_strategy *s = strategies[k];

		if (s == &pmu_strategy_off)
			continue;
		boot(s, "", true, true);
		check_policy(s, MODEL_PMU_GP, true);
		model_reset();
		boot(s, "", false, true);
		check_policy(s, MODEL_PMU_GP, false);
		model_reset();
		boot(s, "pmu_gp=2", true, true);
		check_policy(s, 2, true);
		model_reset();
	}
}

/* Every PMU MSR the guest could name, for pmu=off. */
static const u32 every_pmu_msr[] = {
	MSR_IA32_PMC0,
	MSR_IA32_PMC0 + 3,
	MSR_IA32_PMC0 + 7,
	MSR_IA32_PMC0_FW,
	MSR_IA32_PMC0_FW + 3,
	MSR_P6_EVNTSEL0,
	MSR_P6_EVNTSEL0 + 3,
	MSR_P6_EVNTSEL0 + 7,
	MSR_CORE_PERF_FIXED_CTR0,
	MSR_CORE_PERF_FIXED_CTR0 + 2,
	MSR_CORE_PERF_FIXED_CTR0 + 3,
	MSR_CORE_PERF_FIXED_CTR_CTRL,
	MSR_CORE_PERF_GLOBAL_STATUS,
	MSR_CORE_PERF_GLOBAL_CTRL,
	MSR_CORE_PERF_GLOBAL_OVF_CTRL,
	MSR_CORE_PERF_GLOBAL_STATUS_SET,
	MSR_IA32_PERF_CAPABILITIES,
};

TEST(pmu_off_every_pmu_msr_and_rdpmc_gp_and_the_hardware_is_untouched)
{
	u64 v;
	unsigned log;

	boot(&pmu_strategy_off, "", true, true);
	model_pmu_write(MSR_IA32_PMC0 + 1, 0x1234);
	model_pmu_log_clear();
	for (unsigned k = 0; k < ARRAY_SIZE(every_pmu_msr); k++) {
		u32 msr = every_pmu_msr[k];
		unit_check(model_msr_exits(msr, false) && model_msr_exits(msr, true), __FILE__,
			   __LINE__, "pmu=off: MSR 0x%x does not exit", msr);
		unit_check(!guest_rdmsr(msr, &v), __FILE__, __LINE__, "pmu=off: RDMSR 0x%x read",
			   msr);
		unit_check(!guest_wrmsr(msr, 0), __FILE__, __LINE__, "pmu=off: WRMSR 0x%x wrote",
			   msr);
	}
	CHECK(model_rdpmc_exits());
	CHECK(!guest_rdpmc(1, &v));
	CHECK(!guest_rdpmc(RDPMC_FIXED | 0, &v));
	model_pmu_log(&log);
	CHECK_EQ_U64(log, 0);
	CHECK_EQ_U64(model_pmu_read(MSR_IA32_PMC0 + 1), 0x1234);
	CHECK_EQ_U64(vmread(GUEST_RIP), 0x1000); /* nothing stepped over */
}

/* ---- what CPUID says ---- */

TEST(pmu_policy_guest_cpuid_describes_the_guests_pmu)
{
	for (unsigned k = 0; k < ARRAY_SIZE(strategies); k++) {
		const struct pmu_strategy *s = strategies[k];
		bool off = s == &pmu_strategy_off;

		for (unsigned gp = 2; gp <= MODEL_PMU_GP; gp += 2) {
			struct cpuid_regs hw = cpuid_count(CPUID_LEAF_PMU, 0), r;
			char more[16];

			snprintf(more, sizeof(more), "pmu_gp=%u", gp);
			boot(s, more, true, true);
			r = guest_cpuid(CPUID_LEAF_PMU, 0);
			if (off) {
				CHECK(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0);
			} else {
				hw = cpuid_count(CPUID_LEAF_PMU, 0);
				CHECK_EQ_U64(r.eax, (hw.eax & ~0xff00u) | gp << 8);
				CHECK_EQ_U64(r.ebx, hw.ebx);
				CHECK_EQ_U64(r.ecx, hw.ecx);
				CHECK_EQ_U64(r.edx, hw.edx);
			}
			r = guest_cpuid(1, 0);
			CHECK_EQ_U64(r.ecx & CPUID_1_ECX_PDCM, off ? 0 : CPUID_1_ECX_PDCM);
			CHECK_EQ_U64(r.ecx & (PMU_MACHINE_DTES64 | CPUID_1_ECX_VMX), 0);
			CHECK_EQ_U64(r.edx & PMU_MACHINE_DS, 0);
			CHECK_EQ_U64(guest_cpuid(7, 0).edx & PMU_MACHINE_ARCH_LBR, 0);
			r = guest_cpuid(0x1c, 0);
			CHECK(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0);
			model_reset();
		}
	}
}

/* ---- intercepted accesses ---- */

TEST(pmu_guest_perf_capabilities_reads_only_full_width_writes)
{
	for (int fw = 0; fw < 2; fw++) {
		u64 v = 0;

		boot(&pmu_strategy_passthrough, "", fw, true);
		CHECK(guest_rdmsr(MSR_IA32_PERF_CAPABILITIES, &v));
		CHECK_EQ_U64(v, fw ? PERF_CAP_FW_WRITE : 0);
		CHECK(!guest_wrmsr(MSR_IA32_PERF_CAPABILITIES, v));
		CHECK(!guest_rdmsr(MSR_IA32_DS_AREA, &v));
		CHECK(!guest_wrmsr(MSR_IA32_PEBS_ENABLE, 0));
		model_reset();
	}
}

TEST(pmu_guest_debugctl_takes_only_the_allowed_bits)
{
	boot(&pmu_strategy_switch, "", true, true);
	CHECK(guest_wrmsr(MSR_IA32_DEBUGCTLMSR, DEBUGCTL_BTF));
	CHECK_EQ_U64(vmread(GUEST_IA32_DEBUGCTL), DEBUGCTL_BTF);
	CHECK(!guest_wrmsr(MSR_IA32_DEBUGCTLMSR, DEBUGCTL_LBR));
	CHECK_EQ_U64(vmread(GUEST_IA32_DEBUGCTL), DEBUGCTL_BTF);
}

/*
 * With fewer GP counters than exist, GLOBAL_CTRL/OVF_CTRL/STATUS_SET
 * writes exit: bits of counters the guest does not own #GP, its own bits
 * take effect, including while the strategy holds its status outside.
 */
TEST(pmu_partial_share_guest_global_writes_are_checked_and_take_effect)
{
	for (unsigned k = 0; k < ARRAY_SIZE(strategies); k++) {
		const struct pmu_strategy *s = strategies[k];
		u64 v = 0;

		if (s == &pmu_strategy_off)
			continue;
		boot(s, "pmu_gp=2", true, true);
		CHECK(!guest_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, BIT(2)));
		CHECK(!guest_wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET, BIT(3)));
		CHECK(!guest_wrmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL, BIT(2)));
		CHECK(guest_wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET, BIT(1) | BIT(33)));
		CHECK(guest_rdmsr(MSR_CORE_PERF_GLOBAL_STATUS, &v));
		unit_check(v == (BIT(1) | BIT(33)), __FILE__, __LINE__,
			   "%s: GLOBAL_STATUS 0x%llx after STATUS_SET", args,
			   (unsigned long long)v);
		guest_cpuid(0, 0); /* an ordinary exit */
		CHECK(guest_rdmsr(MSR_CORE_PERF_GLOBAL_STATUS, &v));
		unit_check(v == (BIT(1) | BIT(33)), __FILE__, __LINE__,
			   "%s: GLOBAL_STATUS 0x%llx after an exit", args, (unsigned long long)v);
		CHECK(guest_wrmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL, BIT(1)));
		CHECK(guest_rdmsr(MSR_CORE_PERF_GLOBAL_STATUS, &v));
		unit_check(v == BIT(33), __FILE__, __LINE__,
			   "%s: GLOBAL_STATUS 0x%llx after OVF_CTRL", args, (unsigned long long)v);
		CHECK(guest_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, BIT(0) | BIT(1) | BIT(32)));
		CHECK(guest_rdmsr(MSR_CORE_PERF_GLOBAL_CTRL, &v));
		unit_check(v == (BIT(0) | BIT(1) | BIT(32)), __FILE__, __LINE__,
			   "%s: GLOBAL_CTRL 0x%llx in the guest", args, (unsigned long long)v);
		model_reset();
	}
}

/* ---- lazy given alone ---- */

TEST(pmu_lazy_alone_switches_on_io_and_hlt_exits_only)
{
	static const u32 reasons[] = { EXIT_REASON_CPUID, EXIT_REASON_VMCALL,
				       EXIT_REASON_IO_INSTRUCTION, EXIT_REASON_HLT,
				       EXIT_REASON_MSR_READ };

	boot(&pmu_strategy_lazy, "", true, true);
	CHECK_CONTAINS(model_com1_output(), "pmu: lazy switches on I/O and HLT exits (the default");
	for (unsigned k = 0; k < 3 * ARRAY_SIZE(reasons); k++) {
		u32 r = reasons[k % ARRAY_SIZE(reasons)];
		bool want = r == EXIT_REASON_IO_INSTRUCTION || r == EXIT_REASON_HLT;

		guest_exit_by(r);
		unit_check(pmu.measured == want, __FILE__, __LINE__, "exit reason %u: measured %d",
			   r, pmu.measured);
		unit_check((pmu.access.wrmsr > 0) == want, __FILE__, __LINE__,
			   "exit reason %u: %u WRMSR", r, pmu.access.wrmsr);
	}
}

TEST(pmu_lazy_options_replace_the_default)
{
	boot(&pmu_strategy_lazy, "pmu_lazy=cpuid", true, true);
	CHECK(!strstr(model_com1_output(), "the default"));
	guest_exit_by(EXIT_REASON_IO_INSTRUCTION);
	CHECK(!pmu.measured);
	guest_exit_by(EXIT_REASON_CPUID);
	CHECK(pmu.measured);
}

/* ---- boot warnings ---- */

TEST(pmu_boot_warnings_follow_the_strategy)
{
	static const char no_status_set[] = "has no GLOBAL_STATUS_SET";
	static const char legacy[] = "rewrites the guest's GP counters on every exit";

	for (unsigned k = 0; k < ARRAY_SIZE(strategies); k++) {
		const struct pmu_strategy *s = strategies[k];
		bool rewrites = s == &pmu_strategy_rfc || s == &pmu_strategy_mediated;

		boot(s, "", true, false); /* PerfMon v3 */
		unit_check(!!strstr(model_com1_output(), no_status_set) == rewrites, __FILE__,
			   __LINE__, "%s on v3: STATUS_SET warning %s", s->name,
			   rewrites ? "missing" : "printed");
		unit_check(!strstr(model_com1_output(), legacy), __FILE__, __LINE__,
			   "%s with full-width writes: legacy warning", s->name);
		model_reset();
		boot(s, "", false, true); /* no full-width writes */
		unit_check(!!strstr(model_com1_output(), legacy) == rewrites, __FILE__, __LINE__,
			   "%s without full-width writes: legacy warning %s", s->name,
			   rewrites ? "missing" : "printed");
		unit_check(!strstr(model_com1_output(), no_status_set), __FILE__, __LINE__,
			   "%s on v4: STATUS_SET warning", s->name);
		model_reset();
	}
}

/* ---- IA32_PERF_GLOBAL_CTRL through the VMCS fields ---- */

static void counts_through_exits(const struct pmu_strategy *s, const char *more)
{
	u64 v = 0;

	boot(s, more, true, true);
	CHECK(guest_wrmsr(MSR_P6_EVNTSEL0, EN_OS | 0x3c));
	CHECK(guest_wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, 0x100)); /* fixed 2, ring 0 */
	CHECK(guest_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, BIT(0) | BIT(34)));
	for (unsigned k = 0; k < 50; k++) {
		model_pmu_run(MODEL_GUEST, 10);
		guest_exit_by(k % 2 ? EXIT_REASON_CPUID : EXIT_REASON_VMCALL);
		CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), BIT(0) | BIT(34));
	}
	CHECK(guest_rdmsr(MSR_IA32_PMC0, &v));
	unit_check(v == 500, __FILE__, __LINE__, "%s: PMC0 %llu, want 500", args,
		   (unsigned long long)v);
	CHECK(guest_rdmsr(MSR_CORE_PERF_FIXED_CTR0 + 2, &v));
	unit_check(v == 500, __FILE__, __LINE__, "%s: FIXED_CTR2 %llu, want 500", args,
		   (unsigned long long)v);
	CHECK_EQ_U64(model_pmu_tally_gp(MODEL_HOST, 0), 0);
}

TEST(pmu_global_ctrl_vmcs_fields_switch_global_ctrl)
{
	for (unsigned k = 0; k < ARRAY_SIZE(strategies); k++) {
		if (strategies[k] == &pmu_strategy_off)
			continue;
		counts_through_exits(strategies[k], "global_ctrl=vmcs");
		CHECK(vmread(VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL);
		CHECK(vmread(VM_EXIT_CONTROLS) & VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL);
		CHECK(vmread(VM_EXIT_CONTROLS) & VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL);
		model_reset();
		counts_through_exits(strategies[k], "global_ctrl=lists");
		model_reset();
	}
}

TEST(pmu_global_ctrl_vmcs_without_the_save_control_copies_the_stored_value)
{
	struct pmu_machine m = { .hv_args = "pmu=passthrough global_ctrl=vmcs",
				 .full_width_writes = true,
				 .has_status_set = true,
				 .no_save_global_ctrl = true };
	u64 v = 0;

	pmu_machine_launch(&m);
	CHECK(!(vmread(VM_EXIT_CONTROLS) & VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL));
	CHECK(guest_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, BIT(1)));
	guest_exit_by(EXIT_REASON_CPUID);
	CHECK_EQ_U64(vmread(GUEST_IA32_PERF_GLOBAL_CTRL), BIT(1));
	CHECK(guest_rdmsr(MSR_CORE_PERF_GLOBAL_CTRL, &v));
	CHECK_EQ_U64(v, BIT(1));
}

TEST(pmu_global_ctrl_vmcs_is_refused_without_the_controls)
{
	struct pmu_machine m = { .hv_args = "pmu=switch global_ctrl=vmcs",
				 .full_width_writes = true,
				 .has_status_set = true,
				 .no_vmcs_global_ctrl = true };

	CHECK_EQ_U64(pmu_machine_boot(&m), 2);
	CHECK_CONTAINS(model_com1_output(), "global_ctrl=vmcs: this CPU does not offer");
}

/* ---- the registry ---- */

TEST(pmu_strategies_are_found_by_name_and_listed_by_pmu_help)
{
	struct hv_options o;
	char err[200];
	u64 i;

	for (i = 0; i < pmu_nr_strategies; i++) {
		const struct pmu_strategy *s = pmu_strategies[i];
		char word[40];

		CHECK(pmu_strategy_find(s->name, strlen(s->name)) == s);
		CHECK_STR(pmu_strategy_name_at(i), s->name);
		CHECK(s->description && s->description[0]);
		snprintf(word, sizeof(word), "pmu=%s", s->name);
		options_set_defaults(&o);
		CHECK(options_parse(word, &o, err, sizeof(err)));
		CHECK_EQ_U64(o.pmu, i);
	}
	CHECK(pmu_strategy_name_at(i) == NULL);
	CHECK(pmu_strategy_find("swit", 4) == NULL);
	for (unsigned k = 0; k < ARRAY_SIZE(strategies); k++) {
		bool registered = false;
		for (unsigned j = 0; j < pmu_nr_strategies; j++)
			registered |= pmu_strategies[j] == strategies[k];
		unit_check(registered, __FILE__, __LINE__, "%s is not registered",
			   strategies[k]->name);
	}
	/* The default is the table's first, passthrough. */
	options_set_defaults(&o);
	CHECK(pmu_strategies[o.pmu] == &pmu_strategy_passthrough);

	options_set_defaults(&o);
	CHECK(options_parse("pmu=help", &o, err, sizeof(err)));
	CHECK_STR(o.help, "pmu");
	CHECK(!options_parse("global_ctrl=help", &o, err, sizeof(err)));
	CHECK(!options_parse("pmu=bogus", &o, err, sizeof(err)));
	for (i = 0; i < pmu_nr_strategies; i++)
		CHECK_CONTAINS(err, pmu_strategies[i]->name);

	model_com1_clear();
	log_set_level(LOG_INFO);
	pmu_print_strategies();
	for (i = 0; i < pmu_nr_strategies; i++) {
		char line[160];
		snprintf(line, sizeof(line), "pmuvisor: pmu strategy %-12s %s%s\r\n",
			 pmu_strategies[i]->name, pmu_strategies[i]->description,
			 i == 0 ? " (default)" : "");
		CHECK_CONTAINS(model_com1_output(), line);
	}
}

/* ---- global_ctrl=vmcs: the self-test of the dedicated controls ---- */

static void check_fields(void *arg)
{
	(void)arg;
	vcpu_check_global_ctrl_fields();
}

TEST(pmu_global_ctrl_vmcs_self_test_passes_where_the_cpu_applies_the_controls)
{
	struct pmu_machine m = { .hv_args = "pmu=switch global_ctrl=vmcs",
				 .full_width_writes = true,
				 .has_status_set = true };
	u64 exit_ctl, entry_ctl, guest_field;

	CHECK_EQ_U64(pmu_machine_boot(&m), -1);
	exit_ctl = vmread(VM_EXIT_CONTROLS);
	entry_ctl = vmread(VM_ENTRY_CONTROLS);
	guest_field = vmread(GUEST_IA32_PERF_GLOBAL_CTRL);
	model_pmu_write(MSR_CORE_PERF_GLOBAL_CTRL, BIT(2));
	CHECK(!model_expect_exit(check_fields, NULL));
	CHECK_CONTAINS(model_com1_output(), "global_ctrl=vmcs self-test: VM entry and exit load");
	/* The probe left no trace. */
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), BIT(2));
	CHECK_EQ_U64(vmread(VM_EXIT_CONTROLS), exit_ctl);
	CHECK_EQ_U64(vmread(VM_ENTRY_CONTROLS), entry_ctl);
	CHECK_EQ_U64(vmread(GUEST_IA32_PERF_GLOBAL_CTRL), guest_field);
	CHECK_EQ_U64(vmread(VM_EXIT_MSR_STORE_COUNT), 0);
	CHECK_EQ_U64(vmread(GUEST_RIP), 0x1000);
}

TEST(pmu_global_ctrl_vmcs_is_refused_where_the_cpu_ignores_the_controls)
{
	struct pmu_machine m = { .hv_args = "pmu=switch global_ctrl=vmcs",
				 .full_width_writes = true,
				 .has_status_set = true };
	static const char *const why[] = {
		"(VM entry: 0x0, want 0x1; VM exit: 0x0, want 0x100000000)",
		"(VM entry: 0x0, want 0x1; VM exit: 0x100000000, want 0x100000000)",
		"(VM entry: 0x1, want 0x1; VM exit: 0x1, want 0x100000000)",
	};

	/* Both ignored (Bochs), only the VM entry's, only the VM exit's. */
	for (unsigned k = 0; k < ARRAY_SIZE(why); k++) {
		CHECK_EQ_U64(pmu_machine_boot(&m), -1);
		model_vmx_ignore_global_ctrl_controls(k != 2, k != 1);
		CHECK(model_expect_exit(check_fields, NULL));
		CHECK_EQ_U64(model_platform.exit_status, 2);
		CHECK_CONTAINS(model_com1_output(),
			       "error: global_ctrl=vmcs: the CPU does not "
			       "apply the 'load IA32_PERF_GLOBAL_CTRL' controls");
		CHECK_CONTAINS(model_com1_output(), why[k]);
		model_reset();
	}
}

TEST(pmu_global_ctrl_lists_needs_no_self_test)
{
	struct pmu_machine m = { .hv_args = "pmu=switch",
				 .full_width_writes = true,
				 .has_status_set = true };
	unsigned n;

	CHECK_EQ_U64(pmu_machine_boot(&m), -1);
	model_vmx_ignore_global_ctrl_controls(true, true);
	model_pmu_log_clear();
	CHECK(!model_expect_exit(check_fields, NULL));
	model_pmu_log(&n);
	CHECK_EQ_U64(n, 0);
	CHECK(!strstr(model_com1_output(), "self-test: VM entry"));
}
