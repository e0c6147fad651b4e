/*
 * What a strategy file (hv/pmu/off.c, passthrough.c, switch.c, lazy.c,
 * rfc.c, mediated.c, partition.c) uses: the table of operations it fills,
 * the MSR-intercept policy and boot warnings it names, the counted
 * primitives its save and restore go through, and the shared pieces of
 * the guest's view it builds on. A new strategy is added to
 * pmu_strategies[] in strategy.c. See docs/pmu.md.
 */
#ifndef HV_PMU_STRATEGY_H
#define HV_PMU_STRATEGY_H

#include "hv/pmu/pmu.h"
#include "arch/x86/msr.h"

/* Guest PMU MSR accesses that exit (the MSR bitmap), beyond the counters the guest does not own. */
#define PMU_EXIT_EVTSEL_WRITE BIT(0)	     /* PERFEVTSELx writes of the guest's counters */
#define PMU_EXIT_FIXED_CTR_CTRL_WRITE BIT(1) /* FIXED_CTR_CTRL writes */
#define PMU_EXIT_GLOBAL_CTRL_WRITE \
	BIT(2)		    /* GLOBAL_CTRL, GLOBAL_OVF_CTRL, GLOBAL_STATUS_SET writes */
#define PMU_EXIT_ALL BIT(3) /* every PMU MSR, read and write: the guest has no PMU */
#define PMU_EXIT_FIXED_CTR_CTRL_READ BIT(4) /* FIXED_CTR_CTRL reads */

/* Boot warnings that apply to a strategy, printed where the CPU lacks the feature. */
#define PMU_WARN_NO_STATUS_SET BIT(0) /* loses overflow bits without GLOBAL_STATUS_SET (v2/v3) */
#define PMU_WARN_LEGACY_WRITES BIT(1) /* rewrites GP counters: 32 bits without full-width writes */

/*
 * A strategy: how the guest's PMU is given to it and switched at every
 * exit. Optional hooks are NULL where the shared behaviour of hv/pmu is
 * wanted. Every PMU MSR access of save and restore goes through the
 * counted primitives below (pmu_rdmsr() and friends).
 */
struct pmu_strategy {
	const char *name;	 /* the pmu= value */
	const char *description; /* one line, for pmu=help and docs */
	u32 exits;		 /* PMU_EXIT_*: the MSR-intercept policy */
	u32 warnings;		 /* PMU_WARN_* */
	/* GLOBAL_STATUS of the guest lives in pmu.guest while switched out. */
	bool status_held_outside;
	/* The hypervisor keeps counters of its own, chosen by pmu_host=. */
	bool keeps_host_counters;
	/* At boot, after the shared setup (detection, the guest's share): its own. Optional. */
	void (*init)(void);
	/* The guest's CPUID leaves 1, 7, 0xA and 0x23, after the shared filtering. */
	void (*filter_cpuid)(u32 leaf, u32 subleaf, struct cpuid_regs *r);
	/* On VM exit, before the handler: switch to the host; false if nothing was switched. */
	bool (*save)(u32 basic_reason);
	/* Before VM entry, after an exit whose save() returned true. */
	void (*restore)(u32 basic_reason);
	/* Optional: whether save() runs at all in this boot, decided at init; NULL: it does. */
	bool (*acts_on_exits)(void);
	/*
	 * Optional: save() and restore() as the exit path inlines them at
	 * stats=off (hv/pmu/lean.h); NULL: it calls them (PMU_LEAN_CALLS).
	 */
	enum pmu_lean (*lean)(void);
	/* Intercepted guest writes; NULL: the shared handling. Return false for #GP. */
	bool (*write_fixed_ctr_ctrl)(u64 value);
	bool (*write_global_ctrl)(u64 value);
	/* Optional: intercepted guest FIXED_CTR_CTRL reads; false for #GP. */
	bool (*read_fixed_ctr_ctrl)(u64 *value);
	/* Optional: set, the guest's RDPMC exits and this answers it; false for #GP. */
	bool (*rdpmc)(u32 ecx, u64 *value);
};

/* The strategies, each defined in its own file, registered in pmu_strategies[] (strategy.c). */
extern const struct pmu_strategy pmu_strategy_passthrough, pmu_strategy_off, pmu_strategy_switch,
	pmu_strategy_rfc, pmu_strategy_mediated, pmu_strategy_lazy, pmu_strategy_partition;

