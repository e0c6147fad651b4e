/*
 * The guest's PMU as the rest of the hypervisor sees it: boot (pmu_init,
 * pmu_setup_vmcs), the exit handlers' calls (CPUID, the PMU MSRs, RDPMC,
 * the per-exit save and restore), the guest's end, and the state the
 * results and benchmarks read. How the PMU is switched is a strategy's,
 * one file each under hv/pmu; what a strategy file uses is in
 * hv/pmu/strategy.h. See docs/pmu.md.
 */
#ifndef HV_PMU_PMU_H
#define HV_PMU_PMU_H

#include "arch/x86/cpuid.h"
#include "arch/x86/pmu.h"
#include "arch/x86/vmx_msr_list.h"
#include "arch/x86/vmcs.h"

struct pmu_strategy; /* hv/pmu/strategy.h */

/* The i-th strategy's name, NULL past the last (the option parser's choices). */
const char *pmu_strategy_name_at(u64 i);
/* pmu=help: one line per strategy, name and description. */
void pmu_print_strategies(void);
/* The strategy in force ("?" before pmu_init()): the results' meta line. */
const char *pmu_strategy_name(void);

enum global_ctrl_mode { GLOBAL_CTRL_LISTS, GLOBAL_CTRL_VMCS };
enum pmu_read_method { PMU_READ_AUTO, PMU_READ_RDPMC, PMU_READ_RDMSR };
/* partition: the hypervisor keeps fixed counters 0 and 1, or the last two GP counters. */
enum pmu_host_counters { PMU_HOST_FIXED, PMU_HOST_GP };

/* One side's PMU registers. */
struct pmu_state {
	u64 global_ctrl, global_status, fixed_ctr_ctrl;
	u64 pmc[PMU_MAX_GP], evtsel[PMU_MAX_GP];
	u64 fixed[PMU_MAX_FIXED];
};

/* PMU MSR accesses made by the switching code during one exit. */
struct pmu_access_count {
	u32 rdmsr, wrmsr, rdpmc;
};

struct pmu {
	const struct pmu_strategy *ops;
	enum global_ctrl_mode global_ctrl_mode;
	/* the hardware */
	struct pmu_caps caps;
	unsigned nr_gp;	   /* GP counters 0..nr_gp-1 */
	u32 fixed_present; /* fixed counter j is bit j: pmu_fixed_present() */
	unsigned nr_fixed; /* one above the highest fixed counter: loops skip the absent ones */
	bool full_width_writes; /* IA32_A_PMCx */
	bool has_status_set;	/* IA32_PERF_GLOBAL_STATUS_SET, PerfMon v4+ */
	/* GLOBAL_STATUS bits GLOBAL_OVF_CTRL clears and GLOBAL_STATUS_SET sets (0 without it). */
	u64 status_reset_bits, status_set_bits;
	bool has_debugctl;	     /* IA32_DEBUGCTL exists (Bochs has none) */
	u64 debugctl_bits;	     /* the bits of DEBUGCTL_GUEST_ALLOWED the CPU accepts */
	bool use_rdpmc;		     /* counters read with RDPMC, else RDMSR */
	bool rdpmc_broken;	     /* the self-test failed: the guest's RDPMC is emulated */
	bool vmcs_saves_global_ctrl; /* VM-exit control "save IA32_PERF_GLOBAL_CTRL" */
	/* the guest's share */
	unsigned guest_gp, guest_fixed; /* how many: pmu_guest_owns_fixed() says which */
	u64 guest_global_mask;		/* GLOBAL_CTRL/STATUS bits of counters the guest owns */
	bool partitioned;		/* the guest owns fewer counters than exist */
	/* states */
	struct pmu_state guest;	    /* the guest's, while switched out */
	struct pmu_state host;	    /* the hypervisor's own (switch, lazy, partition) */
	struct pmu_state host_boot; /* as found at boot: restored at guest end */
	bool switched; /* this exit switched the PMU to the host (every exit: PMU_LEAN_*) */
	/* IA32_PERF_GLOBAL_CTRL at VM transitions */
	struct vmx_msr_list guest_list; /* VM-entry MSR-load = VM-exit MSR-store */
	struct vmx_msr_list host_list;	/* VM-exit MSR-load */
	u64 host_global_ctrl_at_exit;	/* what VM exit loads: 0, or the host's own counters */
	/* PMU_EXIT_* a strategy's init adds to its exits for this boot (hv/pmu/strategy.h). */
	u32 extra_exits;
	/* measurement of the last exit */
	struct pmu_access_count access;
	bool measured;
	u64 host_cycles, host_instructions;
};

extern struct pmu pmu;

/*
 * The hypervisor's own counters where it counts with fixed counters 0 and
 * 1 (switch, lazy, partition with pmu_host=fixed): instructions retired
 * and unhalted core cycles, ring 0, no PMI.
 */
#define PMU_HOST_FIXED_CTR_CTRL                                    \
	(FIXED_CTRL_OS << (FIXED_INSTRUCTIONS * FIXED_CTRL_BITS) | \
	 FIXED_CTRL_OS << (FIXED_CORE_CYCLES * FIXED_CTRL_BITS))
#define PMU_HOST_GLOBAL_CTRL \
	(BIT(GLOBAL_FIXED_SHIFT + FIXED_INSTRUCTIONS) | BIT(GLOBAL_FIXED_SHIFT + FIXED_CORE_CYCLES))

/*
 * Fixed counter j exists and the hypervisor uses it. The fixed counters
 * may have gaps (CPUID.0AH:ECX, leaf 23H): every loop over them asks.
 */
