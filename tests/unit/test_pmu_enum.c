/*
 * PMU enumeration of current parts, under every strategy: the counters the
 * hypervisor uses are those the CPU the guest runs on has (leaf 0x23 where
 * CPUID.(7,1):EAX[8] says it exists, fixed counters with gaps), it never
 * touches an absent one (the model #GPs, which aborts the test), and the
 * guest's CPUID 0xA and 0x23 both describe exactly the counters it owns.
 * And a machine without a usable PMU: the default strategy gives way to
 * pmu=off with one line; a strategy the command line names is refused.
 */
#include <stdio.h>
#include <string.h>

#include "tests/unit/pmu_machine.h"
#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx.h"
#include "hv/run/options.h"
#include "hv/pmu/strategy.h"

#define GUEST_EVENTS 100
#define EVENT_INSTRUCTIONS 0xc0

/*
 * A hybrid P-core: CPUID 0xA reports what every core type has (6 GP and
 * fixed counters 0-2); leaf 0x23 and the MSRs this core's 8 GP and fixed
 * counters 0-3.
 */
static const struct model_pmu_config hybrid_pcore = {
	.version = 5,
	.nr_gp = 8,
	.nr_fixed = 4,
	.full_width_writes = true,
	.cpuid_a_gp = 6,
	.cpuid_a_fixed = 3,
	.ext_leaf = true,
	.hybrid_pcore = true,
};

/* Fixed counters 0, 1 and 3: counter 2's MSR #GPs. */
static const struct model_pmu_config fixed_gap = {
	.version = 5,
	.nr_gp = 4,
	.full_width_writes = true,
	.fixed_mask = 0xb,
};

/* Fixed counters 0, 1, 2 and 5: the hypervisor handles 0 to 3, so 5 is nobody's. */
static const struct model_pmu_config fixed_beyond = {
	.version = 5,
	.nr_gp = 4,
	.full_width_writes = true,
	.fixed_mask = 0x27,
};

static char args[160];

static bool has_guest_pmu(const struct pmu_strategy *s)
{
	return !(s->exits & PMU_EXIT_ALL);
}

static void launch(const struct pmu_strategy *s, const char *more,
		   const struct model_pmu_config *cpu)
{
	struct pmu_machine m = { .hv_args = args, .cpu = cpu };

	snprintf(args, sizeof(args), "pmu=%s %s", s->name, more);
	pmu_machine_launch(&m);
}

static void expect(u64 got, u64 want, const char *what, int line)
{
	unit_check(got == want, __FILE__, line, "%s: %s is 0x%llx, want 0x%llx", args, what,
		   (unsigned long long)got, (unsigned long long)want);
}

static unsigned from_zero(u32 mask)
{
	unsigned n = 0;

	while (mask & BIT(n))
		n++;
	return n;
}

/* The guest's CPUID 0xA and (with ext_leaf) 0x23 name these counters, and only these. */
static void check_guest_cpuid(unsigned gp, u32 fixed, bool ext_leaf)
{
	struct cpuid_regs a = guest_cpuid(CPUID_LEAF_PMU, 0), e;

	expect((a.eax >> 8) & 0xff, gp, "CPUID.0AH:EAX[15:8]", __LINE__);
	expect(a.edx & 0x1f, from_zero(fixed), "CPUID.0AH:EDX[4:0]", __LINE__);
	expect(a.ecx, fixed, "CPUID.0AH:ECX", __LINE__);
	expect(guest_cpuid(7, 0).edx & CPUID_7_EDX_HYBRID, 0, "CPUID.7:EDX hybrid", __LINE__);
	if (!ext_leaf)
		return;
	expect(guest_cpuid(7, 1).eax & CPUID_7_1_EAX_ARCH_PERFMON_EXT,
	       CPUID_7_1_EAX_ARCH_PERFMON_EXT, "CPUID.(7,1):EAX[8]", __LINE__);
	e = guest_cpuid(CPUID_LEAF_PMU_EXT, 0);
	expect(e.eax, 0xb, "CPUID.(23H,0):EAX (no auto counter reload)", __LINE__);
	expect(e.ebx, 0x3, "CPUID.(23H,0):EBX", __LINE__);
	e = guest_cpuid(CPUID_LEAF_PMU_EXT, 1);
	expect(e.eax, BIT(gp) - 1, "CPUID.(23H,1):EAX", __LINE__);
	expect(e.ebx, fixed, "CPUID.(23H,1):EBX", __LINE__);
	e = guest_cpuid(CPUID_LEAF_PMU_EXT, 2);
	expect(e.eax | e.ebx | e.ecx | e.edx, 0, "CPUID.(23H,2)", __LINE__);
}

