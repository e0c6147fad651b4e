/////////////////////////////////////////////////////////////////////////
// pmuvisor's counting PMU for Bochs: Intel architectural performance
// monitoring (Intel SDM Vol. 3B, "Architectural Performance Monitoring")
// for the counters the CPU model's CPUID leaf 0AH declares. The state of
// one processor's PMU; pmu.cc holds the behaviour.
/////////////////////////////////////////////////////////////////////////

#ifndef BX_PMU_H
#define BX_PMU_H

const unsigned BX_PMU_MAX_GP = 8;
const unsigned BX_PMU_MAX_FIXED = 4;

// Bit positions in IA32_PERF_GLOBAL_CTRL and _STATUS: GP counter x is bit
// x, fixed counter j is bit 32 + j.
#define BX_PMU_FIXED_BIT(j) (32 + (j))

struct bx_pmu_t {
  // Set when some counter is enabled: checked at every retired instruction,
  // the only cost of the PMU while nothing counts.
  bool active;

  // Set when a REP string instruction stops for an event before it is done:
  // Bochs commits it and restarts it; it retires once, when it completes.
  bool rep_unfinished;

  // What the CPU model declares (CPUID 0AH, CPUID 1 ECX.PDCM), read at RESET.
  Bit32u version;
  unsigned num_gp;
  Bit64u exists;          // the GLOBAL_CTRL bits of counters that exist
  Bit64u gp_width_mask;   // the value bits of a GP counter
  Bit64u fixed_width_mask;
  bool perf_capabilities; // IA32_PERF_CAPABILITIES present (CPUID.1:ECX.PDCM)

  // The MSRs.
  Bit64u pmc[BX_PMU_MAX_GP];
  Bit64u evtsel[BX_PMU_MAX_GP];
  Bit64u fixed_ctr[BX_PMU_MAX_FIXED];
  Bit64u fixed_ctr_ctrl;
  Bit64u global_ctrl;
  Bit64u global_status;

  // Derived from the MSRs by pmu_update(), in GLOBAL_CTRL bit positions:
  // the counters that count every retired instruction, and those that count
  // retired branches, at CPL 0 ([0]) and CPL > 0 ([1]); and those whose
  // overflow raises a PMI.
  Bit64u count_all[2];
  Bit64u count_branch[2];
  Bit64u pmi_enabled;

  // IA32_PERF_GLOBAL_CTRL from the VMCS, checked at VM entry and loaded at
  // VM entry ("load IA32_PERF_GLOBAL_CTRL" entry control) and VM exit (the
  // exit control of the same name).
  Bit64u vmentry_global_ctrl;
  Bit64u vmexit_global_ctrl;
};

#define BX_PMU_RETIRE(i) {                                        \
  if (BX_CPU_THIS_PTR pmu.active) BX_CPU_THIS_PTR pmu_retire(i);  \
}

// The commit that follows is not a retirement (see rep_unfinished).
#define BX_PMU_REP_UNFINISHED() {                                 \
  if (BX_CPU_THIS_PTR pmu.active)                                 \
    BX_CPU_THIS_PTR pmu.rep_unfinished = true;                    \
}

#endif
