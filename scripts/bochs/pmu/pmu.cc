/////////////////////////////////////////////////////////////////////////
// pmuvisor's counting PMU for Bochs: Intel architectural performance
// monitoring, PerfMon version 2 and later (Intel SDM Vol. 3B,
// "Architectural Performance Monitoring"), for the counters the CPU
// model's CPUID leaf 0AH declares.
//
// Events count when an instruction retires (BX_COMMIT_INSTRUCTION calls
// pmu_retire while some counter is enabled): instructions, cycles (equal
// to instructions, as Bochs' TSC) and branches. docs/bochs-pmu.md in
// pmuvisor says what is modelled and what is not.
/////////////////////////////////////////////////////////////////////////

#define NEED_CPU_REG_SHORTCUTS 1
#include "bochs.h"
#include "cpu.h"
#include "cpuid.h"
#define LOG_THIS BX_CPU_THIS_PTR

#include "apic.h"
#include "decoder/ia_opcodes.h"

// MSR indices (names as in Linux's msr-index.h).
enum {
  MSR_IA32_PMC0               = 0x0c1,
  MSR_IA32_PERFEVTSEL0        = 0x186,
  MSR_CORE_PERF_FIXED_CTR0    = 0x309,
  MSR_IA32_PERF_CAPABILITIES  = 0x345,
  MSR_CORE_PERF_FIXED_CTR_CTRL = 0x38d,
  MSR_CORE_PERF_GLOBAL_STATUS = 0x38e,
  MSR_CORE_PERF_GLOBAL_CTRL   = 0x38f,
  MSR_CORE_PERF_GLOBAL_OVF_CTRL = 0x390, // IA32_PERF_GLOBAL_STATUS_RESET from v4
  MSR_CORE_PERF_GLOBAL_STATUS_SET = 0x391, // v4+
  MSR_IA32_PMC0_FW            = 0x4c1  // IA32_A_PMC0: full-width writes
};

// IA32_PERFEVTSELx fields.
const Bit64u EVTSEL_EVENT = 0xff;
const Bit64u EVTSEL_USR   = 1 << 16;
const Bit64u EVTSEL_OS    = 1 << 17;
const Bit64u EVTSEL_EDGE  = 1 << 18;
const Bit64u EVTSEL_INT   = 1 << 20;
const Bit64u EVTSEL_EN    = 1 << 22;
const Bit64u EVTSEL_INV   = 1 << 23;
const Bit64u EVTSEL_CMASK = BX_CONST64(0xff000000);

// IA32_FIXED_CTR_CTRL: 4 bits per fixed counter.
const unsigned FIXED_CTRL_OS  = 1 << 0;
const unsigned FIXED_CTRL_USR = 1 << 1;
const unsigned FIXED_CTRL_PMI = 1 << 3;

// IA32_PERF_CAPABILITIES.FW_WRITE: IA32_A_PMCx take full-width writes.
const Bit64u PERF_CAP_FW_WRITE = 1 << 13;

// GLOBAL_STATUS bits software may reset and set besides the counters' own.
const Bit64u GLOBAL_STATUS_OVF_BUF  = BX_CONST64(1) << 62;
const Bit64u GLOBAL_STATUS_COND_CHG = BX_CONST64(1) << 63;

enum pmu_event { PMU_COUNTS_NOTHING, PMU_COUNTS_ALL, PMU_COUNTS_BRANCHES };

static Bit64u width_mask(unsigned width)
{
  return width >= 64 ? ~BX_CONST64(0) : (BX_CONST64(1) << width) - 1;
}

// What a GP counter's selector counts: the architectural events Linux
// asks for by these encodings. EDGE, INV and CMASK change what is counted
// into something the model cannot tell; such a selector counts nothing.
static pmu_event gp_event(Bit64u evtsel)
{
  if (evtsel & (EVTSEL_EDGE | EVTSEL_INV | EVTSEL_CMASK)) return PMU_COUNTS_NOTHING;
  unsigned event = evtsel & EVTSEL_EVENT, umask = (evtsel >> 8) & 0xff;
  if (event == 0xc0 && umask == 0x00) return PMU_COUNTS_ALL;      // INST_RETIRED.ANY_P
  if (event == 0x3c && umask <= 0x01) return PMU_COUNTS_ALL;      // core / reference cycles
  if (event == 0xc4 && umask == 0x00) return PMU_COUNTS_BRANCHES; // BR_INST_RETIRED.ALL_BRANCHES
  return PMU_COUNTS_NOTHING;
}