/* pmu=off: no PMU in either leaf, none in CPUID 7 either. */
static void check_guest_cpuid_off(bool ext_leaf)
{
	struct cpuid_regs a = guest_cpuid(CPUID_LEAF_PMU, 0), e;
	u64 v;

	expect(a.eax | a.ebx | a.ecx | a.edx, 0, "CPUID.0AH", __LINE__);
	unit_check(!guest_rdmsr(MSR_CORE_PERF_GLOBAL_CTRL, &v), __FILE__, __LINE__,
		   "%s: the guest reads GLOBAL_CTRL", args);
	if (!ext_leaf)
		return;
	expect(guest_cpuid(7, 1).eax & CPUID_7_1_EAX_ARCH_PERFMON_EXT, 0, "CPUID.(7,1):EAX[8]",
	       __LINE__);
	for (u32 sub = 0; sub < 4; sub++) {
		e = guest_cpuid(CPUID_LEAF_PMU_EXT, sub);
		expect(e.eax | e.ebx | e.ecx | e.edx, 0, "CPUID.23H", __LINE__);
	}
}

/* Exits of every kind the strategies switch on (lazy: I/O and HLT). */
static void exits_of_every_kind(void)
{
	guest_exit_by(EXIT_REASON_CPUID);
	guest_exit_by(EXIT_REASON_IO_INSTRUCTION);
	guest_exit_by(EXIT_REASON_HLT);
	guest_exit_by(EXIT_REASON_MSR_READ);
}

/*
 * The guest counts with every counter it owns, across exits of every kind:
 * each counts exactly its own events, whatever the strategy moves. Absent
 * fixed counters below PMU_MAX_FIXED #GP the guest.
 */
static void guest_counts_with_its_counters(unsigned gp, u32 fixed, u32 absent_fixed)
{
	u64 before[PMU_MAX_GP + PMU_MAX_FIXED], v, ctrl = 0, fixed_ctrl = 0;

	for (unsigned i = 0; i < gp; i++) {
		unit_check(guest_wrmsr(msr_evtsel(i), ARCH_PERFMON_EVENTSEL_ENABLE |
							      ARCH_PERFMON_EVENTSEL_OS |
							      EVENT_INSTRUCTIONS),
			   __FILE__, __LINE__, "%s: PERFEVTSEL%u", args, i);
		ctrl |= global_bit_gp(i);
	}
	for (unsigned j = 0; j < PMU_MAX_FIXED; j++)
		if (fixed & BIT(j)) {
			fixed_ctrl |= (u64)FIXED_CTRL_OS << (j * FIXED_CTRL_BITS);
			ctrl |= global_bit_fixed(j);
		}
	unit_check(guest_wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, fixed_ctrl), __FILE__, __LINE__,
		   "%s: FIXED_CTR_CTRL 0x%llx", args, (unsigned long long)fixed_ctrl);
	unit_check(guest_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, ctrl), __FILE__, __LINE__,
		   "%s: GLOBAL_CTRL 0x%llx", args, (unsigned long long)ctrl);
	for (unsigned k = 0; k < PMU_MAX_GP + PMU_MAX_FIXED; k++) {
		u32 msr = k < PMU_MAX_GP ? msr_pmc(k, false) : msr_fixed_ctr(k - PMU_MAX_GP);
		bool owned = k < PMU_MAX_GP ? k < gp : (fixed & BIT(k - PMU_MAX_GP));
		if (owned)
			unit_check(guest_rdmsr(msr, &before[k]), __FILE__, __LINE__,
				   "%s: RDMSR 0x%x", args, msr);
	}
	model_pmu_run(MODEL_GUEST, GUEST_EVENTS);
	exits_of_every_kind();
	model_pmu_run(MODEL_GUEST, GUEST_EVENTS);
	exits_of_every_kind();
	for (unsigned k = 0; k < PMU_MAX_GP + PMU_MAX_FIXED; k++) {
		u32 msr = k < PMU_MAX_GP ? msr_pmc(k, false) : msr_fixed_ctr(k - PMU_MAX_GP);
		bool owned = k < PMU_MAX_GP ? k < gp : (fixed & BIT(k - PMU_MAX_GP));
		if (!owned)
			continue;
		unit_check(guest_rdmsr(msr, &v), __FILE__, __LINE__, "%s: RDMSR 0x%x", args, msr);
		expect(v - before[k], 2 * GUEST_EVENTS, "events a guest counter counted", __LINE__);
	}
	for (unsigned j = 0; j < PMU_MAX_FIXED; j++)
		if (absent_fixed & BIT(j))
			unit_check(!guest_rdmsr(msr_fixed_ctr(j), &v), __FILE__, __LINE__,
				   "%s: the guest reads absent fixed counter %u", args, j);
}

