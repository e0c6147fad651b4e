/*
 * CPUID as the guest sees it: the real CPU, minus the features whose
 * VM-execution control the VMCS does not give the guest and those never
 * virtualized (the table in hv/cpu/cpuid_controls.c: VMX, PT, SGX, ...),
 * plus the hypervisor bit and a hypervisor leaf carrying pmuvisor's
 * signature; the PMU leaves describe the PMU the guest really gets (hv/pmu).
 */
#include "hv/exit/cpuid.h"
#include "hv/cpu/cpuid_controls.h"
#include "hv/cpu/vcpu.h"
#include "hv/base/hypercall.h"
#include "hv/pmu/pmu.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx.h"
#include "lib/string.h"

#define HV_CPUID_MAX_LEAF (CPUID_LEAF_HV_BASE + 1)

/* Bits that reflect the state of the processor executing CPUID: the guest's, not ours. */
static u64 guest_cr4(void)
{
	u64 mask = vmread(CR4_GUEST_HOST_MASK);
	return (vmread(GUEST_CR4) & ~mask) | (vmread(CR4_READ_SHADOW) & mask);
}

static bool guest_in_64bit_mode(void)
{
	return (vmread(GUEST_IA32_EFER) & EFER_LMA) && (vmread(GUEST_CS_AR_BYTES) & VMX_AR_L);
}

/*
 * The leaves a filter below, the table of cpuid_controls.c (its bits'
 * leaves and feature leaves) or the PMU strategy changes. Every other leaf
 * is the CPU's own answer; testing for them first keeps the common CPUID
 * exit off the filters and the VMCS (CR4, EFER and CS are read only for
 * the leaves that depend on them). Below 64 the test is one bit of a
 * constant: the basic leaves a filter changes, the PMU's among them.
 */
#define FILTERED_BASIC_LEAVES                                                                      \
	(BIT(1) | BIT(CPUID_LEAF_MONITOR) | BIT(7) | BIT(CPUID_LEAF_XSAVE) | BIT(CPUID_LEAF_SGX) | \
	 BIT(CPUID_LEAF_INTEL_PT) | PMU_CPUID_LEAVES)

static inline bool leaf_is_filtered(u32 leaf)
{
	if (leaf < 64)
		return (FILTERED_BASIC_LEAVES >> leaf) & 1;
	return (leaf & ~0xffu) == CPUID_LEAF_HV_BASE || leaf == CPUID_LEAF_EXT_FEATURES;
}

static struct cpuid_regs guest_cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	if (leaf >= CPUID_LEAF_HV_BASE && leaf <= CPUID_LEAF_HV_BASE + 0xff) {
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
		if (leaf == CPUID_LEAF_HV_BASE) {
			r.eax = HV_CPUID_MAX_LEAF;
			memcpy(&r.ebx, HV_CPUID_SIGNATURE, 4);
			memcpy(&r.ecx, HV_CPUID_SIGNATURE + 4, 4);
			memcpy(&r.edx, HV_CPUID_SIGNATURE + 8, 4);
		}
		return r;
	}
	r = cpuid_count(leaf, subleaf);
	if (leaf == 1) {
		r.ecx &= ~(u32)CPUID_1_ECX_OSXSAVE;
		r.ecx |= CPUID_1_ECX_HYPERVISOR;
		if (guest_cr4() & X86_CR4_OSXSAVE)
			r.ecx |= CPUID_1_ECX_OSXSAVE;
	}
	if (leaf == 7 && subleaf == 0) {
		r.ecx &= ~(u32)CPUID_7_ECX_OSPKE;
		if (guest_cr4() & X86_CR4_PKE)
			r.ecx |= CPUID_7_ECX_OSPKE;
	}
	/* Intel reports SYSCALL/SYSRET only to 64-bit code (SDM Vol. 2, "CPUID"): CPUID ran here in 64-bit mode. */
	if (leaf == CPUID_LEAF_EXT_FEATURES && !guest_in_64bit_mode())
		r.edx &= ~(u32)CPUID_80000001_EDX_SYSCALL;
	cpuid_controls_filter(leaf, subleaf, &r);
	pmu_filter_cpuid(leaf, subleaf, &r);
	return r;
}

/* Out of line: the unfiltered leaves' path keeps no register across a call, and saves none. */
static __attribute__((noinline)) enum exit_action handle_filtered_cpuid(struct guest_regs *g)
{
	struct cpuid_regs r = guest_cpuid((u32)g->rax, (u32)g->rcx);

	g->rax = r.eax;
	g->rbx = r.ebx;
	g->rcx = r.ecx;
	g->rdx = r.edx;
	return EXIT_SKIP_INSN;
}

enum exit_action handle_cpuid(void)
{
	struct guest_regs *g = vcpu.regs;

	if (leaf_is_filtered((u32)g->rax))
		return handle_filtered_cpuid(g);
	cpuid_count_wide(g->rax, g->rcx, &g->rax, &g->rbx, &g->rcx, &g->rdx);
	return EXIT_SKIP_INSN;
}
