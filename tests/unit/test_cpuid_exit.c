/*
 * hv/exit/cpuid.c: the guest's CPUID, against the CPUID table and the VMCS
 * model. A leaf no filter changes is the CPU's answer unchanged; the leaves
 * that are filtered still are, whichever way the cheap test routes them.
 */
#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "tests/model/vmcs_model.h"
#include "hv/cpu/vcpu.h"
#include "hv/exit/cpuid.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/msr.h"

static struct guest_regs regs;

static void guest_executes_cpuid(u32 leaf, u32 subleaf)
{
	regs = (struct guest_regs){ 0 };
	regs.rax = 0xdead00000000ULL | leaf;
	regs.rcx = subleaf;
	vcpu.regs = &regs;
	CHECK_EQ_U64(handle_cpuid(), EXIT_SKIP_INSN);
}

TEST(cpuid_unfiltered_leaf_is_the_cpus_answer)
{
	model_reset();
	model_cpuid_set(0xb, 1, (struct cpuid_regs){ 0x11, 0x22, 0x33, 0x44 });
	model_cpuid_set(0xb, 0, (struct cpuid_regs){ 1, 2, 3, 4 });
	guest_executes_cpuid(0xb, 1);
	CHECK_EQ_U64(regs.rax, 0x11);
	CHECK_EQ_U64(regs.rbx, 0x22);
	CHECK_EQ_U64(regs.rcx, 0x33);
	CHECK_EQ_U64(regs.rdx, 0x44);
}

TEST(cpuid_hypervisor_leaves_are_pmuvisors)
{
	model_reset();
	model_cpuid_set(CPUID_LEAF_HV_BASE, 0, (struct cpuid_regs){ 9, 9, 9, 9 });
	model_cpuid_set(CPUID_LEAF_HV_BASE + 0x10, 0, (struct cpuid_regs){ 9, 9, 9, 9 });
	guest_executes_cpuid(CPUID_LEAF_HV_BASE, 0);
	CHECK_EQ_U64(regs.rax, CPUID_LEAF_HV_BASE + 1);
	CHECK_EQ_U64(regs.rbx, 0x76756d70); /* "pmuv" */
	guest_executes_cpuid(CPUID_LEAF_HV_BASE + 0x10, 0);
	CHECK_EQ_U64(regs.rax | regs.rbx | regs.rcx | regs.rdx, 0);
}

TEST(cpuid_syscall_is_hidden_outside_64bit_mode)
{
	model_reset();
	model_cpuid_set(CPUID_LEAF_EXT_FEATURES, MODEL_ANY_SUBLEAF,
			(struct cpuid_regs){ 0, 0, 0, CPUID_80000001_EDX_SYSCALL | 1 });
	model_cpuid_set(0x80000000, MODEL_ANY_SUBLEAF, (struct cpuid_regs){ 0x80000008, 0, 0, 0 });
	vmwrite(CPU_BASED_VM_EXEC_CONTROL, 0); /* the leaf's RDTSCP bit reads the controls */
	vmwrite(GUEST_IA32_EFER, 0);
	guest_executes_cpuid(CPUID_LEAF_EXT_FEATURES, 0);
	CHECK_EQ_U64(regs.rdx, 1);
	vmwrite(GUEST_IA32_EFER, EFER_LMA);
	vmwrite(GUEST_CS_AR_BYTES, VMX_AR_L);
	guest_executes_cpuid(CPUID_LEAF_EXT_FEATURES, 0);
	CHECK_EQ_U64(regs.rdx, CPUID_80000001_EDX_SYSCALL | 1);
}
