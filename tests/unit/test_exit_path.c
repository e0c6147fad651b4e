/*
 * hv/exit/vmexit.c, the lean path: a run without extras (no PMU switch,
 * no time limit, stats=off) takes every ordinary exit through it, and
 * leaves out nothing the guest is owed: a reason with a flag bit still
 * reaches its handler, a failed VM entry and a reason past the table
 * still end the run, the step over the instruction still ends an STI
 * shadow and raises the single-step trap, and an NMI still is injected.
 */
#include "tests/unit/unit.h"
#include "tests/unit/pmu_machine.h"
#include "tests/model/model.h"
#include "tests/model/vmcs_model.h"
#include "arch/x86/nmi.h"
#include "arch/x86/vmx_entry.h"
#include "hv/cpu/vcpu.h"
#include "hv/exit/nmi.h"
#include "hv/exit/vmexit.h"
#include "hv/base/status.h"
#include "hv/pmu/pmu.h"
#include "arch/x86/vmx.h"

#define EXIT_FROM_ENCLAVE BIT(27) /* a flag bit of the exit reason (SDM Vol. 3C) */

static const struct pmu_machine lean = { .hv_args = "pmu=off stats=off" };

static void take_exit(void *arg)
{
	(void)arg;
	vmexit_handler();
}

/* A CPUID exit of leaf 0 with the given reason; the model's CPU answers 0x16 and "pmuv". */
static void cpuid_exit(u32 reason)
{
	model_cpuid_set(0, MODEL_ANY_SUBLEAF, (struct cpuid_regs){ 0x16, 0x766d7570, 1, 2 });
	guest_regs.rax = 0;
	guest_regs.rcx = 0;
	pmu_machine_vm_exit(reason, 0);
}

TEST(lean_path_dispatches_a_reason_with_a_flag_bit_to_its_handler)
{
	u64 rip, cpuid_exits;

	pmu_machine_launch(&lean);
	rip = vmread(GUEST_RIP);
	cpuid_exits = vcpu.exit_counts[EXIT_REASON_CPUID];
	cpuid_exit(EXIT_REASON_CPUID | EXIT_FROM_ENCLAVE);
	pmu_machine_handle_exit();
	CHECK_EQ_U64(guest_regs.rax, 0x16);
	CHECK_EQ_U64(guest_regs.rbx, 0x766d7570);
	CHECK_EQ_U64(vmread(GUEST_RIP), rip + vmread(VM_EXIT_INSTRUCTION_LEN));
	CHECK_EQ_U64(vcpu.exit_counts[EXIT_REASON_CPUID], cpuid_exits + 1);
	CHECK_EQ_U64(vcpu_exits_total(), pmu_machine_exits());
}

/* pmu=switch at stats=off takes its own copy of the lean path: a flagged reason switches there too. */
TEST(lean_switch_path_switches_around_a_reason_with_a_flag_bit)
{
	static const struct pmu_machine lean_switch = { .hv_args = "pmu=switch stats=off" };
	unsigned accesses;

	pmu_machine_launch(&lean_switch);
	cpuid_exit(EXIT_REASON_CPUID | EXIT_FROM_ENCLAVE);
	model_pmu_log_clear();
	pmu_machine_handle_exit();
	(void)model_pmu_log(&accesses);
	CHECK_EQ_U64(guest_regs.rax, 0x16);
	CHECK_EQ_U64(accesses, 12); /* switch's two lines (hv/pmu/switch.h), 6 each way */
	CHECK_EQ_U64(pmu.access.rdmsr + pmu.access.wrmsr + pmu.access.rdpmc, 0); /* uncounted */
}

TEST(lean_path_ends_the_run_at_a_failed_vm_entry)
{
	pmu_machine_launch(&lean);
	pmu_machine_vm_exit(EXIT_REASON_FAILED_VMENTRY | EXIT_REASON_INVALID_STATE, 0);
	pmu_machine_zero_report_fields();
	model_com1_clear();
	if (!CHECK(model_expect_exit(take_exit, NULL)))
		return;
	CHECK_EQ_U64(model_platform.exit_status, HV_STATUS_HV_FAULT);
	CHECK_CONTAINS(model_com1_output(), "VM entry failed: invalid guest state");
}

TEST(lean_path_ends_the_run_at_a_reason_past_the_table)
{
	pmu_machine_launch(&lean);
	pmu_machine_vm_exit(EXIT_REASON_MAX + 3, 0);
	pmu_machine_zero_report_fields();
	model_com1_clear();
	if (!CHECK(model_expect_exit(take_exit, NULL)))
		return;
	CHECK_EQ_U64(model_platform.exit_status, HV_STATUS_HV_FAULT);
	CHECK_CONTAINS(model_com1_output(), "unexpected VM exit 83");
}

TEST(lean_path_ends_sti_blocking_and_raises_the_single_step_trap)
{
	u64 rip;

	pmu_machine_launch(&lean);
	rip = vmread(GUEST_RIP);
	cpuid_exit(EXIT_REASON_CPUID);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI | GUEST_INTR_STATE_NMI);
	vmwrite(GUEST_RFLAGS, 0x2 | X86_EFLAGS_IF | X86_EFLAGS_TF);
	vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	pmu_machine_handle_exit();
	CHECK_EQ_U64(vmread(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_NMI);
	CHECK_EQ_U64(vmread(GUEST_PENDING_DBG_EXCEPTIONS), PENDING_DBG_BS);
	CHECK_EQ_U64(vmread(GUEST_RIP), rip + vmread(VM_EXIT_INSTRUCTION_LEN));
	CHECK_EQ_U64(guest_regs.rax, 0x16);
	CHECK_EQ_U64(vcpu_exits_total(), pmu_machine_exits());
}

TEST(lean_path_injects_a_pending_nmi)
{
	pmu_machine_launch(&lean);
	cpuid_exit(EXIT_REASON_CPUID);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, 0);
	nmi_pending = 1;
	pmu_machine_handle_exit();
	CHECK_EQ_U64(vmread(VM_ENTRY_INTR_INFO_FIELD),
		     NMI_VECTOR | INTR_TYPE_NMI | INTR_INFO_VALID);
	CHECK_EQ_U64(nmi_pending, 0);
}
