#include "platform_info.h"
#include "log.h"
#include "status.h"
#include "../arch/x86/cpuid.h"
#include "../arch/x86/pmu.h"
#include "../lib/string.h"

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

static void report_cpu(void)
{
	struct cpuid_regs r = cpuid(1);
	char vendor[13], brand[49];
	const char *b;
	u32 family = (r.eax >> 8) & 0xf, model = (r.eax >> 4) & 0xf;

	if (family == 0xf)
		family += (r.eax >> 20) & 0xff;
	if (family == 0x6 || family >= 0xf)
		model |= ((r.eax >> 16) & 0xf) << 4;
	cpu_vendor(vendor);
	cpu_brand(brand);
	for (b = brand; *b == ' '; b++)
		;
	pr_info("cpu: %s family 0x%x model 0x%x stepping %u '%s'", vendor, family,
		model, r.eax & 0xf, b);
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
