/*
 * One table: each CPUID feature bit whose instruction depends on a
 * VM-execution control, or that must be hidden, next to that control.
 * Showing a feature whose control is 0 makes the guest fault where the
 * hardware promised it would not (Linux times udelay() with TPAUSE when
 * it sees WAITPKG, which #UDs while "enable user wait and pause" is 0).
 *
 * The rules are SDM Vol. 3C, "Secondary Processor-Based VM-Execution
 * Controls" (what a control's 0-setting does), "Instructions That Cause VM
 * Exits Conditionally" and "Changes to Instruction Behavior in VMX
 * Non-Root Operation" (when the instruction exits once enabled). Every
 * control below that pmuvisor sets leads to no exit it cannot handle:
 *   - RDTSCP, TPAUSE, UMWAIT exit only with "RDTSC exiting", which
 *     pmuvisor never sets (primary_exiting hides them should a CPU force
 *     it); with it 0, TPAUSE and UMWAIT wait for the guest's TSC (offset,
 *     and multiplier where "use TSC scaling" is set, which it is not).
 *   - INVPCID exits only with "INVLPG exiting" (likewise).
 *   - XSAVES/XRSTORS exit only for bits set in the XSS-exiting bitmap,
 *     which vcpu_write_exec_controls() writes 0.
 *   - RDPID needs only "enable RDTSCP" and never exits.
 */
#include "hv/cpu/cpuid_controls.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "lib/string.h"

const struct cpuid_control_dep cpuid_control_deps[] = {
	/* VMX instructions exit unconditionally and get #UD: no nested VMX. */
	{ .name = "VMX",
	  .leaf = 1,
	  .subleaf = CPUID_SUBLEAF_ANY,
	  .reg = CPUID_ECX,
	  .bit = CPUID_1_ECX_VMX,
	  .always_hidden = true },
	/* GETSEC exits unconditionally and gets #UD. */
	{ .name = "SMX",
	  .leaf = 1,
	  .subleaf = CPUID_SUBLEAF_ANY,
	  .reg = CPUID_ECX,
	  .bit = CPUID_1_ECX_SMX,
	  .always_hidden = true },
	/* MONITOR and MWAIT run natively; their exits have no handler. */
	{ .name = "MONITOR",
	  .leaf = 1,
	  .subleaf = CPUID_SUBLEAF_ANY,
	  .reg = CPUID_ECX,
	  .bit = CPUID_1_ECX_MONITOR,
	  .feature_leaf = CPUID_LEAF_MONITOR,
	  .primary_exiting = CPU_BASED_MONITOR_EXITING | CPU_BASED_MWAIT_EXITING },
	/* ENCLS runs natively while "enable ENCLS exiting" is 0, on an EPC nobody manages. */
	{ .name = "SGX",
	  .leaf = 7,
	  .subleaf = 0,
	  .reg = CPUID_EBX,
	  .bit = CPUID_7_EBX_SGX,
	  .feature_leaf = CPUID_LEAF_SGX,
	  .always_hidden = true },
	{ .name = "SGX_LC",
	  .leaf = 7,
	  .subleaf = 0,
	  .reg = CPUID_ECX,
	  .bit = CPUID_7_ECX_SGX_LC,
	  .always_hidden = true },
	{ .name = "INVPCID",
	  .leaf = 7,
	  .subleaf = 0,
	  .reg = CPUID_EBX,
	  .bit = CPUID_7_EBX_INVPCID,
	  .secondary = SECONDARY_EXEC_ENABLE_INVPCID,
	  .hv_enables = true,
	  .primary_exiting = CPU_BASED_INVLPG_EXITING },
	/* Intel PT would trace the hypervisor and write its output past EPT. */
	{ .name = "INTEL_PT",
	  .leaf = 7,
	  .subleaf = 0,
	  .reg = CPUID_EBX,
	  .bit = CPUID_7_EBX_INTEL_PT,
	  .feature_leaf = CPUID_LEAF_INTEL_PT,
	  .always_hidden = true },
	{ .name = "WAITPKG",
	  .leaf = 7,
	  .subleaf = 0,
	  .reg = CPUID_ECX,
	  .bit = CPUID_7_ECX_WAITPKG,
	  .secondary = SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE,
	  .hv_enables = true,
	  .primary_exiting = CPU_BASED_RDTSC_EXITING },
	{ .name = "RDPID",
	  .leaf = 7,
	  .subleaf = 0,
	  .reg = CPUID_ECX,
	  .bit = CPUID_7_ECX_RDPID,
	  .secondary = SECONDARY_EXEC_ENABLE_RDTSCP,
	  .hv_enables = true },
	/* PCONFIG would exit per the PCONFIG-exiting bitmap, to no handler: left #UD. */
	{ .name = "PCONFIG",
	  .leaf = 7,
	  .subleaf = 0,
	  .reg = CPUID_EDX,
	  .bit = CPUID_7_EDX_PCONFIG,
	  .secondary = SECONDARY_EXEC_ENABLE_PCONFIG },
	{ .name = "XSAVES",
	  .leaf = CPUID_LEAF_XSAVE,
	  .subleaf = 1,
	  .reg = CPUID_EAX,
	  .bit = CPUID_D_1_EAX_XSAVES,
	  .secondary = SECONDARY_EXEC_XSAVES,
	  .hv_enables = true },
	{ .name = "RDTSCP",
	  .leaf = CPUID_LEAF_EXT_FEATURES,
	  .subleaf = CPUID_SUBLEAF_ANY,
	  .reg = CPUID_EDX,
	  .bit = CPUID_80000001_EDX_RDTSCP,
	  .secondary = SECONDARY_EXEC_ENABLE_RDTSCP,
	  .hv_enables = true,
	  .primary_exiting = CPU_BASED_RDTSC_EXITING },
};
const size_t nr_cpuid_control_deps = ARRAY_SIZE(cpuid_control_deps);

