/*
 * The guest's TSC is the processor's plus the VMCS TSC offset (SDM Vol.
 * 3C, "Timestamp Counter Offsetting"). Writes to IA32_TSC and
 * IA32_TSC_ADJUST exit and change only the offset, so the processor's TSC,
 * which guest_limit's deadline is counted in, belongs to the hypervisor
 * alone. Both MSRs move together as on hardware: a write of IA32_TSC adds
 * its change to IA32_TSC_ADJUST, and a write of IA32_TSC_ADJUST moves the
 * TSC by the difference (SDM Vol. 3B, "Time-Stamp Counter Adjustment").
 *
 * The local APIC's TSC-deadline timer compares IA32_TSC_DEADLINE with the
 * processor's TSC, which the offset does not move. Once the guest has
 * moved its TSC, that MSR is intercepted too and translated both ways, so
 * that a deadline fires at the guest's TSC value; until then it costs no
 * exit.
 */
#include "hv/exit/tsc.h"
#include "hv/exit/intercepts.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx.h"

#define CPUID_7_EBX_TSC_ADJUST BIT(1)
#define CPUID_1_ECX_TSC_DEADLINE BIT(24)

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

/* A new offset; an armed TSC deadline keeps its guest-TSC meaning. */
static void set_offset(u64 offset)
{
	u64 old = vmread(TSC_OFFSET), deadline;

	if (offset == old)
		return;
	vmwrite(TSC_OFFSET, offset);
	if (!(cpuid(1).ecx & CPUID_1_ECX_TSC_DEADLINE))
		return;
	intercepts_tsc_deadline();
	deadline = rdmsr(MSR_IA32_TSC_DEADLINE);
	if (deadline)
		wrmsr(MSR_IA32_TSC_DEADLINE, deadline + old - offset);
}

bool tsc_write(u32 msr, u64 value)
{
	u64 now = rdtsc();

	(void)msr;
	guest_tsc_adjust += value - (now + vmread(TSC_OFFSET));
	set_offset(value - now);
	return true;
}

/* 0 disarms the timer in either view. */
bool tsc_deadline_read(u32 msr, u64 *value)
{
	u64 v = rdmsr(msr);

	*value = v ? v + vmread(TSC_OFFSET) : 0;
	return true;
}

bool tsc_deadline_write(u32 msr, u64 value)
{
	return wrmsr_safe(msr, value ? value - vmread(TSC_OFFSET) : 0);
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
	set_offset(vmread(TSC_OFFSET) + (value - guest_tsc_adjust));
	guest_tsc_adjust = value;
	return true;
}
