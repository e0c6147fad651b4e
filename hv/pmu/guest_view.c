/*
 * What the guest is given and told: its share of the counters (pmu_gp=)
 * and the CPUID leaves the PMU shapes (1, 7, 0xA, 0x1C, 0x23).
 */
#include "hv/pmu/internal.h"
#include "hv/base/log.h"
#include "hv/base/options.h"
#include "hv/base/status.h"
#include "arch/x86/cpuid.h"

#define CPUID_1_EDX_DS BIT(21)
#define CPUID_1_ECX_DTES64 BIT(2)
#define CPUID_7_EDX_ARCH_LBR BIT(19)
/* Leaf 23H subleaf 0 bits a guest may see: the subleaves with no MSR of their own. */
#define PMU_EXT_GUEST_SUBLEAVES \
	(BIT(0) | BIT(PMU_EXT_SUBLEAF_COUNTERS) | BIT(PMU_EXT_SUBLEAF_EVENTS))
#define PMU_EXT_GUEST_EBX (PMU_EXT_EBX_UMASK2 | PMU_EXT_EBX_EQ)

/* Counters the CPU has beyond those the hypervisor uses (beyond PMU_MAX_GP/FIXED, after a gap). */
static bool cpu_has_unused_counters(void)
{
	return (pmu.caps.gp_mask & ~pmu_low_bits(pmu.nr_gp)) ||
	       (pmu.caps.fixed_mask & ~pmu.fixed_present);
}

void pmu_choose_guest_share(void)
{
	u32 fixed = pmu_fixed_describable(pmu.fixed_present);

	if (hv_opts.pmu_gp != PMU_GP_ALL && hv_opts.pmu_gp > pmu.nr_gp)
		hv_fail(HV_STATUS_BAD_INPUT,
			"pmu_gp=%llu but the CPU has %u general-purpose counters",
			(unsigned long long)hv_opts.pmu_gp, pmu.nr_gp);
	pmu.guest_gp = hv_opts.pmu_gp == PMU_GP_ALL ? pmu.nr_gp : (unsigned)hv_opts.pmu_gp;
	pmu.guest_fixed = pmu_bits_set(fixed);
	/* GLOBAL_CTRL writes are checked wherever the guest must not enable a counter it lacks. */
	pmu.partitioned = pmu.guest_gp < pmu.nr_gp || fixed != pmu.fixed_present ||
			  cpu_has_unused_counters();
	pmu.guest_global_mask = pmu_counter_bits(pmu.guest_gp, fixed);
}

/* No PEBS, BTS or LBR for any guest; then the strategy's view of the PMU. */
void pmu_filter_cpuid(u32 leaf, u32 subleaf, struct cpuid_regs *r)
{
	if (!pmu_filters_cpuid_leaf(leaf))
		return;
	if (leaf == 1) {
		r->edx &= ~(u32)CPUID_1_EDX_DS;
		r->ecx &= ~(u32)CPUID_1_ECX_DTES64;
	} else if (leaf == 7 && subleaf == 0) {
		/*
		 * Hybrid hidden: a guest that sees it takes its counters from
		 * its core type (Linux widens CPUID 0xA's on a P-core) rather
		 * than from the leaves below, as under KVM, which hides it too.
		 */
		r->edx &= ~(u32)(CPUID_7_EDX_ARCH_LBR | CPUID_7_EDX_HYBRID);
	} else if (leaf == CPUID_LEAF_ARCH_LBR && cpuid(0).eax >= CPUID_LEAF_ARCH_LBR) {
		/* Above the highest basic leaf the CPU answers with that leaf's data: left as is. */
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	}
	if (leaf == CPUID_LEAF_PMU_EXT && cpuid(0).eax < CPUID_LEAF_PMU_EXT)
		return;
	pmu.ops->filter_cpuid(leaf, subleaf, r);
}

u32 pmu_guest_fixed_bitmap(void)
{
	u32 fixed = 0;

	for (unsigned j = 0; j < PMU_MAX_FIXED; j++)
		if (pmu_guest_owns_fixed(j))
			fixed |= BIT(j);
	return fixed;
}

/*
 * Leaf 23H: its counters subleaf gives the guest's counters as bitmaps;
 * subleaves whose features have MSRs of their own (auto counter reload,
 * architectural PEBS) and any unknown one read zero.
 */
static void filter_ext_leaf(u32 subleaf, struct cpuid_regs *r)
{
	switch (subleaf) {
	case 0:
		r->eax &= PMU_EXT_GUEST_SUBLEAVES;
		r->ebx &= PMU_EXT_GUEST_EBX;
		r->ecx = r->edx = 0;
		break;
	case PMU_EXT_SUBLEAF_COUNTERS:
		if (!pmu.caps.ext_leaf)
			*r = (struct cpuid_regs){ 0, 0, 0, 0 };
		else
			*r = (struct cpuid_regs){ pmu_low_bits(pmu.guest_gp),
						  pmu_guest_fixed_bitmap(), 0, 0 };
		break;
	case PMU_EXT_SUBLEAF_EVENTS:
		break;
	default:
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	}
}

/*
 * CPUID.0AH: GP counters (EAX[15:8]) and fixed counters from 0 (EDX[4:0])
 * the guest owns and, on v5, all of its fixed counters as a bitmap (ECX):
 * fixed counter j exists where ECX[j] or EDX[4:0] > j (Intel SDM Vol. 2A).
 * Leaf 23H says the same in bitmaps.
 */
void pmu_cpuid_guest_share(u32 leaf, u32 subleaf, struct cpuid_regs *r)
{
	u32 fixed = pmu_guest_fixed_bitmap();

	if (leaf == CPUID_LEAF_PMU_EXT) {
		filter_ext_leaf(subleaf, r);
	} else if (leaf == CPUID_LEAF_PMU) {
		r->eax = (r->eax & ~0xff00u) | (pmu.guest_gp << 8);
		r->edx = (r->edx & ~0x1fu) | pmu_counters_from_zero(fixed);
		r->ecx = pmu.caps.version >= 5 ? fixed : 0;
	}
}
