#include "hv/base/platform_info.h"
#include "hv/base/log.h"
#include "hv/base/status.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/msr.h"
#include "arch/x86/pmu.h"
#include "arch/x86/vmx.h"
#include "lib/printf.h"
#include "lib/string.h"

static void cpu_brand(char brand[49])
{
	struct cpuid_regs r = cpuid(0x80000000);

	memset(brand, 0, 49);
	if (r.eax < 0x80000004)
		return;
	for (u32 i = 0; i < 3; i++) {
		r = cpuid(0x80000002 + i);
		memcpy(brand + 16 * i, &r, 16);
	}
}

static void cpu_vendor(char vendor[13])
{
	struct cpuid_regs r = cpuid(0);
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
}

struct cpu_id {
	char vendor[13], brand[49];
	const char *name; /* brand without leading spaces */
	u32 family, model, stepping;
};

static void identify_cpu(struct cpu_id *c)
{
	u32 eax = cpuid(1).eax;

	c->family = (eax >> 8) & 0xf;
	c->model = (eax >> 4) & 0xf;
	c->stepping = eax & 0xf;
	if (c->family == 0xf)
		c->family += (eax >> 20) & 0xff;
	if (c->family == 0x6 || c->family >= 0xf)
		c->model |= ((eax >> 16) & 0xf) << 4;
	cpu_vendor(c->vendor);
	cpu_brand(c->brand);
	for (c->name = c->brand; *c->name == ' '; c->name++)
		;
}

static void report_cpu(void)
{
	struct cpu_id c;

	identify_cpu(&c);
	pr_info("cpu: %s family 0x%x model 0x%x stepping %u '%s'", c.vendor, c.family, c.model,
		c.stepping, c.name);
}

static u32 max_basic_leaf(void)
{
	return cpuid(0).eax;
}

static struct cpuid_regs cpuid_leaf7(u32 subleaf)
{
	struct cpuid_regs none = { 0 };

	if (max_basic_leaf() < 7 || subleaf > cpuid_count(7, 0).eax)
		return none;
	return cpuid_count(7, subleaf);
}

static bool cpu_has_vmx(void)
{
	return cpuid(1).ecx & CPUID_1_ECX_VMX;
}

static unsigned perfmon_version(void)
{
	return max_basic_leaf() >= CPUID_LEAF_PMU ? cpuid(CPUID_LEAF_PMU).eax & 0xff : 0;
}

/* RDMSR of an MSR the CPU enumerates; absent where it does not, or where RDMSR #GPs. */
static struct msr_reading read_msr_if(bool enumerated, u32 msr)
{
	struct msr_reading r = { false, 0 };

	if (enumerated)
		r.present = rdmsr_safe(msr, &r.value);
	if (!r.present)
		r.value = 0;
	return r;
}

static void print_msr_meta(const char *key, struct msr_reading r)
{
	if (r.present)
		console_printf("meta,%s,0x%llx\n", key, (unsigned long long)r.value);
	else
		console_printf("meta,%s,absent\n", key);
}

/* ---- the state firmware left the PMU and tracing in, before pmuvisor touches them ---- */

enum boot_msr {
	BOOT_PERF_GLOBAL_CTRL,
	BOOT_FIXED_CTR_CTRL,
	BOOT_PEBS_ENABLE,
	BOOT_DS_AREA,
	BOOT_RTIT_CTL,
	NR_BOOT_MSRS
};

static const char *const boot_msr_keys[NR_BOOT_MSRS] = {
	[BOOT_PERF_GLOBAL_CTRL] = "boot_perf_global_ctrl",
	[BOOT_FIXED_CTR_CTRL] = "boot_fixed_ctr_ctrl",
	[BOOT_PEBS_ENABLE] = "boot_pebs_enable",
	[BOOT_DS_AREA] = "boot_ds_area",
	[BOOT_RTIT_CTL] = "boot_rtit_ctl",
};

static struct {
	bool recorded;
	struct msr_reading msr[NR_BOOT_MSRS];
} boot_state;

static void record_boot_state(void)
{
	bool ds = cpuid(1).edx & CPUID_1_EDX_DS;
	bool perfmon_v2 = perfmon_version() >= 2; /* GLOBAL_CTRL and FIXED_CTR_CTRL */

	boot_state.msr[BOOT_PERF_GLOBAL_CTRL] = read_msr_if(perfmon_v2, MSR_CORE_PERF_GLOBAL_CTRL);
	boot_state.msr[BOOT_FIXED_CTR_CTRL] = read_msr_if(perfmon_v2, MSR_CORE_PERF_FIXED_CTR_CTRL);
	/* PEBS needs the debug store (SDM Vol. 3B, "Debug Store (DS) Mechanism"). */
	boot_state.msr[BOOT_PEBS_ENABLE] = read_msr_if(ds, MSR_IA32_PEBS_ENABLE);
	boot_state.msr[BOOT_DS_AREA] = read_msr_if(ds, MSR_IA32_DS_AREA);
	boot_state.msr[BOOT_RTIT_CTL] =
		read_msr_if(cpuid_leaf7(0).ebx & CPUID_7_EBX_INTEL_PT, MSR_IA32_RTIT_CTL);
	boot_state.recorded = true;
}

