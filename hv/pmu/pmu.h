/*
 * The guest's PMU: what it is given (CPUID 0xA, the MSRs it owns), how
 * IA32_PERF_GLOBAL_CTRL moves at VM entry and exit (the VMCS MSR lists, or
 * the dedicated VMCS fields), and how the other PMU MSRs are switched in
 * the exit handler (the strategy). See docs/pmu.md.
 */
#ifndef HV_PMU_PMU_H
#define HV_PMU_PMU_H

#include "arch/x86/cpuid.h"
#include "arch/x86/pmu.h"
#include "arch/x86/vmx_msr_list.h"

enum pmu_strategy {
	PMU_OFF,	 /* no PMU for the guest */
	PMU_PASSTHROUGH, /* the guest owns the counters; only GLOBAL_CTRL moves */
	PMU_SWITCH,	 /* pmuvisor's minimal switch; the hypervisor counts itself */
	PMU_RFC,	 /* the reviewed patch's sequence */
	PMU_MEDIATED,	 /* upstream KVM's mediated vPMU sequence */
	PMU_LAZY,	 /* like switch, on chosen exit reasons or every Nth exit */
};

enum global_ctrl_mode { GLOBAL_CTRL_LISTS, GLOBAL_CTRL_VMCS };
enum pmu_read_method { PMU_READ_AUTO, PMU_READ_RDPMC, PMU_READ_RDMSR };

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
	enum pmu_strategy strategy;
	enum global_ctrl_mode global_ctrl_mode;
	/* the hardware */
	struct pmu_caps caps;
	unsigned nr_gp, nr_fixed;
	bool full_width_writes;	     /* IA32_A_PMCx */
	bool has_status_set;	     /* IA32_PERF_GLOBAL_STATUS_SET, PerfMon v4+ */
	bool use_rdpmc;		     /* counters read with RDPMC, else RDMSR */
	bool vmcs_saves_global_ctrl; /* VM-exit control "save IA32_PERF_GLOBAL_CTRL" */
	/* the guest's share */
	unsigned guest_gp, guest_fixed;
	u64 guest_global_mask; /* GLOBAL_CTRL/STATUS bits of counters the guest owns */
	bool partitioned;      /* the guest owns fewer GP counters than exist */
	/* states */
	struct pmu_state guest;	    /* the guest's, while switched out */
	struct pmu_state host;	    /* the hypervisor's own (switch, lazy) */
	struct pmu_state host_boot; /* as found at boot: restored at guest end */
	bool switched;		    /* this exit switched the PMU to the host */
	/* IA32_PERF_GLOBAL_CTRL at VM transitions */
	struct vmx_msr_list guest_list; /* VM-entry MSR-load = VM-exit MSR-store */
	struct vmx_msr_list host_list;	/* VM-exit MSR-load */
	/* lazy */
	u64 lazy_reasons; /* bit r: switch on exit reason r */
	u64 lazy_every, lazy_exits;
	/* measurement of the last exit */
	struct pmu_access_count access;
	bool measured;
	u64 host_cycles, host_instructions;
};

extern struct pmu pmu;

/* Detect the PMU, take the options, choose the read method; one line at boot. */
void pmu_init(void);
/* VMCS side: GLOBAL_CTRL lists or controls, MSR bitmap for the guest's MSRs. */
void pmu_setup_vmcs(u8 *msr_bitmap, u32 *exit_controls, u32 *entry_controls);
/* CPUID leaves the PMU shapes (0x1, 0xA); returns false if leaf is not ours. */
void pmu_filter_cpuid(u32 leaf, u32 subleaf, struct cpuid_regs *r);
/* Intercepted PMU MSRs: false means #GP. claims() says whether the MSR is the PMU's. */
bool pmu_msr_claims(u32 msr);
bool pmu_msr_read(u32 msr, u64 *value);
bool pmu_msr_write(u32 msr, u64 value);

/* At guest end: put the host's state back and check it. False on a mismatch. */
bool pmu_restore_host(void);

/* Names for logs and results. */
const char *pmu_strategy_name(enum pmu_strategy s);

/* global_ctrl=vmcs without the save control: copy the stored value into the guest field. */
void pmu_sync_global_ctrl_field(void);
/* The guest's GLOBAL_CTRL as the VM transitions hold it. */
u64 pmu_guest_global_ctrl(void);
void pmu_set_guest_global_ctrl(u64 value);

#endif
