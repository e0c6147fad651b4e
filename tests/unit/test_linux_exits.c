/*
 * Exits a Linux guest causes that the multiboot test guests do not: an
 * idle HLT (the guest goes back in the HLT activity state) and RDMSR or
 * WRMSR of an MSR outside the bitmap's ranges (the hardware's answer).
 */
#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "tests/model/vmcs_model.h"
#include "hv/cpu/vcpu.h"
#include "hv/exit/misc.h"
#include "hv/exit/msr.h"
#include "arch/x86/cr.h"

#define RFLAGS_FIXED 0x2
#define OUTSIDE_MSR 0x4b564d00 /* beyond both bitmap ranges: always exits */

static struct guest_regs regs;

static void exit_at(u64 rip, u64 len, u64 rflags)
{
	model_reset();
	regs = (struct guest_regs){ 0 };
	vcpu.regs = &regs;
	vmwrite(GUEST_RIP, rip);
	vmwrite(VM_EXIT_INSTRUCTION_LEN, len);
	vmwrite(GUEST_RFLAGS, rflags);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI); /* sti; hlt */
	vmwrite(GUEST_IA32_DEBUGCTL, 0);
	vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmwrite(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, 0);
}

TEST(idle_hlt_resumes_in_the_hlt_activity_state)
{
	exit_at(0x1000, 1, RFLAGS_FIXED | X86_EFLAGS_IF);
	CHECK_EQ_U64(handle_hlt(), EXIT_RESUME);
	CHECK_EQ_U64(vmread(GUEST_RIP), 0x1001);
	CHECK_EQ_U64(vmread(GUEST_ACTIVITY_STATE), GUEST_ACTIVITY_HLT);
	/* VM entry refuses the HLT state inside an STI shadow: stepping over HLT ended it. */
	CHECK_EQ_U64(vmread(GUEST_INTERRUPTIBILITY_INFO), 0);
}

TEST(msr_outside_the_bitmap_goes_to_the_hardware)
{
	exit_at(0x1000, 2, RFLAGS_FIXED);
	model_msr_set(OUTSIDE_MSR, 0x1234567890ULL);
	regs.rcx = OUTSIDE_MSR;
	CHECK_EQ_U64(handle_rdmsr(), EXIT_SKIP_INSN);
	CHECK_EQ_U64(regs.rax, 0x34567890);
	CHECK_EQ_U64(regs.rdx, 0x12);
	regs.rax = 7, regs.rdx = 0;
	CHECK_EQ_U64(handle_wrmsr(), EXIT_SKIP_INSN);
	CHECK_EQ_U64(model_msr_get(OUTSIDE_MSR), 7);
	CHECK_EQ_U64(vmread(VM_ENTRY_INTR_INFO_FIELD), 0);
}

TEST(msr_outside_the_bitmap_that_the_cpu_lacks_gps_the_guest)
{
	exit_at(0x1000, 2, RFLAGS_FIXED);
	model_msr_remove(OUTSIDE_MSR);
	regs.rcx = OUTSIDE_MSR;
	CHECK_EQ_U64(handle_rdmsr(), EXIT_RESUME);
	CHECK_EQ_U64(vmread(VM_ENTRY_INTR_INFO_FIELD) & 0xff, 13); /* #GP */
	CHECK_EQ_U64(vmread(GUEST_RIP), 0x1000);
}
