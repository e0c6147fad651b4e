/*
 * The guest's CPUID against the VM-execution controls (hv/cpu/cpuid_controls.c):
 * the controls come from the capability MSRs through the real
 * vmx_compute_controls() and vcpu_write_exec_controls(), the guest's view
 * from the real CPUID exit. For every entry of the table, on a model CPU
 * with the feature and its control allowed, with the feature but the
 * control refused, with an exit it cannot take forced on, and without the
 * feature.
 */
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "tests/model/vmcs_model.h"
#include "hv/cpu/cpuid_controls.h"
#include "hv/cpu/vcpu.h"
#include "hv/cpu/vmx_enable.h"
#include "hv/exit/cpuid.h"
#include "hv/run/options.h"
#include "hv/pmu/pmu.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/msr.h"

#define ALL_ALLOWED_1 (0xffffffffULL << 32) /* allowed-0 none, allowed-1 every bit */
#define MAX_BASIC_LEAF 0x20
#define MAX_EXT_LEAF 0x80000008

static struct guest_regs regs;
static struct vmx_controls controls;

/* pmu=off: the PMU filter that runs after the table's is the same on every model. */
static void pmu_off(void)
{
	char err[128];

	options_set_defaults(&hv_opts);
	if (!CHECK(options_parse("pmu=off", &hv_opts, err, sizeof(err))))
		return;
	memset(&pmu, 0, sizeof(pmu));
	pmu_init();
}

/*
 * A CPU whose secondary controls may be 1 where secondary_allowed says and
 * whose primary controls must be 1 where primary_forced says; every other
 * control is free. Then the vCPU's controls, as intercepts_setup() writes them.
 */
static void boot_vcpu(u32 secondary_allowed, u32 primary_forced)
{
	model_msr_set(MSR_IA32_VMX_PINBASED_CTLS, ALL_ALLOWED_1);
	model_msr_set(MSR_IA32_VMX_PROCBASED_CTLS, ALL_ALLOWED_1 | primary_forced);
	model_msr_set(MSR_IA32_VMX_PROCBASED_CTLS2, (u64)secondary_allowed << 32);
	model_msr_set(MSR_IA32_VMX_EXIT_CTLS, ALL_ALLOWED_1);
	model_msr_set(MSR_IA32_VMX_ENTRY_CTLS, ALL_ALLOWED_1);
	pmu_off();
	vmx_compute_controls(&controls, false);
	vcpu_write_exec_controls(&controls);
	/* 64-bit mode, CR4 the guest's: what the CPUID exit reads of the guest. */
	vmwrite(GUEST_CR4, 0);
	vmwrite(CR4_GUEST_HOST_MASK, 0);
	vmwrite(CR4_READ_SHADOW, 0);
	vmwrite(GUEST_IA32_EFER, EFER_LMA);
	vmwrite(GUEST_CS_AR_BYTES, VMX_AR_L);
}

static void cpu_has_leaves(void)
{
	model_cpuid_set(0, MODEL_ANY_SUBLEAF, (struct cpuid_regs){ MAX_BASIC_LEAF, 0, 0, 0 });
	model_cpuid_set(0x80000000, MODEL_ANY_SUBLEAF,
			(struct cpuid_regs){ MAX_EXT_LEAF, 0, 0, 0 });
}

static u32 model_subleaf(u32 subleaf)
{
	return subleaf == CPUID_SUBLEAF_ANY ? MODEL_ANY_SUBLEAF : subleaf;
}

static u32 reg_value(const struct cpuid_regs *r, enum cpuid_reg reg)
{
	const u32 v[] = { r->eax, r->ebx, r->ecx, r->edx };
	return v[reg];
}

static struct cpuid_regs with_bit(enum cpuid_reg reg, u32 bit)
{
	struct cpuid_regs r = { 0, 0, 0, 0 };
	u32 *v[] = { &r.eax, &r.ebx, &r.ecx, &r.edx };

	*v[reg] = bit;
	return r;
}