/* At guest end the host's PMU comes back, every present counter checked. */
static void host_state_restored(void)
{
	pmu_machine_vm_exit(EXIT_REASON_VMCALL, 0);
	unit_check(pmu_restore_host(), __FILE__, __LINE__, "%s: host PMU restored", args);
}

/* partition (pmu_host=fixed) keeps fixed counters 0 and 1; the guest keeps every GP counter. */
static u32 guest_fixed_under(const struct pmu_strategy *s, u32 fixed)
{
	return s == &pmu_strategy_partition ? fixed & ~3u : fixed;
}

TEST(pmu_hybrid_pcore_counters_come_from_leaf_0x23_under_every_strategy)
{
	for (unsigned k = 0; k < pmu_nr_strategies; k++) {
		const struct pmu_strategy *s = pmu_strategies[k];

		launch(s, "", &hybrid_pcore);
		if (!has_guest_pmu(s)) {
			check_guest_cpuid_off(true);
			continue;
		}
		CHECK_CONTAINS(model_com1_output(),
			       "pmu: hybrid CPU: the guest runs on a P-core (core type 0x40) and "
			       "gets its counters (CPUID 0x23)");
		check_guest_cpuid(8, guest_fixed_under(s, 0xf), true);
		guest_counts_with_its_counters(8, guest_fixed_under(s, 0xf), 0);
		host_state_restored();
	}
}

TEST(pmu_gp_share_is_the_same_in_cpuid_0xa_and_0x23)
{
	for (unsigned k = 0; k < pmu_nr_strategies; k++) {
		const struct pmu_strategy *s = pmu_strategies[k];

		if (!has_guest_pmu(s))
			continue;
		launch(s, "pmu_gp=3", &hybrid_pcore);
		check_guest_cpuid(3, guest_fixed_under(s, 0xf), true);
		guest_counts_with_its_counters(3, guest_fixed_under(s, 0xf), 0);
	}
	/* The hypervisor keeps the last two GP counters: the guest gets six and every fixed one. */
	launch(&pmu_strategy_partition, "pmu_host=gp", &hybrid_pcore);
	check_guest_cpuid(6, 0xf, true);
	guest_counts_with_its_counters(6, 0xf, 0);
	host_state_restored();
}

TEST(pmu_fixed_counter_gap_is_skipped_under_every_strategy)
{
	for (unsigned k = 0; k < pmu_nr_strategies; k++) {
		const struct pmu_strategy *s = pmu_strategies[k];

		launch(s, "", &fixed_gap);
		if (!has_guest_pmu(s)) {
			check_guest_cpuid_off(false);
			continue;
		}
		check_guest_cpuid(4, guest_fixed_under(s, 0xb), false);
		guest_counts_with_its_counters(4, guest_fixed_under(s, 0xb), BIT(2));
		host_state_restored();
	}
}

