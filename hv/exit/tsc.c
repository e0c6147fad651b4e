/*
 * The guest's TSC is the processor's plus the VMCS TSC offset (SDM Vol.
 * 3C, "Timestamp Counter Offsetting"). Writes to IA32_TSC and
 * IA32_TSC_ADJUST exit and change only the offset, so the processor's TSC,
 * which guest_limit's deadline is counted in, belongs to the hypervisor
 * alone. Both MSRs move together as on hardware: a write of IA32_TSC adds
 * its change to IA32_TSC_ADJUST, and a write of IA32_TSC_ADJUST moves the
 * TSC by the difference (SDM Vol. 3B, "Time-Stamp Counter Adjustment").
 */
#include "hv/exit/tsc.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx.h"

#define CPUID_7_EBX_TSC_ADJUST BIT(1)

static u64 guest_tsc_adjust;

bool tsc_adjust_present(void)
{
	return cpuid(0).eax >= 7 && (cpuid_count(7, 0).ebx & CPUID_7_EBX_TSC_ADJUST);
}

void tsc_init_guest(void)
{
	vmwrite(TSC_OFFSET, 0);
	guest_tsc_adjust = tsc_adjust_present() ? rdmsr(MSR_IA32_TSC_ADJUST) : 0;
}

bool tsc_write(u32 msr, u64 value)
{
	u64 offset = vmread(TSC_OFFSET), now = rdtsc();

	(void)msr;
	guest_tsc_adjust += value - (now + offset);
	vmwrite(TSC_OFFSET, value - now);
	return true;
}

bool tsc_adjust_read(u32 msr, u64 *value)
{
	(void)msr;
	*value = guest_tsc_adjust;
	return true;
}

bool tsc_adjust_write(u32 msr, u64 value)
{
	(void)msr;
	vmwrite(TSC_OFFSET, vmread(TSC_OFFSET) + (value - guest_tsc_adjust));
	guest_tsc_adjust = value;
	return true;
}