// Fixed counters 0-2: instructions, core cycles, reference cycles; fixed
// counter 3 (TOPDOWN.SLOTS) counts nothing.
static pmu_event fixed_event(unsigned j)
{
  return j < 3 ? PMU_COUNTS_ALL : PMU_COUNTS_NOTHING;
}

// Branch instructions by the decoder's opcode names (BX_IA_...): near and
// far jumps, conditional jumps, calls, returns, loops, software
// interrupts, IRET and the fast system calls.
static bool *branch_table;

static bool name_starts(const char *name, const char *prefix)
{
  return strncmp(name, prefix, strlen(prefix)) == 0;
}

static void build_branch_table(void)
{
  static const char *prefixes[] = {
    "BX_IA_J", "BX_IA_CALL", "BX_IA_RET", "BX_IA_LOOP", "BX_IA_IRET",
    "BX_IA_INT_", "BX_IA_INT1", "BX_IA_INT3", "BX_IA_INTO",
    "BX_IA_SYSCALL", "BX_IA_SYSRET", "BX_IA_SYSENTER", "BX_IA_SYSEXIT"
  };
  branch_table = new bool[BX_IA_LAST];
  for (unsigned op = 0; op < BX_IA_LAST; op++) {
    const char *name = get_bx_opcode_name(op);
    branch_table[op] = false;
    for (unsigned p = 0; name && p < sizeof(prefixes) / sizeof(prefixes[0]); p++)
      if (name_starts(name, prefixes[p])) branch_table[op] = true;
  }
}

// The counter behind a GLOBAL_CTRL bit, and its value mask.
static Bit64u *counter_of(bx_pmu_t *pmu, unsigned bit, Bit64u *mask)
{
  if (bit < 32) {
    *mask = pmu->gp_width_mask;
    return &pmu->pmc[bit];
  }
  *mask = pmu->fixed_width_mask;
  return &pmu->fixed_ctr[bit - 32];
}

// Reads what the CPU model declares. PerfMon v1 models (no global
// controls) keep Bochs' own behaviour: version stays 0.
void BX_CPU_C::pmu_reset(unsigned source)
{
  bx_pmu_t *pmu = &BX_CPU_THIS_PTR pmu;

  if (! branch_table) build_branch_table();
  if (source != BX_RESET_HARDWARE) return; // INIT leaves the PMU as it is

  memset(pmu, 0, sizeof(*pmu));
  cpuid_function_t leaf;
  BX_CPU_THIS_PTR cpuid->get_cpuid_leaf(0, 0, &leaf);
  if (leaf.eax < 0xa) return;
  BX_CPU_THIS_PTR cpuid->get_cpuid_leaf(0xa, 0, &leaf);
  Bit32u version = leaf.eax & 0xff;
  if (version < 2) return;

  pmu->version = version;
  pmu->num_gp = (leaf.eax >> 8) & 0xff;
  if (pmu->num_gp > BX_PMU_MAX_GP) pmu->num_gp = BX_PMU_MAX_GP;
  pmu->gp_width_mask = width_mask((leaf.eax >> 16) & 0xff);
  pmu->fixed_width_mask = width_mask((leaf.edx >> 5) & 0xff);
  for (unsigned x = 0; x < pmu->num_gp; x++)
    pmu->exists |= BX_CONST64(1) << x;
  unsigned num_fixed = leaf.edx & 0x1f;
  for (unsigned j = 0; j < BX_PMU_MAX_FIXED; j++)
    if (j < num_fixed || (version >= 5 && (leaf.ecx & (1u << j))))
      pmu->exists |= BX_CONST64(1) << BX_PMU_FIXED_BIT(j);

  BX_CPU_THIS_PTR cpuid->get_cpuid_leaf(1, 0, &leaf);
  pmu->perf_capabilities = (leaf.ecx & BX_CPUID_STD1_ECX_PDCM) != 0;
}