/* The CPU reports the feature (and its feature leaf, filled with a pattern) or not. */
static void cpu_reports(const struct cpuid_control_dep *d, bool present)
{
	model_reset();
	cpu_has_leaves();
	model_cpuid_set(d->leaf, model_subleaf(d->subleaf),
			present ? with_bit(d->reg, d->bit) : (struct cpuid_regs){ 0, 0, 0, 0 });
	if (d->feature_leaf && present)
		model_cpuid_set(d->feature_leaf, MODEL_ANY_SUBLEAF,
				(struct cpuid_regs){ 0x11, 0x22, 0x33, 0x44 });
}

static struct cpuid_regs guest_cpuid(u32 leaf, u32 subleaf)
{
	regs = (struct guest_regs){ 0 };
	regs.rax = leaf;
	regs.rcx = subleaf;
	vcpu.regs = &regs;
	CHECK_EQ_U64(handle_cpuid(), EXIT_SKIP_INSN);
	return (struct cpuid_regs){ (u32)regs.rax, (u32)regs.rbx, (u32)regs.rcx, (u32)regs.rdx };
}

static bool guest_sees(const struct cpuid_control_dep *d)
{
	u32 subleaf = d->subleaf == CPUID_SUBLEAF_ANY ? 0 : d->subleaf;
	struct cpuid_regs r = guest_cpuid(d->leaf, subleaf);

	return reg_value(&r, d->reg) & d->bit;
}

static bool guest_feature_leaf_is_zero(const struct cpuid_control_dep *d)
{
	struct cpuid_regs r = guest_cpuid(d->feature_leaf, 0);

	return !(r.eax | r.ebx | r.ecx | r.edx);
}

static bool shown_when_allowed(const struct cpuid_control_dep *d)
{
	return !d->always_hidden && (!d->secondary || d->hv_enables);
}

TEST(cpuid_control_table_feature_and_control_allowed)
{
	for (size_t i = 0; i < nr_cpuid_control_deps; i++) {
		const struct cpuid_control_dep *d = &cpuid_control_deps[i];
		bool want = shown_when_allowed(d);

		cpu_reports(d, true);
		boot_vcpu(~0u, 0);
		if (!unit_check(guest_sees(d) == want, __FILE__, __LINE__,
				"%s: guest sees it %d, want %d", d->name, !want, want))
			continue;
		if (d->secondary)
			unit_check(!!(controls.secondary & d->secondary) == d->hv_enables, __FILE__,
				   __LINE__, "%s: its control is %s", d->name,
				   d->hv_enables ? "not set" : "set");
		if (d->feature_leaf && !want)
			unit_check(guest_feature_leaf_is_zero(d), __FILE__, __LINE__,
				   "%s: leaf 0x%x is not hidden", d->name, d->feature_leaf);
	}
}

TEST(cpuid_control_table_feature_without_its_control)
{
	for (size_t i = 0; i < nr_cpuid_control_deps; i++) {
		const struct cpuid_control_dep *d = &cpuid_control_deps[i];

		if (!d->secondary)
			continue;
		cpu_reports(d, true);
		boot_vcpu(~d->secondary, 0);
		unit_check(!(controls.secondary & d->secondary), __FILE__, __LINE__,
			   "%s: a control the CPU refuses is set", d->name);
		unit_check(!guest_sees(d), __FILE__, __LINE__,
			   "%s: shown although its control is refused", d->name);
	}
}

TEST(cpuid_control_table_feature_whose_exit_the_cpu_forces)
{
	for (size_t i = 0; i < nr_cpuid_control_deps; i++) {
		const struct cpuid_control_dep *d = &cpuid_control_deps[i];

		if (!d->primary_exiting)
			continue;
		for (u32 b = 0; b < 32; b++) {
			if (!(d->primary_exiting & BIT(b)))
				continue;
			cpu_reports(d, true);
			boot_vcpu(~0u, BIT(b));
			unit_check(!guest_sees(d), __FILE__, __LINE__,
				   "%s: shown although primary control bit %u makes it exit",
				   d->name, b);
			if (d->feature_leaf)
				unit_check(guest_feature_leaf_is_zero(d), __FILE__, __LINE__,
					   "%s: leaf 0x%x is not hidden", d->name, d->feature_leaf);
		}
	}
}