u32 cpuid_controls_wanted_secondary(void)
{
	u32 wanted = 0;

	for (size_t i = 0; i < nr_cpuid_control_deps; i++)
		if (cpuid_control_deps[i].hv_enables)
			wanted |= cpuid_control_deps[i].secondary;
	return wanted;
}

bool cpuid_control_dep_shown(const struct cpuid_control_dep *d, u32 cpu, u32 secondary)
{
	if (d->always_hidden)
		return false;
	if (d->secondary && !(secondary & d->secondary))
		return false;
	return !(cpu & d->primary_exiting);
}

static u32 *reg_of(struct cpuid_regs *r, enum cpuid_reg reg)
{
	switch (reg) {
	case CPUID_EAX:
		return &r->eax;
	case CPUID_EBX:
		return &r->ebx;
	case CPUID_ECX:
		return &r->ecx;
	default:
		return &r->edx;
	}
}

/*
 * Above the highest basic (or extended) leaf the CPU answers with the
 * highest basic leaf's data (SDM Vol. 2A, "CPUID"), which is not ours to
 * change. Leaves 1 and 80000001H exist on every 64-bit CPU: no CPUID for
 * them.
 */
static bool leaf_exists(u32 leaf)
{
	u32 base = leaf & 0x80000000U;

	if (leaf == 1 || leaf == CPUID_LEAF_EXT_FEATURES)
		return true;
	return leaf <= cpuid(base).eax;
}

static bool dep_covers(const struct cpuid_control_dep *d, u32 leaf, u32 subleaf)
{
	if (d->feature_leaf && leaf == d->feature_leaf)
		return true;
	return leaf == d->leaf && (d->subleaf == CPUID_SUBLEAF_ANY || d->subleaf == subleaf);
}

/* The primary and secondary controls of the current VMCS; secondary ones count only while activated. */
static void read_controls(u32 *cpu, u32 *secondary)
{
	*cpu = (u32)vmread(CPU_BASED_VM_EXEC_CONTROL);
	*secondary = *cpu & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS
			     ? (u32)vmread(SECONDARY_VM_EXEC_CONTROL)
			     : 0;
}

void cpuid_controls_filter(u32 leaf, u32 subleaf, struct cpuid_regs *r)
{
	struct cpuid_regs out = *r;
	u32 cpu = 0, secondary = 0;
	bool read = false;

	for (size_t i = 0; i < nr_cpuid_control_deps; i++) {
		const struct cpuid_control_dep *d = &cpuid_control_deps[i];

		if (!dep_covers(d, leaf, subleaf))
			continue;
		if (!read) {
			read_controls(&cpu, &secondary);
			read = true;
		}
		if (cpuid_control_dep_shown(d, cpu, secondary))
			continue;
		if (d->feature_leaf && leaf == d->feature_leaf)
			out = (struct cpuid_regs){ 0, 0, 0, 0 };
		else
			*reg_of(&out, d->reg) &= ~d->bit;
	}
	if (memcmp(&out, r, sizeof(out)) && leaf_exists(leaf))
		*r = out;
}