// Recomputes which counters count what, after any change to the enables.
void BX_CPU_C::pmu_update(void)
{
  bx_pmu_t *pmu = &BX_CPU_THIS_PTR pmu;
  Bit64u *count[3] = { NULL, pmu->count_all, pmu->count_branch };

  pmu->count_all[0] = pmu->count_all[1] = 0;
  pmu->count_branch[0] = pmu->count_branch[1] = 0;
  pmu->pmi_enabled = 0;

  for (unsigned x = 0; x < pmu->num_gp; x++) {
    Bit64u bit = BX_CONST64(1) << x, sel = pmu->evtsel[x];
    if (sel & EVTSEL_INT) pmu->pmi_enabled |= bit;
    pmu_event ev = gp_event(sel);
    if (!(pmu->global_ctrl & bit) || !(sel & EVTSEL_EN) || ev == PMU_COUNTS_NOTHING) continue;
    if (sel & EVTSEL_OS)  count[ev][0] |= bit;
    if (sel & EVTSEL_USR) count[ev][1] |= bit;
  }
  for (unsigned j = 0; j < BX_PMU_MAX_FIXED; j++) {
    Bit64u bit = BX_CONST64(1) << BX_PMU_FIXED_BIT(j);
    unsigned field = (pmu->fixed_ctr_ctrl >> (4 * j)) & 0xf;
    if (!(pmu->exists & bit)) continue;
    if (field & FIXED_CTRL_PMI) pmu->pmi_enabled |= bit;
    pmu_event ev = fixed_event(j);
    if (!(pmu->global_ctrl & bit) || ev == PMU_COUNTS_NOTHING) continue;
    if (field & FIXED_CTRL_OS)  count[ev][0] |= bit;
    if (field & FIXED_CTRL_USR) count[ev][1] |= bit;
  }

  pmu->active = (pmu->count_all[0] | pmu->count_all[1] |
                 pmu->count_branch[0] | pmu->count_branch[1]) != 0;
}

// One instruction retired at the current CPL: every enabled counter whose
// event it is counts one. A counter that wraps to 0 has overflowed. The
// commit of a REP string instruction stopped before it is done is not a
// retirement (repeat() in cpu.cc restarts it).
void BX_CPP_AttrRegparmN(1) BX_CPU_C::pmu_retire(bxInstruction_c *i)
{
  bx_pmu_t *pmu = &BX_CPU_THIS_PTR pmu;
  unsigned ring = (CPL != 0);
  Bit64u counting = pmu->count_all[ring], overflowed = 0;

  if (pmu->rep_unfinished) {
    pmu->rep_unfinished = false;
    return;
  }

  if (pmu->count_branch[ring] && branch_table[i->getIaOpcode()])
    counting |= pmu->count_branch[ring];

  while (counting) {
    unsigned bit = __builtin_ctzll(counting);
    Bit64u mask, *counter = counter_of(pmu, bit, &mask);
    counting &= counting - 1;
    *counter = (*counter + 1) & mask;
    if (*counter == 0) overflowed |= BX_CONST64(1) << bit;
  }
  if (overflowed) pmu_overflow(overflowed);
}

// Sets the overflow bits in GLOBAL_STATUS; a counter with its PMI bit set
// signals the local APIC's LVT performance-counter entry.
void BX_CPU_C::pmu_overflow(Bit64u bits)
{
  bx_pmu_t *pmu = &BX_CPU_THIS_PTR pmu;

  pmu->global_status |= bits;
#if BX_SUPPORT_APIC
  if (bits & pmu->pmi_enabled)
    BX_CPU_THIS_PTR lapic->perfmon_interrupt();
#endif
}

// The index of MSR `index` in the block of `count` MSRs at `base`, or -1.
static int msr_in(Bit32u index, Bit32u base, unsigned count)
{
  return (index >= base && index < base + count) ? (int)(index - base) : -1;
}

