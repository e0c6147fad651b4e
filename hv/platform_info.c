#include "hv/platform_info.h"
#include "hv/log.h"
#include "hv/status.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/msr.h"
#include "arch/x86/pmu.h"
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

#define MSR_IA32_UCODE_REV 0x0000008b

void platform_print_meta(void)
{
	struct cpuid_regs r = cpuid(0);
	struct pmu_caps p = { 0 };
	struct cpu_id c;
	u64 ucode = 0;

	identify_cpu(&c);
	if (r.eax >= CPUID_LEAF_PMU) {
		r = cpuid(CPUID_LEAF_PMU);
		p = pmu_caps_decode(r.eax, r.ebx, r.ecx, r.edx);
	}
	console_printf("meta,cpu_vendor,%s\n", c.vendor);
	console_printf("meta,cpu_model_name,%s\n", c.name);
	console_printf("meta,cpu_family,%u\nmeta,cpu_model,%u\nmeta,cpu_stepping,%u\n", c.family,
		       c.model, c.stepping);
	/* SDM Vol. 3A, "Microcode Update Facilities": write 0, CPUID, read the signature. */
	if (wrmsr_safe(MSR_IA32_UCODE_REV, 0)) {
		(void)cpuid(1);
		if (rdmsr_safe(MSR_IA32_UCODE_REV, &ucode))
			console_printf("meta,microcode,0x%llx\n",
				       (unsigned long long)(ucode >> 32));
	}
	console_printf("meta,hypervisor_present,%u\n",
		       (cpuid(1).ecx & CPUID_1_ECX_HYPERVISOR) ? 1 : 0);
	console_printf("meta,perfmon_version,%u\nmeta,gp_counters,%u\nmeta,gp_width,%u\n",
		       p.version, p.nr_gp, p.gp_width);
	console_printf("meta,fixed_counters,%u\nmeta,fixed_width,%u\n", p.nr_fixed, p.fixed_width);
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

static bool cpu_has_vmx(void)
{
	return cpuid(1).ecx & CPUID_1_ECX_VMX;
}

void platform_report(void)
{
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
