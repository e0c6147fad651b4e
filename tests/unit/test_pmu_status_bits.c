/*
 * GLOBAL_STATUS bits of no counter and IA32_DEBUGCTL: the hypervisor writes
 * only the status bits the CPU takes, the guest gets the #GP it would get
 * natively and nothing else, under every strategy. The model CPU here sets
 * CondChgd (63) and ToPA PMI (55) by itself; its GLOBAL_OVF_CTRL clears
 * them, its GLOBAL_STATUS_SET #GPs on them (as hardware has no SET for
 * CondChgd) and takes only OvfBuffer (62) besides the counters.
 */
#include <stdio.h>

#include "tests/unit/pmu_machine.h"
#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx.h"
#include "hv/pmu/strategy.h"

#define BY_ITSELF (GLOBAL_STATUS_COND_CHG | GLOBAL_STATUS_TRACE_TOPAPMI)

static const struct model_pmu_config cpu_sets_63_and_55 = {
	.version = 4,
	.nr_gp = MODEL_PMU_GP,
	.nr_fixed = MODEL_PMU_FIXED,
	.full_width_writes = true,
	.status_reset_other = BY_ITSELF | GLOBAL_STATUS_BUFFER_OVF,
	.status_set_other = GLOBAL_STATUS_BUFFER_OVF,
};

/* The default model CPU: GLOBAL_OVF_CTRL and GLOBAL_STATUS_SET take the counters' bits only. */
static const struct model_pmu_config cpu_counters_only = {
	.version = 4,
	.nr_gp = MODEL_PMU_GP,
	.nr_fixed = MODEL_PMU_FIXED,
	.full_width_writes = true,
};

static char args[160];

static void launch(const struct pmu_strategy *s, const char *more,
		   const struct model_pmu_config *cpu)
{
	struct pmu_machine m = { .hv_args = args, .cpu = cpu };

	snprintf(args, sizeof(args), "pmu=%s %s", s->name, more);
	pmu_machine_launch(&m);
}

static bool has_guest_pmu(const struct pmu_strategy *s)
{
	return !(s->exits & PMU_EXIT_ALL);
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
 * The CPU sets 63 and 55 while the guest runs: saving and restoring the
 * guest's status must not write them to GLOBAL_STATUS_SET (a #GP in the
 * hypervisor, which aborts the test), and the guest's counter bits come
 * back.
 */
TEST(pmu_status_bits_set_by_the_cpu_survive_exits_under_every_strategy)
{
	for (unsigned k = 0; k < pmu_nr_strategies; k++) {
		const struct pmu_strategy *s = pmu_strategies[k];
		u64 mine;

		launch(s, "", &cpu_sets_63_and_55);
		mine = (BIT(1) | BIT(33)) & pmu.guest_global_mask;
		if (has_guest_pmu(s))
			unit_check(guest_wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET, mine), __FILE__,
				   __LINE__, "%s: STATUS_SET of the guest's counter bits", args);
		model_pmu_raise_status(BY_ITSELF);
		for (unsigned n = 0; n < 3; n++)
			exits_of_every_kind();
		unit_check((model_pmu_read(MSR_CORE_PERF_GLOBAL_STATUS) & mine) == mine, __FILE__,
			   __LINE__, "%s: GLOBAL_STATUS 0x%llx lost the guest's bits 0x%llx", args,
			   (unsigned long long)model_pmu_read(MSR_CORE_PERF_GLOBAL_STATUS),
			   (unsigned long long)mine);
		model_reset();
	}
}

/*
 * The guest acknowledges what it read, 63 and 55 included, as Linux does:
 * accepted where the CPU's GLOBAL_OVF_CTRL takes them, whether the write
 * exits (pmu_gp=2 makes it exit under every strategy) or not.
 */
TEST(pmu_status_bits_guest_reset_of_bits_of_no_counter_is_accepted_where_the_cpu_takes_it)
{
	static const char *const shares[] = { "", "pmu_gp=2" };

	for (unsigned k = 0; k < pmu_nr_strategies; k++) {
		for (unsigned h = 0; h < ARRAY_SIZE(shares); h++) {
			const struct pmu_strategy *s = pmu_strategies[k];
			u64 v = 0;

			if (!has_guest_pmu(s))
				continue;
			launch(s, shares[h], &cpu_sets_63_and_55);
			model_pmu_raise_status(BY_ITSELF | GLOBAL_STATUS_BUFFER_OVF);
			exits_of_every_kind();
			unit_check(guest_wrmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL,
					       BY_ITSELF | GLOBAL_STATUS_BUFFER_OVF),
				   __FILE__, __LINE__, "%s: RESET of 63, 62 and 55 #GPs", args);
			exits_of_every_kind();
			CHECK(guest_rdmsr(MSR_CORE_PERF_GLOBAL_STATUS, &v));
			unit_check(v == 0, __FILE__, __LINE__,
				   "%s: GLOBAL_STATUS 0x%llx after the guest reset it", args,
				   (unsigned long long)v);
			/* SET of 62 is taken, of 63 and 55 not: #GP, as natively. */
			unit_check(guest_wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET,
					       GLOBAL_STATUS_BUFFER_OVF),
				   __FILE__, __LINE__, "%s: SET of 62 #GPs", args);
			unit_check(!guest_wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET,
						GLOBAL_STATUS_COND_CHG),
				   __FILE__, __LINE__, "%s: SET of 63 accepted", args);
			unit_check(!guest_wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET,
						GLOBAL_STATUS_TRACE_TOPAPMI),
				   __FILE__, __LINE__, "%s: SET of 55 accepted", args);
			model_reset();
		}
	}
}