TEST(pmu_fixed_counters_the_hypervisor_does_not_handle_are_hidden_and_never_enabled)
{
	for (unsigned k = 0; k < pmu_nr_strategies; k++) {
		const struct pmu_strategy *s = pmu_strategies[k];

		launch(s, "", &fixed_beyond);
		if (!has_guest_pmu(s))
			continue;
		check_guest_cpuid(4, guest_fixed_under(s, 0x7), false);
		unit_check(!guest_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, global_bit_fixed(5)), __FILE__,
			   __LINE__, "%s: the guest enables fixed counter 5", args);
		guest_counts_with_its_counters(4, guest_fixed_under(s, 0x7), BIT(3));
		host_state_restored();
	}
}

/* ---- no usable PMU (a guest of KVM without a vPMU) ---- */

static int boot_without_pmu(const char *cmdline)
{
	struct pmu_machine m = { .hv_args = cmdline, .no_pmu = true };

	snprintf(args, sizeof(args), "%s", cmdline);
	model_com1_clear();
	return pmu_machine_boot(&m);
}

TEST(pmu_default_run_without_a_pmu_goes_on_with_pmu_off_and_says_why)
{
	char opts[512];
	u64 v;

	if (!CHECK_EQ_U64(boot_without_pmu("loglevel=2"), -1))
		return;
	model_vm_entry();
	CHECK_CONTAINS(model_com1_output(),
		       "pmuvisor: warning: pmu: architectural PerfMon v2-v5 needed; CPUID.0AH "
		       "reports version 0: the guest runs with pmu=off (no pmu= given)\r\n");
	CHECK(pmu.ops == &pmu_strategy_off);
	options_format(&hv_opts, opts, sizeof(opts));
	CHECK_CONTAINS(opts, "pmu=off");
	check_guest_cpuid_off(false);
	CHECK(!guest_rdpmc(0, &v));
}

TEST(pmu_strategy_named_on_the_command_line_is_refused_without_a_pmu)
{
	static const char *const named[] = { "pmu=switch", "pmu=passthrough" };

	for (unsigned n = 0; n < ARRAY_SIZE(named); n++) {
		char line[160];

		CHECK_EQ_U64(boot_without_pmu(named[n]), 2);
		snprintf(line, sizeof(line),
			 "pmuvisor: error: %s: architectural PerfMon v2-v5 needed; CPUID.0AH "
			 "reports "
			 "version 0 (use pmu=off)\r\n",
			 named[n]);
		CHECK_CONTAINS(model_com1_output(), line);
		CHECK(!strstr(model_com1_output(), "the guest runs with pmu=off"));
	}
	/* pmu=off itself runs, and says nothing about it. */
	CHECK_EQ_U64(boot_without_pmu("pmu=off"), -1);
	CHECK(!strstr(model_com1_output(), "PerfMon v2-v5 needed"));
}

/* Inside runs=, a configuration that names pmu: counts as given, for that run only. */
TEST(pmu_given_is_per_run_configuration)
{
	struct hv_options o, run;
	const char *c;
	size_t len;
	char err[160];

	options_set_defaults(&o);
	CHECK(options_parse("runs=pmu:switch/loglevel:3", &o, err, sizeof(err)));
	CHECK_EQ_U64(o.pmu_given, 0);
	options_for_run(&o, 0, &run, &c, &len);
	CHECK_EQ_U64(run.pmu_given, 1);
	options_for_run(&o, 1, &run, &c, &len);
	CHECK_EQ_U64(run.pmu_given, 0);
	options_set_defaults(&o);
	CHECK(options_parse("pmu=rfc runs=loglevel:3", &o, err, sizeof(err)));
	options_for_run(&o, 0, &run, &c, &len);
	CHECK_EQ_U64(run.pmu_given, 1);
}