TEST(cpuid_control_table_feature_the_cpu_lacks)
{
	for (size_t i = 0; i < nr_cpuid_control_deps; i++) {
		const struct cpuid_control_dep *d = &cpuid_control_deps[i];

		cpu_reports(d, false);
		boot_vcpu(~0u, 0);
		unit_check(!guest_sees(d), __FILE__, __LINE__, "%s: shown on a CPU without it",
			   d->name);
	}
}

/* The table's content, named: what Linux guests depend on. */

TEST(cpuid_waitpkg_follows_enable_user_wait_and_pause)
{
	model_reset();
	cpu_has_leaves();
	model_cpuid_set(7, 0, (struct cpuid_regs){ 0, 0, CPUID_7_ECX_WAITPKG, 0 });
	boot_vcpu(~0u, 0);
	CHECK(controls.secondary & SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE);
	CHECK_EQ_U64(vmread(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE,
		     SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE);
	CHECK(!(controls.cpu & CPU_BASED_RDTSC_EXITING)); /* TPAUSE and UMWAIT do not exit */
	CHECK_EQ_U64(guest_cpuid(7, 0).ecx, CPUID_7_ECX_WAITPKG);

	/* A CPU with WAITPKG whose VMX lacks the control: TPAUSE would #UD. */
	boot_vcpu(~(u32)SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE, 0);
	CHECK_EQ_U64(guest_cpuid(7, 0).ecx, 0);
}

TEST(cpuid_intel_pt_is_hidden_with_its_leaf)
{
	model_reset();
	cpu_has_leaves();
	model_cpuid_set(7, 0,
			(struct cpuid_regs){ 0, CPUID_7_EBX_INTEL_PT | CPUID_7_EBX_INVPCID, 0, 0 });
	model_cpuid_set(CPUID_LEAF_INTEL_PT, MODEL_ANY_SUBLEAF,
			(struct cpuid_regs){ 1, 0xf, 7, 0 });
	boot_vcpu(~0u, 0);
	CHECK_EQ_U64(guest_cpuid(7, 0).ebx, CPUID_7_EBX_INVPCID);
	for (u32 subleaf = 0; subleaf < 2; subleaf++) {
		struct cpuid_regs r = guest_cpuid(CPUID_LEAF_INTEL_PT, subleaf);
		CHECK_EQ_U64(r.eax | r.ebx | r.ecx | r.edx, 0);
	}
}

TEST(cpuid_rdtscp_and_rdpid_follow_enable_rdtscp)
{
	model_reset();
	cpu_has_leaves();
	model_cpuid_set(7, 0, (struct cpuid_regs){ 0, 0, CPUID_7_ECX_RDPID, 0 });
	model_cpuid_set(CPUID_LEAF_EXT_FEATURES, MODEL_ANY_SUBLEAF,
			(struct cpuid_regs){ 0, 0, 0, CPUID_80000001_EDX_RDTSCP });
	boot_vcpu(~0u, 0);
	CHECK(controls.secondary & SECONDARY_EXEC_ENABLE_RDTSCP);
	CHECK_EQ_U64(guest_cpuid(7, 0).ecx, CPUID_7_ECX_RDPID);
	CHECK_EQ_U64(guest_cpuid(CPUID_LEAF_EXT_FEATURES, 0).edx, CPUID_80000001_EDX_RDTSCP);
	boot_vcpu(~(u32)SECONDARY_EXEC_ENABLE_RDTSCP, 0);
	CHECK_EQ_U64(guest_cpuid(7, 0).ecx, 0);
	CHECK_EQ_U64(guest_cpuid(CPUID_LEAF_EXT_FEATURES, 0).edx, 0);
}

TEST(cpuid_xsaves_comes_with_an_empty_xss_exiting_bitmap)
{
	model_reset();
	cpu_has_leaves();
	model_cpuid_set(CPUID_LEAF_XSAVE, 1, (struct cpuid_regs){ 0xf, 0x240, 0x100, 0 });
	boot_vcpu(~0u, 0);
	vmwrite(XSS_EXIT_BITMAP, ~0ULL); /* whatever the VMCS region held */
	vcpu_write_exec_controls(&controls);
	CHECK(controls.secondary & SECONDARY_EXEC_XSAVES);
	CHECK_EQ_U64(vmread(XSS_EXIT_BITMAP), 0);
	CHECK_EQ_U64(guest_cpuid(CPUID_LEAF_XSAVE, 1).eax, 0xf);
	CHECK_EQ_U64(guest_cpuid(CPUID_LEAF_XSAVE, 0).eax, 0); /* other subleaves untouched */

	/* Without the control the field does not exist: not written. */
	model_reset();
	cpu_has_leaves();
	model_cpuid_set(CPUID_LEAF_XSAVE, 1, (struct cpuid_regs){ 0xf, 0x240, 0x100, 0 });
	boot_vcpu(~(u32)SECONDARY_EXEC_XSAVES, 0);
	CHECK_EQ_U64(guest_cpuid(CPUID_LEAF_XSAVE, 1).eax, 0xf & ~CPUID_D_1_EAX_XSAVES);
	{
		u64 v;
		CHECK(vmread_safe(XSS_EXIT_BITMAP, &v) != VMX_OK);
	}
}

TEST(cpuid_vmx_smx_and_sgx_are_hidden)
{
	model_reset();
	cpu_has_leaves();
	model_cpuid_set(1, MODEL_ANY_SUBLEAF,
			(struct cpuid_regs){ 0, 0, CPUID_1_ECX_VMX | CPUID_1_ECX_SMX | 1, 0 });
	model_cpuid_set(7, 0, (struct cpuid_regs){ 0, CPUID_7_EBX_SGX, CPUID_7_ECX_SGX_LC, 0 });
	model_cpuid_set(CPUID_LEAF_SGX, MODEL_ANY_SUBLEAF, (struct cpuid_regs){ 0x23, 0, 0, 0x1f });
	boot_vcpu(~0u, 0);
	CHECK_EQ_U64(guest_cpuid(1, 0).ecx, 1 | CPUID_1_ECX_HYPERVISOR);
	CHECK_EQ_U64(guest_cpuid(7, 0).ebx, 0);
	CHECK_EQ_U64(guest_cpuid(7, 0).ecx, 0);
	CHECK_EQ_U64(guest_cpuid(CPUID_LEAF_SGX, 0).eax, 0);
	CHECK_EQ_U64(guest_cpuid(CPUID_LEAF_SGX, 0).edx, 0);
}

TEST(cpuid_hidden_leaf_above_the_highest_basic_leaf_is_the_cpus_answer)
{
	/* The CPU answers leaf 0x14 with its highest basic leaf's data: left as is, as natively. */
	model_reset();
	model_cpuid_set(0, MODEL_ANY_SUBLEAF, (struct cpuid_regs){ 0xd, 0, 0, 0 });
	model_cpuid_set(CPUID_LEAF_INTEL_PT, MODEL_ANY_SUBLEAF, (struct cpuid_regs){ 7, 8, 9, 10 });
	boot_vcpu(~0u, 0);
	CHECK_EQ_U64(guest_cpuid(CPUID_LEAF_INTEL_PT, 0).ebx, 8);
}

TEST(cpuid_secondary_controls_count_only_while_activated)
{
	model_reset();
	cpu_has_leaves();
	model_cpuid_set(7, 0, (struct cpuid_regs){ 0, 0, CPUID_7_ECX_WAITPKG, 0 });
	boot_vcpu(~0u, 0);
	vmwrite(CPU_BASED_VM_EXEC_CONTROL,
		controls.cpu & ~(u32)CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
	CHECK_EQ_U64(guest_cpuid(7, 0).ecx, 0);
}