/* Where the CPU takes no such bit, the guest's RESET and SET of 62 and 63 #GP, exiting or not. */
TEST(pmu_status_bits_guest_writes_the_cpu_refuses_gp_under_every_strategy)
{
	static const char *const shares[] = { "", "pmu_gp=2" };

	for (unsigned k = 0; k < pmu_nr_strategies; k++) {
		for (unsigned h = 0; h < ARRAY_SIZE(shares); h++) {
			const struct pmu_strategy *s = pmu_strategies[k];

			if (!has_guest_pmu(s))
				continue;
			launch(s, shares[h], &cpu_counters_only);
			/* An exit first, so that strategies holding the status outside hold it. */
			guest_exit_by(EXIT_REASON_CPUID);
			unit_check(!guest_wrmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL,
						GLOBAL_STATUS_COND_CHG),
				   __FILE__, __LINE__, "%s: RESET of 63 accepted", args);
			unit_check(!guest_wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET,
						GLOBAL_STATUS_BUFFER_OVF),
				   __FILE__, __LINE__, "%s: SET of 62 accepted", args);
			model_reset();
		}
	}
}

/* A CPU without IA32_DEBUGCTL (Bochs): the guest's WRMSR #GPs like its RDMSR. */
TEST(pmu_debugctl_absent_guest_read_and_write_both_gp)
{
	for (unsigned k = 0; k < pmu_nr_strategies; k++) {
		const struct pmu_strategy *s = pmu_strategies[k];
		struct pmu_machine m = { .hv_args = args, .no_debugctl = true };
		u64 v;

		snprintf(args, sizeof(args), "pmu=%s", s->name);
		m.full_width_writes = m.has_status_set = true;
		pmu_machine_launch(&m);
		unit_check(!guest_rdmsr(MSR_IA32_DEBUGCTLMSR, &v), __FILE__, __LINE__,
			   "%s: RDMSR of an absent DEBUGCTL", args);
		unit_check(!guest_wrmsr(MSR_IA32_DEBUGCTLMSR, 0), __FILE__, __LINE__,
			   "%s: WRMSR 0 of an absent DEBUGCTL accepted", args);
		unit_check(!guest_wrmsr(MSR_IA32_DEBUGCTLMSR, DEBUGCTLMSR_BTF), __FILE__, __LINE__,
			   "%s: WRMSR BTF of an absent DEBUGCTL accepted", args);
		CHECK_EQ_U64(vmread(GUEST_IA32_DEBUGCTL), 0);
		model_reset();
	}
}

/*
 * A CPU that reserves FREEZE_IN_SMM: the guest's write of it #GPs, never a
 * failed VM entry (the model aborts the test on one); the bits it takes
 * reach the guest's field, and the host's DEBUGCTL is as it was.
 */
TEST(pmu_debugctl_bits_the_cpu_reserves_gp_in_the_guest)
{
	for (unsigned k = 0; k < pmu_nr_strategies; k++) {
		const struct pmu_strategy *s = pmu_strategies[k];
		struct pmu_machine m = { .hv_args = args,
					 .debugctl_reserved = DEBUGCTLMSR_FREEZE_IN_SMM };
		u64 ok = DEBUGCTLMSR_BTF | DEBUGCTLMSR_FREEZE_PERFMON_ON_PMI;

		if (!has_guest_pmu(s))
			continue;
		snprintf(args, sizeof(args), "pmu=%s", s->name);
		m.full_width_writes = m.has_status_set = true;
		pmu_machine_launch(&m);
		CHECK_EQ_U64(model_msr_get(MSR_IA32_DEBUGCTLMSR), 0);
		unit_check(guest_wrmsr(MSR_IA32_DEBUGCTLMSR, ok), __FILE__, __LINE__,
			   "%s: WRMSR of BTF and FREEZE_PERFMON_ON_PMI #GPs", args);
		CHECK_EQ_U64(vmread(GUEST_IA32_DEBUGCTL), ok);
		unit_check(!guest_wrmsr(MSR_IA32_DEBUGCTLMSR, DEBUGCTLMSR_FREEZE_IN_SMM), __FILE__,
			   __LINE__, "%s: WRMSR of a reserved DEBUGCTL bit accepted", args);
		CHECK_EQ_U64(vmread(GUEST_IA32_DEBUGCTL), ok);
		unit_check(!guest_wrmsr(MSR_IA32_DEBUGCTLMSR, DEBUGCTLMSR_LBR), __FILE__, __LINE__,
			   "%s: WRMSR of LBR accepted", args);
		guest_exit_by(EXIT_REASON_CPUID);
		model_reset();
	}
}