static void print_boot_state_meta(void)
{
	if (!boot_state.recorded)
		return;
	for (int i = 0; i < NR_BOOT_MSRS; i++)
		print_msr_meta(boot_msr_keys[i], boot_state.msr[i]);
}

/* ---- VMX capability MSRs, SDM Vol. 3D, Appendix A "VMX Capability Reporting Facility" ---- */

#define NR_VMX_CAP_MSRS (MSR_IA32_VMX_EXIT_CTLS2 - MSR_IA32_VMX_BASIC + 1)
#define VMX_CAP(vmx, msr) (&(vmx)[(msr)-MSR_IA32_VMX_BASIC])

static const char *const vmx_cap_keys[NR_VMX_CAP_MSRS] = {
	"vmx_basic",	       "vmx_pinbased_ctls",	 "vmx_procbased_ctls",
	"vmx_exit_ctls",       "vmx_entry_ctls",	 "vmx_misc",
	"vmx_cr0_fixed0",      "vmx_cr0_fixed1",	 "vmx_cr4_fixed0",
	"vmx_cr4_fixed1",      "vmx_vmcs_enum",		 "vmx_procbased_ctls2",
	"vmx_ept_vpid_cap",    "vmx_true_pinbased_ctls", "vmx_true_procbased_ctls",
	"vmx_true_exit_ctls",  "vmx_true_entry_ctls",	 "vmx_vmfunc",
	"vmx_procbased_ctls3", "vmx_exit_ctls2",
};

/* The 1-setting of a control is allowed: bits 63:32 of its capability MSR. */
static bool allows(const struct msr_reading *cap, u32 control)
{
	return cap->present && ((cap->value >> 32) & control);
}