/* Every strategy; the first is the default. */
extern const struct pmu_strategy *const pmu_strategies[];
extern const unsigned pmu_nr_strategies;
/* By name (len bytes of name); NULL if none. */
const struct pmu_strategy *pmu_strategy_find(const char *name, size_t len);

/* The guest owns fixed counter j (then it is present). */
static inline bool pmu_guest_owns_fixed(unsigned j)
{
	return j < PMU_MAX_FIXED && (pmu.guest_global_mask & global_bit_fixed(j));
}

/*
 * Of the fixed counters in mask, those a guest can be told of: all with
 * PerfMon v5's bitmap (CPUID.0AH:ECX), else the first up to a gap, since
 * EDX[4:0] counts fixed counters from 0.
 */
u32 pmu_fixed_describable(u32 mask);

/* The fixed counters the guest owns, bit j for counter j. */
u32 pmu_guest_fixed_bitmap(void);

/*
 * A PMU register as the guest names it, by its MSR index or by RDPMC's
 * ECX: the one translation from either to a counter.
 */
struct pmu_reg {
	enum pmu_reg_kind {
		PMU_REG_NONE,	/* not a PMU MSR */
		PMU_REG_GP,	/* GP counter index (IA32_PMCx, IA32_A_PMCx) */
		PMU_REG_EVTSEL, /* the selector of GP counter index */
		PMU_REG_FIXED,	/* fixed counter index */
		PMU_REG_OTHER, /* a PMU MSR of no one counter: the global MSRs, DS, DEBUGCTL, ... */
	} kind;
	unsigned index;
};
struct pmu_reg pmu_reg_of_msr(u32 msr);
/* A GP or fixed counter; its index may be one the CPU lacks. */
struct pmu_reg pmu_reg_of_rdpmc(u32 ecx);
/* A counter, or a selector, the guest owns. */
bool pmu_guest_owns_reg(struct pmu_reg r);
/* The MSR of a GP (IA32_PMCx) or fixed counter. */
u32 pmu_counter_msr(struct pmu_reg r);

/*
 * The shared CPUID filter of leaves 0xA and 0x23: both describe the
 * counters the guest owns (pmu.guest_gp, its fixed counters), the same way.
 */
void pmu_cpuid_guest_share(u32 leaf, u32 subleaf, struct cpuid_regs *r);

/*
 * The hypervisor's own counters (pmu.host): fixed counters 0 and 1 count
 * instructions retired and unhalted core cycles in ring 0, without a PMI,
 * enabled by the host's GLOBAL_CTRL. The caller checks that the CPU has
 * both. switch uses the constants where it switches (hv/pmu/switch.h).
 */
void pmu_host_counts_with_fixed_0_1(void);

/* The guest's GLOBAL_CTRL as the VM transitions hold it. */
u64 pmu_guest_global_ctrl(void);
void pmu_set_guest_global_ctrl(u64 value);

/*
 * The switching primitives of the strategies: every access is counted in
 * pmu.access (pmu_msr_accesses in the results). Inline, so that the count
 * is one increment beside the access, not a call around it.
 */
static inline u64 pmu_rdmsr(u32 msr)
{
	pmu.access.rdmsr++;
	return rdmsr(msr);
}

static inline void pmu_wrmsr(u32 msr, u64 value)
{
	pmu.access.wrmsr++;
	wrmsr(msr, value);
}

static inline u64 pmu_read_gp(unsigned i)
{
	if (!pmu.use_rdpmc)
		return pmu_rdmsr(msr_pmc(i, false));
	pmu.access.rdpmc++;
	return rdpmc(i);
}

static inline u64 pmu_read_fixed(unsigned j)
{
	if (!pmu.use_rdpmc)
		return pmu_rdmsr(msr_fixed_ctr(j));
	pmu.access.rdpmc++;
	return rdpmc(RDPMC_FIXED | j);
}

/* Legacy IA32_PMCx writes keep only 32 bits, sign-extended; IA32_A_PMCx takes all. */
static inline void pmu_write_gp(unsigned i, u64 value)
{
	pmu_wrmsr(msr_pmc(i, pmu.full_width_writes), value);
}

/* Make GLOBAL_STATUS equal target by clearing and setting only the differing bits. */
void pmu_restore_global_status(u64 target);
/* Read GLOBAL_STATUS and clear it where non-zero. */
u64 pmu_take_global_status(void);

#endif