// RDMSR of a PMU MSR: 1 read, 0 #GP, -1 not a PMU MSR (Bochs' own path).
int BX_CPU_C::pmu_rdmsr(Bit32u index, Bit64u *val)
{
  bx_pmu_t *pmu = &BX_CPU_THIS_PTR pmu;
  int n;

  if (pmu->version < 2) return -1;
  if ((n = msr_in(index, MSR_IA32_PMC0, BX_PMU_MAX_GP)) >= 0) {
    if ((unsigned) n >= pmu->num_gp) return 0;
    *val = pmu->pmc[n];
    return 1;
  }
  if ((n = msr_in(index, MSR_IA32_PMC0_FW, BX_PMU_MAX_GP)) >= 0) {
    if ((unsigned) n >= pmu->num_gp || !pmu->perf_capabilities) return 0;
    *val = pmu->pmc[n];
    return 1;
  }
  if ((n = msr_in(index, MSR_IA32_PERFEVTSEL0, BX_PMU_MAX_GP)) >= 0) {
    if ((unsigned) n >= pmu->num_gp) return 0;
    *val = pmu->evtsel[n];
    return 1;
  }
  if ((n = msr_in(index, MSR_CORE_PERF_FIXED_CTR0, BX_PMU_MAX_FIXED)) >= 0) {
    if (!(pmu->exists & (BX_CONST64(1) << BX_PMU_FIXED_BIT(n)))) return 0;
    *val = pmu->fixed_ctr[n];
    return 1;
  }
  switch (index) {
  case MSR_IA32_PERF_CAPABILITIES:
    if (!pmu->perf_capabilities) return -1;
    *val = PERF_CAP_FW_WRITE;
    return 1;
  case MSR_CORE_PERF_FIXED_CTR_CTRL:
    *val = pmu->fixed_ctr_ctrl;
    return 1;
  case MSR_CORE_PERF_GLOBAL_STATUS:
    *val = pmu->global_status;
    return 1;
  case MSR_CORE_PERF_GLOBAL_CTRL:
    *val = pmu->global_ctrl;
    return 1;
  case MSR_CORE_PERF_GLOBAL_OVF_CTRL:
    *val = 0;
    return 1;
  case MSR_CORE_PERF_GLOBAL_STATUS_SET:
    if (pmu->version < 4) return 0;
    *val = 0;
    return 1;
  }
  return -1;
}

// The IA32_FIXED_CTR_CTRL bits of the fixed counters that exist.
static Bit64u fixed_ctrl_writable(const bx_pmu_t *pmu)
{
  Bit64u m = 0;
  for (unsigned j = 0; j < BX_PMU_MAX_FIXED; j++)
    if (pmu->exists & (BX_CONST64(1) << BX_PMU_FIXED_BIT(j)))
      m |= BX_CONST64(0xf) << (4 * j);
  return m;
}

// The GLOBAL_STATUS bits that _RESET and _SET take.
static Bit64u status_writable(const bx_pmu_t *pmu)
{
  return pmu->exists | GLOBAL_STATUS_OVF_BUF | GLOBAL_STATUS_COND_CHG;
}

