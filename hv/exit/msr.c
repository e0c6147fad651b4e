/*
 * RDMSR and WRMSR of intercepted MSRs (the MSR bitmap says which). Each
 * intercepted range has a read and a write handler; a handler returning
 * false, or an MSR no range claims, gives the guest #GP as a CPU without
 * that MSR would.
 */
#include "hv/exit/msr.h"
#include "hv/exit/apic.h"
#include "hv/exit/tsc.h"
#include "hv/cpu/vcpu.h"
#include "hv/base/log.h"
#include "hv/base/hypercall.h"
#include "hv/pmu/pmu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx_bitmap.h"

struct msr_range {
	u32 first, last;
	bool (*read)(u32 msr, u64 *value);
	bool (*write)(u32 msr, u64 value);
};

static bool refuse_read(u32 msr, u64 *value)
{
	(void)msr;
	(void)value;
	return false;
}

static bool refuse_write(u32 msr, u64 value)
{
	(void)msr;
	(void)value;
	return false;
}

/* Locked with VMX disabled: what firmware leaves on a CPU whose VMX is hidden. */
static bool read_feature_control(u32 msr, u64 *value)
{
	*value = (rdmsr(msr) &
		  ~(u64)(FEAT_CTL_VMX_ENABLED_INSIDE_SMX | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) |
		 FEAT_CTL_LOCKED;
	return true;
}

/* MSRs outside the bitmap's two ranges always exit: a cheap intercepted RDMSR to measure. */
static bool read_bench_msr(u32 msr, u64 *value)
{
	(void)msr;
	*value = HC_PING_MAGIC;
	return true;
}

static bool write_bench_msr(u32 msr, u64 value)
{
	(void)msr;
	(void)value;
	return true;
}

static const struct msr_range msr_ranges[] = {
	{ HV_BENCH_MSR, HV_BENCH_MSR, read_bench_msr, write_bench_msr },
	{ MSR_IA32_TSC, MSR_IA32_TSC, refuse_read, tsc_write },
	{ MSR_IA32_APICBASE, MSR_IA32_APICBASE, refuse_read, apic_base_write },
	{ MSR_IA32_FEATURE_CONTROL, MSR_IA32_FEATURE_CONTROL, read_feature_control, refuse_write },
	{ MSR_IA32_TSC_ADJUST, MSR_IA32_TSC_ADJUST, tsc_adjust_read, tsc_adjust_write },
	{ MSR_IA32_TSC_DEADLINE, MSR_IA32_TSC_DEADLINE, tsc_deadline_read, tsc_deadline_write },
	{ MSR_IA32_VMX_BASIC, MSR_IA32_VMX_VMFUNC, refuse_read, refuse_write },
	{ MSR_X2APIC_ICR, MSR_X2APIC_ICR, refuse_read, x2apic_icr_write },
};

/* The PMU's MSRs are scattered; hv/pmu decides about each. */
static const struct msr_range pmu_range = { 0, 0, pmu_msr_read, pmu_msr_write };

/*
 * The MSR bitmap covers 0-0x1fff and 0xc0000000-0xc0001fff; RDMSR and
 * WRMSR of any other MSR always exit (SDM Vol. 3C, "MSR-Bitmap Address").
 * Those the hypervisor does not claim go to the hardware, as they would
 * through a bitmap without the bit: an MSR the CPU lacks #GPs the guest.
 */
static bool read_hardware(u32 msr, u64 *value)
{
	return rdmsr_safe(msr, value);
}

static bool write_hardware(u32 msr, u64 value)
{
	return wrmsr_safe(msr, value);
}

static const struct msr_range hardware_range = { 0, 0, read_hardware, write_hardware };

static const struct msr_range *find_range(u32 msr)
{
	for (size_t i = 0; i < ARRAY_SIZE(msr_ranges); i++)
		if (msr >= msr_ranges[i].first && msr <= msr_ranges[i].last)
			return &msr_ranges[i];
	if (pmu_msr_claims(msr))
		return &pmu_range;
	return msr_bitmap_covers(msr) ? NULL : &hardware_range;
}

enum exit_action handle_rdmsr(void)
{
	u32 msr = (u32)vcpu.regs->rcx;
	const struct msr_range *r = find_range(msr);
	u64 value = 0;

	if (!r || !r->read(msr, &value)) {
		pr_debug("guest RDMSR 0x%x: #GP", msr);
		vcpu_inject_gp();
		return EXIT_RESUME;
	}
	vcpu.regs->rax = (u32)value;
	vcpu.regs->rdx = value >> 32;
	return EXIT_SKIP_INSN;
}

enum exit_action handle_wrmsr(void)
{
	u32 msr = (u32)vcpu.regs->rcx;
	u64 value = (vcpu.regs->rdx << 32) | (u32)vcpu.regs->rax;
	const struct msr_range *r = find_range(msr);

	if (!r || !r->write(msr, value)) {
		pr_debug("guest WRMSR 0x%x <- 0x%llx: #GP", msr, (unsigned long long)value);
		vcpu_inject_gp();
		return EXIT_RESUME;
	}
	return EXIT_SKIP_INSN;
}
