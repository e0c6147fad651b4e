/* MSRs the hypervisor must intercept, refuse or virtualize. */
#include "guests/hostile/cases.h"
#include "guests/hostile/insn.h"

#define MSR_IA32_TSC 0x10
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define FEATURE_CONTROL_LOCKED (1u << 0)
#define FEATURE_CONTROL_VMX (3u << 1) /* inside and outside SMX */
#define MSR_IA32_APIC_BASE 0x1b
#define APIC_BASE_ADDR_MASK 0xfffff000u
#define MSR_IA32_VMX_VMFUNC 0x491
#define MSR_X2APIC_ICR 0x830
#define ICR_FIXED_SELF (0x40 | (1u << 18)) /* vector 0x40, shorthand self */
#define TSC_FAR 0x10000000000ULL
#define TSC_SLACK 0x100000000ULL
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define TSC_DEADLINE_DELAY 200000 /* far more than the few instructions in between */

/* ICR 0x830 is an x2APIC register: in xAPIC mode every x2APIC MSR #GPs. */
void case_x2apic_icr_in_xapic(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);
	bool done = wrmsr_safe(MSR_X2APIC_ICR, ICR_FIXED_SELF);

	CHECK(!(base & (1u << 10)), "APIC in xAPIC mode (APIC_BASE 0x%llx)",
	      (unsigned long long)base);
	CHECK(faulted_with(done, VECTOR_GP), "WRMSR x2APIC ICR in xAPIC mode: #GP (vector %u)",
	      done ? 0 : guest_fault_vector);
}

/* Moving the APIC page over the hypervisor would turn its memory into APIC registers. */
void case_apic_base_over_hv(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE), hv, hv_end;
	bool done;

	if (!CHECK(guest_hypervisor_range(&hv, &hv_end),
		   "the memory map shows the hypervisor's memory after the RAM from 1 MiB"))
		return;
	done = wrmsr_safe(MSR_IA32_APIC_BASE, (base & ~(u64)APIC_BASE_ADDR_MASK) | hv);
	CHECK(faulted_with(done, VECTOR_GP), "WRMSR APIC_BASE <- 0x%llx (hypervisor memory): #GP",
	      (unsigned long long)hv);
	CHECK(rdmsr(MSR_IA32_APIC_BASE) == base, "APIC_BASE still 0x%llx",
	      (unsigned long long)base);
	CHECK(wrmsr_safe(MSR_IA32_APIC_BASE, base), "WRMSR APIC_BASE <- its own value is allowed");
}

/* Run with guest_limit: the hypervisor must end this loop, TSC writes or not. */
void case_tsc_write_evades_limit(void)
{
	guest_printf("hostile: writing IA32_TSC = 0 forever\n");
	guest_flush();
	for (;;)
		wrmsr(MSR_IA32_TSC, 0);
}

void case_tsc_write_reads_back(void)
{
	u64 t;

	wrmsr(MSR_IA32_TSC, TSC_FAR);
	t = rdtsc();
	CHECK(t >= TSC_FAR && t - TSC_FAR < TSC_SLACK, "RDTSC after WRMSR TSC <- 0x%llx: 0x%llx",
	      TSC_FAR, (unsigned long long)t);
	t = rdmsr(MSR_IA32_TSC);
	CHECK(t >= TSC_FAR && t - TSC_FAR < TSC_SLACK, "RDMSR TSC: 0x%llx", (unsigned long long)t);
}

/*
 * The APIC's TSC-deadline timer after the guest moved its TSC: a deadline
 * in the guest's TSC must fire when the guest's TSC reaches it. IF is 0,
 * so the interrupt waits in the IRR, where the case looks for it.
 */
void case_tsc_deadline_follows_tsc(void)
{
	volatile u32 *apic = (volatile u32 *)0xfee00000u;
	u32 vector = 0x40;
	u64 deadline;

	if (!CHECK(cpuid(1, 0).ecx & (1u << 24), "the APIC has the TSC-deadline mode"))
		return;
	wrmsr(MSR_IA32_TSC, TSC_FAR);
	apic[0x320 / 4] = vector | (2u << 17); /* LVT timer: TSC-deadline mode, unmasked */
	deadline = rdtsc() + TSC_DEADLINE_DELAY;
	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
	CHECK(rdmsr(MSR_IA32_TSC_DEADLINE) == deadline, "IA32_TSC_DEADLINE reads back 0x%llx",
	      (unsigned long long)deadline);
	while (rdtsc() < deadline + TSC_DEADLINE_DELAY)
		asm volatile("pause");
	CHECK(apic[(0x200 + 0x10 * (vector / 32)) / 4] & (1u << (vector % 32)),
	      "the timer fired at the guest's TSC 0x%llx", (unsigned long long)deadline);
	apic[0x320 / 4] = 1u << 16; /* masked */
}

/* Every VMX capability MSR, IA32_VMX_VMFUNC included, #GPs without VMX. */
void case_vmfunc_msr(void)
{
	u64 v;
	bool done = rdmsr_safe(MSR_IA32_VMX_VMFUNC, &v);

	CHECK(faulted_with(done, VECTOR_GP), "RDMSR IA32_VMX_VMFUNC: #GP (read 0x%llx)",
	      (unsigned long long)(done ? v : 0));
}

/* Locked, VMX not enabled: what firmware leaves on a CPU whose VMX is hidden. */
void case_feature_control(void)
{
	u64 v = rdmsr(MSR_IA32_FEATURE_CONTROL);
	bool done;

	CHECK(!(v & FEATURE_CONTROL_VMX), "FEATURE_CONTROL 0x%llx: VMX not enabled",
	      (unsigned long long)v);
	CHECK(v & FEATURE_CONTROL_LOCKED, "FEATURE_CONTROL is locked");
	done = wrmsr_safe(MSR_IA32_FEATURE_CONTROL, v);
	CHECK(faulted_with(done, VECTOR_GP), "WRMSR of the locked FEATURE_CONTROL: #GP");
}

/* Run with pmu=off: CPUID 0xA is all zero, so RDPMC has no counter to read. */
void case_rdpmc_pmu_off(void)
{
	u64 v;
	bool done = rdpmc_safe(0, &v);

	CHECK(cpuid(0xa, 0).eax == 0, "CPUID 0xA: no PMU (EAX 0x%x)", cpuid(0xa, 0).eax);
	CHECK(faulted_with(done, VECTOR_GP), "RDPMC 0: #GP (vector %u)",
	      done ? 0 : guest_fault_vector);
}