/* Whether the CPU has this capability MSR, from those before it (each rule looks only back). */
static bool vmx_cap_enumerated(u32 msr, const struct msr_reading *vmx)
{
	const struct msr_reading *basic = VMX_CAP(vmx, MSR_IA32_VMX_BASIC);
	const struct msr_reading *proc = VMX_CAP(vmx, MSR_IA32_VMX_PROCBASED_CTLS);
	const struct msr_reading *proc2 = VMX_CAP(vmx, MSR_IA32_VMX_PROCBASED_CTLS2);

	switch (msr) {
	case MSR_IA32_VMX_PROCBASED_CTLS2:
		return allows(proc, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
	case MSR_IA32_VMX_EPT_VPID_CAP:
		return allows(proc2, SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID);
	case MSR_IA32_VMX_TRUE_PINBASED_CTLS:
	case MSR_IA32_VMX_TRUE_PROCBASED_CTLS:
	case MSR_IA32_VMX_TRUE_EXIT_CTLS:
	case MSR_IA32_VMX_TRUE_ENTRY_CTLS:
		return basic->present && (basic->value & VMX_BASIC_TRUE_CTLS);
	case MSR_IA32_VMX_VMFUNC:
		return allows(proc2, SECONDARY_EXEC_ENABLE_VMFUNC);
	case MSR_IA32_VMX_PROCBASED_CTLS3:
		return allows(proc, CPU_BASED_ACTIVATE_TERTIARY_CONTROLS);
	case MSR_IA32_VMX_EXIT_CTLS2:
		return allows(VMX_CAP(vmx, MSR_IA32_VMX_EXIT_CTLS),
			      VM_EXIT_ACTIVATE_SECONDARY_CONTROLS);
	default: /* IA32_VMX_BASIC .. IA32_VMX_VMCS_ENUM: every CPU with VMX */
		return cpu_has_vmx();
	}
}

static void print_vmx_cap_meta(void)
{
	struct msr_reading vmx[NR_VMX_CAP_MSRS];

	for (u32 i = 0; i < NR_VMX_CAP_MSRS; i++) {
		u32 msr = MSR_IA32_VMX_BASIC + i;

		vmx[i] = read_msr_if(vmx_cap_enumerated(msr, vmx), msr);
		print_msr_meta(vmx_cap_keys[i], vmx[i]);
	}
}

/* ---- CPUID leaves of the PMU and of hybrid parts ---- */

static void print_cpuid_meta(const char *key, bool present, struct cpuid_regs r)
{
	if (present)
		console_printf("meta,%s,0x%08x 0x%08x 0x%08x 0x%08x\n", key, r.eax, r.ebx, r.ecx,
			       r.edx);
	else
		console_printf("meta,%s,absent\n", key);
}

static const char *core_type_name(u32 type)
{
	switch (type) {
	case CPUID_CORE_TYPE_ATOM:
		return "atom";
	case CPUID_CORE_TYPE_CORE:
		return "core";
	case 0:
		return "none";
	default:
		return "other";
	}
}

static void print_pmu_cpuid_meta(void)
{
	u32 max = max_basic_leaf();
	bool ext = max >= CPUID_LEAF_PMU_EXT &&
		   (cpuid_leaf7(1).eax & CPUID_7_1_EAX_ARCH_PERFMON_EXT);
	struct cpuid_regs hybrid = { 0 };
	char key[24];

	print_cpuid_meta("cpuid_0xa", max >= CPUID_LEAF_PMU, cpuid(CPUID_LEAF_PMU));
	print_cpuid_meta("cpuid_0x23_0", ext, cpuid_count(CPUID_LEAF_PMU_EXT, 0));
	if (ext) {
		u32 valid = cpuid_count(CPUID_LEAF_PMU_EXT, 0).eax;

		for (u32 i = 1; i < 32; i++) {
			if (!(valid & BIT(i)))
				continue;
			snprintf_hv(key, sizeof(key), "cpuid_0x23_%u", i);
			print_cpuid_meta(key, true, cpuid_count(CPUID_LEAF_PMU_EXT, i));
		}
	}
	if (max >= CPUID_LEAF_NATIVE_MODEL)
		hybrid = cpuid(CPUID_LEAF_NATIVE_MODEL);
	print_cpuid_meta("cpuid_0x1a", max >= CPUID_LEAF_NATIVE_MODEL, hybrid);
	console_printf("meta,hybrid,%u\n", (cpuid_leaf7(0).edx & CPUID_7_EDX_HYBRID) ? 1 : 0);
	console_printf("meta,core_type,%s\n", core_type_name(CPUID_1A_CORE_TYPE(hybrid.eax)));
}

/* SDM Vol. 3A, "Microcode Update Facilities": write 0, CPUID, read the signature. */
static struct msr_reading microcode_revision(void)
{
	struct msr_reading r = { false, 0 };

	if (wrmsr_safe(MSR_IA32_UCODE_REV, 0)) {
		(void)cpuid(1);
		r = read_msr_if(true, MSR_IA32_UCODE_REV);
		r.value >>= 32;
	}
	return r;
}

struct msr_reading platform_smi_count(void)
{
	struct msr_reading r = read_msr_if(true, MSR_SMI_COUNT);

	r.value &= 0xffffffff; /* bits 63:32 are reserved */
	return r;
}

void platform_print_meta(void)
{
	struct cpuid_regs r = cpuid(0);
	struct pmu_caps p = { 0 };
	struct cpu_id c;

	identify_cpu(&c);
	if (r.eax >= CPUID_LEAF_PMU) {
		r = cpuid(CPUID_LEAF_PMU);
		p = pmu_caps_decode(r.eax, r.ebx, r.ecx, r.edx);
	}
	console_printf("meta,cpu_vendor,%s\n", c.vendor);
	console_printf("meta,cpu_model_name,%s\n", c.name);
	console_printf("meta,cpu_family,%u\nmeta,cpu_model,%u\nmeta,cpu_stepping,%u\n", c.family,
		       c.model, c.stepping);
	print_msr_meta("microcode", microcode_revision());
	console_printf("meta,hypervisor_present,%u\n",
		       (cpuid(1).ecx & CPUID_1_ECX_HYPERVISOR) ? 1 : 0);
	console_printf("meta,perfmon_version,%u\nmeta,gp_counters,%u\nmeta,gp_width,%u\n",
		       p.version, p.nr_gp, p.gp_width);
	console_printf("meta,fixed_counters,%u\nmeta,fixed_width,%u\n", p.nr_fixed, p.fixed_width);
	print_pmu_cpuid_meta();
	print_msr_meta("perf_capabilities",
		       read_msr_if(cpuid(1).ecx & CPUID_1_ECX_PDCM, MSR_IA32_PERF_CAPABILITIES));
	print_boot_state_meta();
	print_msr_meta("tsx_force_abort",
		       read_msr_if(cpuid_leaf7(0).edx & CPUID_7_EDX_TSX_FORCE_ABORT,
				   MSR_TSX_FORCE_ABORT));
	print_vmx_cap_meta();
}

static void report_pmu(void)
{
	struct cpuid_regs max = cpuid(0), r;
	struct pmu_caps c;

	if (max.eax < CPUID_LEAF_PMU) {
		pr_info("pmu: none (CPUID leaf 0xA not offered)");
		return;
	}
	r = cpuid(CPUID_LEAF_PMU);
	c = pmu_caps_decode(r.eax, r.ebx, r.ecx, r.edx);
	if (c.version == 0) {
		pr_info("pmu: none (CPUID.0AH:EAX.version = 0)");
		return;
	}
	pr_info("pmu: version %u, %u general-purpose counters of %u bits, "
		"%u fixed counters of %u bits",
		c.version, c.nr_gp, c.gp_width, c.nr_fixed, c.fixed_width);
}

void platform_report(void)
{
	record_boot_state();
	report_cpu();
	pr_info("vmx: %s", cpu_has_vmx() ? "present" : "absent");
	report_pmu();
}

void platform_require_vmx(void)
{
	if (!cpu_has_vmx())
		hv_fail(HV_STATUS_UNSUPPORTED,
			"VMX not supported by this CPU (CPUID.1:ECX.VMX[bit 5] = 0); "
			"use Intel hardware, nested KVM or Bochs");
}