static inline bool pmu_fixed_present(unsigned j)
{
	return j < PMU_MAX_FIXED && (pmu.fixed_present & BIT(j));
}

/* What the VMX capability MSRs allow, as pmu_setup_vmcs() needs it (from hv/cpu/vmx_enable.c). */
struct pmu_vmx_caps {
	bool entry_load_global_ctrl; /* VM-entry control "load IA32_PERF_GLOBAL_CTRL" */
	bool exit_load_global_ctrl;  /* VM-exit control "load IA32_PERF_GLOBAL_CTRL" */
	bool exit_save_global_ctrl;  /* VM-exit control "save IA32_PERF_GLOBAL_CTRL" */
	u64 max_msr_list;	     /* IA32_VMX_MISC: entries an MSR list may hold */
};

/*
 * At boot, before the vCPU: the strategy (pmu=, or pmu=off where the CPU
 * has no usable PMU and none was named), what the CPU has, the read
 * method, the guest's share, the strategy's own setup; one line.
 */
void pmu_init(void);
/*
 * VMCS side: the MSR bitmap for the guest's PMU MSRs
 * (pmu_set_msr_intercepts), RDPMC exiting (pmu_rdpmc_exits), and
 * GLOBAL_CTRL's VMCS MSR lists or VM-entry/exit controls.
 */
void pmu_setup_vmcs(const struct pmu_vmx_caps *caps, u8 *msr_bitmap, struct vmx_controls *c);
/*
 * Every MSR-bitmap decision of the PMU, after pmu_init(): the PMU MSRs
 * no guest gets (PERF_CAPABILITIES, DS area, PEBS, DEBUGCTL writes), the
 * counters the guest does not own, and what the strategy must see.
 * It only sets intercepts, never clears one.
 */
void pmu_set_msr_intercepts(u8 *msr_bitmap);
/* global_ctrl=vmcs, for a guest with a PMU: the dedicated VMCS controls switch GLOBAL_CTRL. */
bool pmu_global_ctrl_via_vmcs(void);
/* Whether the guest's RDPMC must exit (RDPMC exiting), after pmu_init(). */
bool pmu_rdpmc_exits(void);
/* The guest's RDPMC, where it exits: false means #GP. */
bool pmu_guest_rdpmc(u32 ecx, u64 *value);
/*
 * The CPUID leaves the PMU shapes: pmu_filter_cpuid() leaves every other
 * one as it is and passes only these to a strategy's filter_cpuid. Inline
 * so the CPUID exit can skip the filters for the common leaves.
 */
#define PMU_CPUID_LEAVES                                                    \
	(BIT(1) | BIT(7) | BIT(CPUID_LEAF_PMU) | BIT(CPUID_LEAF_ARCH_LBR) | \
	 BIT(CPUID_LEAF_PMU_EXT)) /* all below 64: one bit each */
static inline bool pmu_filters_cpuid_leaf(u32 leaf)
{
	return leaf < 64 && ((PMU_CPUID_LEAVES >> leaf) & 1);
}
/* CPUID leaves the PMU shapes (0x1, 0x7, 0xA, 0x1C, 0x23); any other leaf is left as it is. */
void pmu_filter_cpuid(u32 leaf, u32 subleaf, struct cpuid_regs *r);
/* Intercepted PMU MSRs: false means #GP. claims() says whether the MSR is the PMU's. */
bool pmu_msr_claims(u32 msr);
bool pmu_msr_read(u32 msr, u64 *value);
bool pmu_msr_write(u32 msr, u64 value);

/*
 * This exit's PMU accesses count from 0: pmu_vmexit() does it, and the exit
 * path where it does not call pmu_vmexit(), since the handler of an
 * intercepted guest PMU access counts its own accesses.
 */
void pmu_access_reset(void);
/* Around every exit (hv/exit/vmexit.c): the strategy's save and restore. */
void pmu_vmexit(u32 basic_reason);
void pmu_vmentry(u32 basic_reason);

/* At guest end: put the host's state back and check it. False on a mismatch. */
bool pmu_restore_host(void);

/* global_ctrl=vmcs without the save control: copy the stored value into the guest field. */
void pmu_sync_global_ctrl_field(void);
/* Whether VM exits and entries have PMU work (a switch, a field to copy); else the hooks are skipped. */
bool pmu_acts_on_exits(void);

/*
 * How the lean exit path (hv/pmu/lean.h) runs the strategy's switch, in
 * place of pmu_vmexit() and pmu_vmentry(), in a run with no other work
 * per exit (stats=off).
 */
enum pmu_lean {
	PMU_LEAN_NONE,	       /* pmu_vmexit() and pmu_vmentry(), or nothing to switch */
	PMU_LEAN_SWITCH_RDMSR, /* switch's lines inlined (hv/pmu/switch.h), reading with RDMSR */
	PMU_LEAN_SWITCH_RDPMC, /* switch's lines inlined, reading with RDPMC */
	PMU_LEAN_CALLS,	       /* the strategy's save() and restore(), called directly */
};
/*
 * For this run: how the lean path switches, or PMU_LEAN_NONE where the run
 * does not allow it (other work per exit), the strategy switches nothing,
 * or the exit needs pmu_vmexit() (the guest's RDPMC emulated in place, the
 * GLOBAL_CTRL field copied). Sets pmu.switched for a run whose every exit
 * switches (switch inlined).
 */
enum pmu_lean pmu_lean_path(bool run_allows);

#endif
