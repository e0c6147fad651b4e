/*
 * hv/cpu/vcpu.h: stepping over an emulated instruction, against the VMCS
 * model. It must do what executing the instruction would have: move RIP,
 * end an STI or MOV SS shadow, and raise the single-step trap under TF.
 */
#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "tests/model/vmcs_model.h"
#include "hv/cpu/vcpu.h"

#define RFLAGS_FIXED 0x2

static void exit_after_instruction(u64 rip, u64 len, u64 rflags, u64 intr)
{
	model_reset();
	vmwrite(GUEST_RIP, rip);
	vmwrite(VM_EXIT_INSTRUCTION_LEN, len);
	vmwrite(GUEST_RFLAGS, rflags);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, intr);
	vmwrite(GUEST_IA32_DEBUGCTL, 0);
	vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

TEST(skip_moves_rip_by_the_instruction_length)
{
	exit_after_instruction(0x1000, 2, RFLAGS_FIXED, 0);
	vcpu_skip_instruction();
	CHECK_EQ_U64(vmread(GUEST_RIP), 0x1002);
	CHECK_EQ_U64(vmread(GUEST_PENDING_DBG_EXCEPTIONS), 0);
}

TEST(skip_ends_sti_and_mov_ss_blocking)
{
	exit_after_instruction(0x1000, 2, RFLAGS_FIXED,
			       GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS | BIT(3));
	vcpu_skip_instruction();
	CHECK_EQ_U64(vmread(GUEST_INTERRUPTIBILITY_INFO), BIT(3)); /* NMI blocking stays */
}

TEST(skip_under_tf_leaves_a_single_step_trap_pending)
{
	exit_after_instruction(0x1000, 2, RFLAGS_FIXED | X86_EFLAGS_TF, 0);
	vcpu_skip_instruction();
	CHECK_EQ_U64(vmread(GUEST_PENDING_DBG_EXCEPTIONS), PENDING_DBG_BS);
}

TEST(skip_under_tf_with_btf_traps_only_on_branches)
{
	exit_after_instruction(0x1000, 2, RFLAGS_FIXED | X86_EFLAGS_TF, 0);
	vmwrite(GUEST_IA32_DEBUGCTL, DEBUGCTLMSR_BTF);
	vcpu_skip_instruction();
	CHECK_EQ_U64(vmread(GUEST_PENDING_DBG_EXCEPTIONS), 0);
}