// WRMSR of a PMU MSR: 1 written, 0 #GP, -1 not a PMU MSR (Bochs' own path).
int BX_CPU_C::pmu_wrmsr(Bit32u index, Bit64u val)
{
  bx_pmu_t *pmu = &BX_CPU_THIS_PTR pmu;
  int n;

  if (pmu->version < 2) return -1;
  if ((n = msr_in(index, MSR_IA32_PMC0, BX_PMU_MAX_GP)) >= 0) {
    if ((unsigned) n >= pmu->num_gp) return 0;
    // Legacy write: bits 31:0, sign-extended to the counter's width.
    pmu->pmc[n] = (Bit64u)(Bit64s)(Bit32s) GET32L(val) & pmu->gp_width_mask;
    return 1;
  }
  if ((n = msr_in(index, MSR_IA32_PMC0_FW, BX_PMU_MAX_GP)) >= 0) {
    if ((unsigned) n >= pmu->num_gp || !pmu->perf_capabilities) return 0;
    if (val & ~pmu->gp_width_mask) return 0;
    pmu->pmc[n] = val;
    return 1;
  }
  if ((n = msr_in(index, MSR_IA32_PERFEVTSEL0, BX_PMU_MAX_GP)) >= 0) {
    if ((unsigned) n >= pmu->num_gp || GET32H(val)) return 0;
    pmu->evtsel[n] = val;
    pmu_update();
    return 1;
  }
  if ((n = msr_in(index, MSR_CORE_PERF_FIXED_CTR0, BX_PMU_MAX_FIXED)) >= 0) {
    if (!(pmu->exists & (BX_CONST64(1) << BX_PMU_FIXED_BIT(n)))) return 0;
    if (val & ~pmu->fixed_width_mask) return 0;
    pmu->fixed_ctr[n] = val;
    return 1;
  }
  switch (index) {
  case MSR_IA32_PERF_CAPABILITIES:
    return pmu->perf_capabilities ? 0 : -1; // read-only
  case MSR_CORE_PERF_FIXED_CTR_CTRL:
    if (val & ~fixed_ctrl_writable(pmu)) return 0;
    pmu->fixed_ctr_ctrl = val;
    pmu_update();
    return 1;
  case MSR_CORE_PERF_GLOBAL_STATUS:
    return 0; // read-only
  case MSR_CORE_PERF_GLOBAL_CTRL:
    if (! pmu_global_ctrl_valid(val)) return 0;
    pmu_set_global_ctrl(val);
    return 1;
  case MSR_CORE_PERF_GLOBAL_OVF_CTRL:
    if (val & ~status_writable(pmu)) return 0;
    pmu->global_status &= ~val;
    return 1;
  case MSR_CORE_PERF_GLOBAL_STATUS_SET:
    if (pmu->version < 4 || (val & ~status_writable(pmu))) return 0;
    pmu->global_status |= val; // no PMI: only counting overflows raise one
    return 1;
  }
  return -1;
}

// RDPMC ECX: bit 30 selects the fixed counters, the rest is the index.
bool BX_CPU_C::pmu_rdpmc(Bit32u ecx, Bit64u *val)
{
  bx_pmu_t *pmu = &BX_CPU_THIS_PTR pmu;
  const Bit32u RDPMC_FIXED = 1u << 30;

  if (ecx & RDPMC_FIXED) {
    Bit32u j = ecx & ~RDPMC_FIXED;
    if (j >= BX_PMU_MAX_FIXED || !(pmu->exists & (BX_CONST64(1) << BX_PMU_FIXED_BIT(j))))
      return false;
    *val = pmu->fixed_ctr[j];
    return true;
  }
  if (ecx >= pmu->num_gp) return false;
  *val = pmu->pmc[ecx];
  return true;
}

// For the VMX checks of the dedicated VMCS fields too: only the enable
// bits of counters that exist. A CPU without the PMU takes only 0.
bool BX_CPU_C::pmu_global_ctrl_valid(Bit64u val)
{
  return (val & ~BX_CPU_THIS_PTR pmu.exists) == 0;
}

Bit64u BX_CPU_C::pmu_global_ctrl(void)
{
  return BX_CPU_THIS_PTR pmu.global_ctrl;
}

void BX_CPU_C::pmu_set_global_ctrl(Bit64u val)
{
  BX_CPU_THIS_PTR pmu.global_ctrl = val & BX_CPU_THIS_PTR pmu.exists;
  pmu_update();
}

#if BX_SUPPORT_APIC
// The LVT performance-counter entry: unless masked, the PMI sets the mask
// bit (Intel SDM Vol. 3A, "Local Vector Table": software unmasks it in its
// handler) and is delivered as the entry says, fixed or NMI.
void bx_local_apic_c::perfmon_interrupt(void)
{
  const Bit32u LVT_MASKED = 1 << 16;
  Bit32u entry = lvt[APIC_LVT_PERFMON];

  if (entry & LVT_MASKED) return;
  lvt[APIC_LVT_PERFMON] = entry | LVT_MASKED;

  unsigned mode = (entry >> 8) & 7;
  if (mode == APIC_DM_FIXED || mode == APIC_DM_NMI)
    deliver(entry & 0xff, mode, APIC_EDGE_TRIGGERED);
}
#endif
