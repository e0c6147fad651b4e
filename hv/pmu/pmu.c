/*
 * What every strategy shares: the registry of strategies, detection
 * (CPUID 0xA), the read-method self-test, the guest's view (CPUID and the
 * MSRs it owns, its intercepted MSR reads and writes), IA32_PERF_GLOBAL_CTRL
 * at VM transitions, the counted access primitives, the per-exit calls of
 * the strategy's save and restore, and putting the host's state back when
 * the guest ends. What differs between strategies is in their own files.
 */
#include "hv/pmu/pmu.h"
#include "arch/x86/frame.h"
#include "hv/log.h"
#include "hv/options.h"
#include "hv/status.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_bitmap.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "hv/cpu/probe.h"

#define CPUID_1_EDX_DS BIT(21)
#define CPUID_1_ECX_DTES64 BIT(2)
#define CPUID_7_EDX_ARCH_LBR BIT(19)
/* Leaf 23H subleaf 0 bits a guest may see: the subleaves with no MSR of their own. */
#define PMU_EXT_GUEST_SUBLEAVES \
	(BIT(0) | BIT(PMU_EXT_SUBLEAF_COUNTERS) | BIT(PMU_EXT_SUBLEAF_EVENTS))
#define PMU_EXT_GUEST_EBX (PMU_EXT_EBX_UMASK2 | PMU_EXT_EBX_EQ)
/* What the guest may set in DEBUGCTL, where the CPU accepts it: no LBR, BTS or trace. */
#define DEBUGCTL_GUEST_ALLOWED \
	(DEBUGCTLMSR_BTF | DEBUGCTLMSR_FREEZE_PERFMON_ON_PMI | DEBUGCTLMSR_FREEZE_IN_SMM)
/* GLOBAL_STATUS bits of no counter, tried at boot in GLOBAL_OVF_CTRL and GLOBAL_STATUS_SET. */
#define GLOBAL_STATUS_NO_COUNTER                                                                \
	(GLOBAL_STATUS_PERF_METRICS_OVF | GLOBAL_STATUS_TRACE_TOPAPMI |                         \
	 GLOBAL_STATUS_LBRS_FROZEN | GLOBAL_STATUS_COUNTERS_FROZEN | GLOBAL_STATUS_BUFFER_OVF | \
	 GLOBAL_STATUS_COND_CHG)
/*
 * Of those, what the guest may reset: all, as Linux acknowledges every bit
 * it read (KVM accepts them too); and set: not the freeze bits, whose
 * CTR_Frz would stop the counters the hypervisor keeps for itself.
 */
#define GLOBAL_STATUS_GUEST_RESETS GLOBAL_STATUS_NO_COUNTER
#define GLOBAL_STATUS_GUEST_SETS (GLOBAL_STATUS_BUFFER_OVF | GLOBAL_STATUS_COND_CHG)
#define RDPMC_SELFTEST_PATTERN 0x5a5a5aULL

struct pmu pmu;

/* ---- the strategies ---- */

/* The one list of strategies: pmu=, pmu=help, the results and the scripts take it from here. */
const struct pmu_strategy *const pmu_strategies[] = {
	&pmu_strategy_passthrough, /* the default */
	&pmu_strategy_off,	   &pmu_strategy_switch, &pmu_strategy_rfc,
	&pmu_strategy_mediated,	   &pmu_strategy_lazy,	 &pmu_strategy_partition,
};
const unsigned pmu_nr_strategies = ARRAY_SIZE(pmu_strategies);

const struct pmu_strategy *pmu_strategy_find(const char *name, size_t len)
{
	for (unsigned i = 0; i < pmu_nr_strategies; i++)
		if (strlen(pmu_strategies[i]->name) == len &&
		    !strncmp(pmu_strategies[i]->name, name, len))
			return pmu_strategies[i];
	return NULL;
}

const char *pmu_strategy_name_at(u64 i)
{
	return i < pmu_nr_strategies ? pmu_strategies[i]->name : NULL;
}

void pmu_print_strategies(void)
{
	for (unsigned i = 0; i < pmu_nr_strategies; i++)
		pr_info("pmu strategy %-12s %s%s", pmu_strategies[i]->name,
			pmu_strategies[i]->description, i == 0 ? " (default)" : "");
}

/* Whether the guest gets a PMU at all: every strategy but one that makes every PMU MSR exit. */
static bool guest_has_pmu(void)
{
	return !(pmu.ops->exits & PMU_EXIT_ALL);
}

/* ---- the counted primitives of the strategies ---- */

u64 pmu_rdmsr(u32 msr)
{
	pmu.access.rdmsr++;
	return rdmsr(msr);
}

void pmu_wrmsr(u32 msr, u64 value)
{
	pmu.access.wrmsr++;
	wrmsr(msr, value);
}

u64 pmu_read_gp(unsigned i)
{
	if (!pmu.use_rdpmc)
		return pmu_rdmsr(msr_pmc(i, false));
	pmu.access.rdpmc++;
	return rdpmc(i);
}

u64 pmu_read_fixed(unsigned j)
{
	if (!pmu.use_rdpmc)
		return pmu_rdmsr(msr_fixed_ctr(j));
	pmu.access.rdpmc++;
	return rdpmc(RDPMC_FIXED | j);
}

/* Legacy IA32_PMCx writes keep only 32 bits, sign-extended; IA32_A_PMCx takes all. */
void pmu_write_gp(unsigned i, u64 value)
{
	pmu_wrmsr(msr_pmc(i, pmu.full_width_writes), value);
}

/*
 * GLOBAL_STATUS is read-only: bits are cleared through GLOBAL_OVF_CTRL
 * (STATUS_RESET) and set through GLOBAL_STATUS_SET (PerfMon v4+). Only the
 * differing bits are written, and only those the MSR takes (found at
 * boot): a bit the CPU sets by itself but has no SET counterpart for stays
 * as the hardware has it rather than #GP the hypervisor. Intel SDM Vol.
 * 3B, "Performance Monitoring Version 4", IA32_PERF_GLOBAL_STATUS_SET.
 */
void pmu_restore_global_status(u64 target)
{
	u64 hw = pmu_rdmsr(MSR_CORE_PERF_GLOBAL_STATUS);
	u64 clear = hw & ~target & pmu.status_reset_bits;
	u64 set = target & ~hw & pmu.status_set_bits;

	if (clear)
		pmu_wrmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL, clear);
	if (set)
		pmu_wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET, set);
}

/* All of GLOBAL_STATUS is returned; what GLOBAL_OVF_CTRL cannot clear stays in the hardware. */
u64 pmu_take_global_status(void)
{
	u64 status = pmu_rdmsr(MSR_CORE_PERF_GLOBAL_STATUS);

	if (status & pmu.status_reset_bits)
		pmu_wrmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL, status & pmu.status_reset_bits);
	return status;
}

/* ---- per exit: the strategy's save and restore ---- */

static bool emulates_rdpmc(void)
{
	return guest_has_pmu() && !pmu.ops->rdpmc && pmu.rdpmc_broken;
}

void pmu_access_reset(void)
{
	pmu.access = (struct pmu_access_count){ 0, 0, 0 };
}

void pmu_vmexit(u32 reason)
{
	pmu_access_reset();
	pmu.measured = false;
	/* An emulated RDPMC reads the guest's counters where they are: nothing moves for it. */
	if (reason == EXIT_REASON_RDPMC && emulates_rdpmc()) {
		pmu.switched = false;
		return;
	}
	pmu.switched = pmu.ops->save && pmu.ops->save(reason);
}

void pmu_vmentry(u32 reason)
{
	if (!pmu.switched)
		return;
	pmu.ops->restore(reason);
	pmu.switched = false;
}

/* ---- the hardware ---- */

static void read_state(struct pmu_state *s)
{
	s->global_ctrl = rdmsr(MSR_CORE_PERF_GLOBAL_CTRL);
	s->global_status = rdmsr(MSR_CORE_PERF_GLOBAL_STATUS);
	s->fixed_ctr_ctrl = rdmsr(MSR_CORE_PERF_FIXED_CTR_CTRL);
	for (unsigned i = 0; i < pmu.nr_gp; i++) {
		s->pmc[i] = rdmsr(msr_pmc(i, false));
		s->evtsel[i] = rdmsr(msr_evtsel(i));
	}
	for (unsigned j = 0; j < pmu.nr_fixed; j++)
		if (pmu_fixed_present(j))
			s->fixed[j] = rdmsr(msr_fixed_ctr(j));
}

/* Does RDPMC read what WRMSR wrote? Bochs' RDPMC returns 0 and #GPs on fixed counters. */
static bool rdpmc_reads_back(u64 *got_gp, u64 *got_fixed)
{
	bool ok = true;

	*got_gp = *got_fixed = 0;
	if (pmu.nr_gp) {
		wrmsr(msr_pmc(0, false), RDPMC_SELFTEST_PATTERN);
		ok &= rdpmc_safe(0, got_gp) && *got_gp == RDPMC_SELFTEST_PATTERN;
		wrmsr(msr_pmc(0, false), pmu.host_boot.pmc[0]);
	}
	if (pmu_fixed_present(0)) {
		wrmsr(msr_fixed_ctr(0), RDPMC_SELFTEST_PATTERN + 1);
		ok &= rdpmc_safe(RDPMC_FIXED, got_fixed) &&
		      *got_fixed == RDPMC_SELFTEST_PATTERN + 1;
		wrmsr(msr_fixed_ctr(0), pmu.host_boot.fixed[0]);
	}
	return ok;
}

static void choose_read_method(void)
{
	u64 gp, fixed;
	bool works;

	/* Nothing may count while the pattern is in place. */
	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	works = rdpmc_reads_back(&gp, &fixed);
	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, pmu.host_boot.global_ctrl);
	if (hv_opts.pmu_read == PMU_READ_RDPMC && !works)
		hv_fail(HV_STATUS_UNSUPPORTED,
			"pmu_read=rdpmc: RDPMC does not read back what WRMSR wrote "
			"(wrote 0x%llx, read 0x%llx and 0x%llx); use pmu_read=rdmsr",
			RDPMC_SELFTEST_PATTERN, (unsigned long long)gp, (unsigned long long)fixed);
	pmu.use_rdpmc = hv_opts.pmu_read == PMU_READ_RDMSR ? false : works;
	pmu.rdpmc_broken = !works;
	if (hv_opts.pmu_read == PMU_READ_AUTO && !works)
		pr_info("pmu: RDPMC self-test failed (wrote 0x%llx, read 0x%llx and 0x%llx): "
			"counters are read with RDMSR",
			RDPMC_SELFTEST_PATTERN, (unsigned long long)gp, (unsigned long long)fixed);
}

/* The index of pmu=off in pmu_strategies[]. */
static u64 strategy_off_index(void)
{
	u64 k = 0;

	while (pmu_strategies[k] != &pmu_strategy_off)
		k++;
	return k;
}

/*
 * The CPU cannot give the guest the PMU of this strategy: a strategy the
 * command line named is refused; the default gives way to pmu=off, with
 * one line, so that a machine without a usable PMU (nested under KVM,
 * whose PMU may be absent or too old) still runs the guest.
 */
static void no_usable_pmu(const char *why)
{
	if (!guest_has_pmu())
		return;
	if (hv_opts.pmu_given)
		hv_fail(HV_STATUS_UNSUPPORTED, "pmu=%s: %s (use pmu=off)", pmu.ops->name, why);
	pr_warn("pmu: %s: the guest runs with pmu=off (no pmu= given)", why);
	pmu.ops = &pmu_strategy_off;
	hv_opts.pmu = strategy_off_index(); /* the options in force, as the results record them */
}

/* CPUID.(7,1):EAX[8] and leaf 23H's counters subleaf: the counters of this logical processor. */
static bool has_ext_counters_leaf(u32 max_leaf)
{
	return max_leaf >= CPUID_LEAF_PMU_EXT &&
	       (cpuid_count(7, 1).eax & CPUID_7_1_EAX_ARCH_PERFMON_EXT) &&
	       (cpuid_count(CPUID_LEAF_PMU_EXT, 0).eax & BIT(PMU_EXT_SUBLEAF_COUNTERS));
}

/* The number of counters in mask (the freestanding build has no popcount helper). */
static unsigned bits_set(u32 mask)
{
	unsigned n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

/* The number of counters in mask from counter 0 up to the first gap. */
static unsigned counters_from_zero(u32 mask)
{
	unsigned n = 0;

	while (n < 32 && (mask & BIT(n)))
		n++;
	return n;
}

/*
 * Which counters this CPU has: leaf 23H's bitmaps where it exists, else
 * CPUID.0AH's counts and fixed bitmap. The hypervisor runs the guest on
 * this CPU (the BSP) only, so on a hybrid part these are its own core
 * type's counters. GP counters are used from 0 up to a gap; fixed counters
 * each where present, up to PMU_MAX_FIXED.
 */
static void take_counters(u32 max_leaf)
{
	struct cpuid_regs r;

	if (has_ext_counters_leaf(max_leaf)) {
		r = cpuid_count(CPUID_LEAF_PMU_EXT, PMU_EXT_SUBLEAF_COUNTERS);
		pmu_caps_from_ext_leaf(&pmu.caps, r.eax, r.ebx);
	}
	pmu.nr_gp = MIN(counters_from_zero(pmu.caps.gp_mask), (unsigned)PMU_MAX_GP);
	pmu.fixed_present = pmu.caps.fixed_mask & pmu_low_bits(PMU_MAX_FIXED);
	pmu.nr_fixed = 0;
	for (unsigned j = 0; j < PMU_MAX_FIXED; j++)
		if (pmu_fixed_present(j))
			pmu.nr_fixed = j + 1;
}

/* One line on a hybrid part: which core type the guest runs on, whose counters it gets. */
static void report_hybrid(u32 max_leaf)
{
	u32 type;

	if (!(cpuid(7).edx & CPUID_7_EDX_HYBRID) || max_leaf < CPUID_LEAF_NATIVE_MODEL)
		return;
	type = CPUID_1A_CORE_TYPE(cpuid(CPUID_LEAF_NATIVE_MODEL).eax);
	pr_info("pmu: hybrid CPU: the guest runs on %s (core type 0x%x) and gets %s",
		type == CPUID_CORE_TYPE_CORE   ? "a P-core"
		: type == CPUID_CORE_TYPE_ATOM ? "an E-core"
					       : "a core",
		type,
		pmu.caps.ext_leaf ? "its counters (CPUID 0x23)"
				  : "the counters of every core type (CPUID 0xA)");
}

static void detect(void)
{
	struct cpuid_regs r = cpuid(0);
	u32 max_leaf = r.eax;
	char why[128];
	u64 v;

	if (max_leaf >= CPUID_LEAF_PMU) {
		r = cpuid(CPUID_LEAF_PMU);
		pmu.caps = pmu_caps_decode(r.eax, r.ebx, r.ecx, r.edx);
	}
	if (pmu.caps.version < 2 || pmu.caps.version > 5) {
		snprintf_hv(why, sizeof(why),
			    "architectural PerfMon v2-v5 needed; CPUID.0AH reports version %u",
			    pmu.caps.version);
		no_usable_pmu(why);
		return;
	}
	take_counters(max_leaf);
	report_hybrid(max_leaf);
	pmu.has_status_set = pmu.caps.version >= 4;
	if ((cpuid(1).ecx & CPUID_1_ECX_PDCM) && rdmsr_safe(MSR_IA32_PERF_CAPABILITIES, &v))
		pmu.full_width_writes = v & PERF_CAP_FW_WRITE;
	if (!rdmsr_safe(MSR_CORE_PERF_GLOBAL_CTRL, &v) || !rdmsr_safe(msr_evtsel(0), &v)) {
		snprintf_hv(why, sizeof(why),
			    "the PMU MSRs fault although CPUID.0AH reports PerfMon v%u (Bochs "
			    "needs a cpu: msrs= file)",
			    pmu.caps.version);
		no_usable_pmu(why);
	}
}

/* The GLOBAL_CTRL/STATUS bits of GP counters 0..gp-1 and the fixed counters in fixed (bit j). */
static u64 counter_bits(unsigned gp, u32 fixed)
{
	u64 bits = 0;

	for (unsigned i = 0; i < gp; i++)
		bits |= global_bit_gp(i);
	for (unsigned j = 0; j < PMU_MAX_FIXED; j++)
		if (fixed & BIT(j))
			bits |= global_bit_fixed(j);
	return bits;
}

/* The bits of candidates that msr takes, each tried alone; a bit set is cleared again. */
static u64 accepted_status_bits(u32 msr, u64 candidates)
{
	u64 ok = 0;

	for (unsigned b = 0; b < 64; b++) {
		if (!(candidates & BIT(b)) || !wrmsr_safe(msr, BIT(b)))
			continue;
		ok |= BIT(b);
		if (msr == MSR_CORE_PERF_GLOBAL_STATUS_SET)
			wrmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL, BIT(b));
	}
	return ok;
}

/*
 * Which GLOBAL_STATUS bits GLOBAL_OVF_CTRL clears and GLOBAL_STATUS_SET
 * sets: every counter's, and of the others those the CPU takes, which vary
 * with its features (Bochs takes 62 and 63; hardware has no SET for
 * CondChgd) and are found by trying each while the PMU is idle. A bit the
 * status held that SET cannot put back is lost: the firmware's, at boot.
 */
static void detect_status_bits(void)
{
	u64 counters = counter_bits(pmu.nr_gp, pmu.fixed_present);
	u64 before = rdmsr(MSR_CORE_PERF_GLOBAL_STATUS), lost;

	pmu.status_reset_bits = counters | accepted_status_bits(MSR_CORE_PERF_GLOBAL_OVF_CTRL,
								GLOBAL_STATUS_NO_COUNTER);
	if (pmu.has_status_set)
		pmu.status_set_bits = counters |
				      accepted_status_bits(MSR_CORE_PERF_GLOBAL_STATUS_SET,
							   pmu.status_reset_bits & ~counters);
	lost = before & ~rdmsr(MSR_CORE_PERF_GLOBAL_STATUS) & pmu.status_set_bits;
	if (lost)
		wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET, lost);
}

/*
 * Whether the CPU has IA32_DEBUGCTL and which of the bits the guest may
 * set it accepts, each tried and the value put back: a guest's WRMSR then
 * #GPs as natively, where a reserved bit in the VMCS would fail VM entry.
 */
static void detect_debugctl(void)
{
	u64 v;

	pmu.has_debugctl = rdmsr_safe(MSR_IA32_DEBUGCTLMSR, &v);
	if (!pmu.has_debugctl)
		return;
	for (unsigned b = 0; b < 64; b++)
		if ((DEBUGCTL_GUEST_ALLOWED & BIT(b)) &&
		    wrmsr_safe(MSR_IA32_DEBUGCTLMSR, v | BIT(b)))
			pmu.debugctl_bits |= BIT(b);
	wrmsr(MSR_IA32_DEBUGCTLMSR, v);
}

u32 pmu_fixed_describable(u32 mask)
{
	return pmu.caps.version >= 5 ? mask : pmu_low_bits(counters_from_zero(mask));
}

/* Counters the CPU has beyond those the hypervisor uses (beyond PMU_MAX_GP/FIXED, after a gap). */
static bool cpu_has_unused_counters(void)
{
	return (pmu.caps.gp_mask & ~pmu_low_bits(pmu.nr_gp)) ||
	       (pmu.caps.fixed_mask & ~pmu.fixed_present);
}

static void choose_guest_share(void)
{
	u32 fixed = pmu_fixed_describable(pmu.fixed_present);

	if (hv_opts.pmu_gp != PMU_GP_ALL && hv_opts.pmu_gp > pmu.nr_gp)
		hv_fail(HV_STATUS_BAD_INPUT,
			"pmu_gp=%llu but the CPU has %u general-purpose counters",
			(unsigned long long)hv_opts.pmu_gp, pmu.nr_gp);
	pmu.guest_gp = hv_opts.pmu_gp == PMU_GP_ALL ? pmu.nr_gp : (unsigned)hv_opts.pmu_gp;
	pmu.guest_fixed = bits_set(fixed);
	/* GLOBAL_CTRL writes are checked wherever the guest must not enable a counter it lacks. */
	pmu.partitioned = pmu.guest_gp < pmu.nr_gp || fixed != pmu.fixed_present ||
			  cpu_has_unused_counters();
	pmu.guest_global_mask = counter_bits(pmu.guest_gp, fixed);
}

void pmu_init(void)
{
	pmu.ops = pmu_strategies[hv_opts.pmu < pmu_nr_strategies ? hv_opts.pmu : 0];
	pmu.global_ctrl_mode = (enum global_ctrl_mode)hv_opts.global_ctrl;
	pmu.lazy_reasons = hv_opts.pmu_lazy;
	pmu.lazy_every = hv_opts.pmu_lazy_every;
	if (hv_opts.pmu_host != PMU_HOST_FIXED && !pmu.ops->keeps_host_counters)
		hv_fail(HV_STATUS_BAD_INPUT,
			"pmu_host=gp: pmu=%s keeps no counters of its own for the hypervisor "
			"(pmu=help lists the strategies)",
			pmu.ops->name);
	detect();
	if (!guest_has_pmu()) {
		pr_info("pmu: strategy %s: the guest gets no PMU", pmu.ops->name);
		return;
	}
	detect_status_bits();
	detect_debugctl();
	read_state(&pmu.host_boot);
	pmu.guest = pmu.host_boot;
	choose_read_method();
	choose_guest_share();
	/* The hypervisor's own counters in switch/lazy: instructions and cycles in ring 0. */
	if (pmu_fixed_present(FIXED_INSTRUCTIONS) && pmu_fixed_present(FIXED_CORE_CYCLES)) {
		pmu.host.fixed_ctr_ctrl = FIXED_CTRL_OS << (FIXED_INSTRUCTIONS * FIXED_CTRL_BITS) |
					  FIXED_CTRL_OS << (FIXED_CORE_CYCLES * FIXED_CTRL_BITS);
		pmu.host.global_ctrl = global_bit_fixed(FIXED_INSTRUCTIONS) |
				       global_bit_fixed(FIXED_CORE_CYCLES);
	}
	if (pmu.ops->init)
		pmu.ops->init();
	pr_info("pmu: strategy %s; guest gets %u of %u GP and %u fixed counters%s; "
		"GLOBAL_CTRL via %s; counters read with %s",
		pmu.ops->name, pmu.guest_gp, pmu.nr_gp, pmu.guest_fixed,
		pmu.full_width_writes ? ", full-width writes" : "",
		pmu.global_ctrl_mode == GLOBAL_CTRL_LISTS ? "VMCS MSR lists" : "VMCS fields",
		pmu.use_rdpmc ? "RDPMC" : "RDMSR");
	if (!pmu.has_status_set && (pmu.ops->warnings & PMU_WARN_NO_STATUS_SET))
		pr_warn("pmu: PerfMon v%u has no GLOBAL_STATUS_SET: overflow bits cleared while "
			"switched out cannot be set again",
			pmu.caps.version);
	if (!pmu.full_width_writes && (pmu.ops->warnings & PMU_WARN_LEGACY_WRITES))
		pr_warn("pmu: %s rewrites the guest's GP counters on every exit, and without "
			"full-width writes hardware keeps 32 bits of each: counts above 2^31 "
			"come back wrong",
			pmu.ops->name);
	else if (!pmu.full_width_writes)
		pr_info("pmu: no full-width counter writes (PERF_CAPABILITIES.FW_WRITE = 0): on "
			"hardware a GP counter write keeps 32 bits, sign-extended");
}

/* ---- IA32_PERF_GLOBAL_CTRL at VM entry and exit ---- */

static struct vmx_msr_entry *alloc_list(const char *what)
{
	u64 p = frame_alloc_zeroed();

	if (!p)
		hv_fail(HV_STATUS_HV_FAULT, "out of memory for the %s", what);
	return phys_to_virt(p);
}

static void setup_msr_lists(u64 max)
{
	pmu.guest_list = (struct vmx_msr_list){ alloc_list("guest MSR list"), 0 };
	pmu.host_list = (struct vmx_msr_list){ alloc_list("host MSR list"), 0 };
	vmx_msr_list_add(&pmu.guest_list, MSR_CORE_PERF_GLOBAL_CTRL,
			 pmu.host_boot.global_ctrl & pmu.guest_global_mask);
	vmx_msr_list_add(&pmu.host_list, MSR_CORE_PERF_GLOBAL_CTRL, pmu.host_global_ctrl_at_exit);
	if (pmu.guest_list.count > max)
		hv_fail(HV_STATUS_UNSUPPORTED, "VMX MSR lists hold at most %llu entries",
			(unsigned long long)max);
	/* One memory area serves as VM-exit MSR-store and VM-entry MSR-load list. */
	vmwrite(VM_ENTRY_MSR_LOAD_ADDR, virt_to_phys(pmu.guest_list.entries));
	vmwrite(VM_ENTRY_MSR_LOAD_COUNT, pmu.guest_list.count);
	vmwrite(VM_EXIT_MSR_STORE_ADDR, virt_to_phys(pmu.guest_list.entries));
	vmwrite(VM_EXIT_MSR_STORE_COUNT, pmu.guest_list.count);
	vmwrite(VM_EXIT_MSR_LOAD_ADDR, virt_to_phys(pmu.host_list.entries));
	vmwrite(VM_EXIT_MSR_LOAD_COUNT, pmu.host_list.count);
}

/* Upstream KVM's scheme: the dedicated fields, saving through the store list where the CPU cannot. */
static void setup_vmcs_fields(const struct pmu_vmx_caps *caps, u32 *exit_controls,
			      u32 *entry_controls)
{
	if (!caps->entry_load_global_ctrl || !caps->exit_load_global_ctrl)
		hv_fail(HV_STATUS_UNSUPPORTED,
			"global_ctrl=vmcs: this CPU does not offer the 'load "
			"IA32_PERF_GLOBAL_CTRL' "
			"VM-entry and VM-exit controls (use global_ctrl=lists)");
	*entry_controls |= VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL;
	*exit_controls |= VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL;
	vmwrite(GUEST_IA32_PERF_GLOBAL_CTRL, pmu.host_boot.global_ctrl & pmu.guest_global_mask);
	vmwrite(HOST_IA32_PERF_GLOBAL_CTRL, pmu.host_global_ctrl_at_exit);
	pmu.vmcs_saves_global_ctrl = caps->exit_save_global_ctrl;
	if (pmu.vmcs_saves_global_ctrl) {
		*exit_controls |= VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL;
		return;
	}
	pmu.guest_list = (struct vmx_msr_list){ alloc_list("guest MSR list"), 0 };
	vmx_msr_list_add(&pmu.guest_list, MSR_CORE_PERF_GLOBAL_CTRL, 0);
	vmwrite(VM_EXIT_MSR_STORE_ADDR, virt_to_phys(pmu.guest_list.entries));
	vmwrite(VM_EXIT_MSR_STORE_COUNT, pmu.guest_list.count);
}

/*
 * global_ctrl=vmcs: does the CPU apply the dedicated controls? One entry
 * and exit of the probe VM, the VM entry told to load GUEST_VALUE and the
 * VM exit HOST_VALUE; the VM-exit MSR-store list, which runs before the
 * host state is loaded, sees what the guest had. Bochs 2.7 accepts the
 * controls and ignores them, which would leave GLOBAL_CTRL unswitched.
 * Counters the values enable count nothing: their selectors are off.
 */
void pmu_check_global_ctrl_fields(void)
{
	u64 guest_value = global_bit_gp(0);
	u64 host_value = pmu_fixed_present(0) ? global_bit_fixed(0) : global_bit_gp(1);
	u64 before, in_guest, after, t;
	struct vmx_msr_entry *store;
	struct vm_probe probe;

	if (pmu.global_ctrl_mode != GLOBAL_CTRL_VMCS || !guest_has_pmu())
		return;
	before = rdmsr(MSR_CORE_PERF_GLOBAL_CTRL);
	store = alloc_list("GLOBAL_CTRL self-test list");
	store[0] = (struct vmx_msr_entry){ MSR_CORE_PERF_GLOBAL_CTRL, 0, 0 };
	vm_probe_begin(&probe);
	vmwrite(VM_ENTRY_CONTROLS, probe.entry_ctl | VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL);
	vmwrite(VM_EXIT_CONTROLS, (probe.exit_ctl | VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL) &
					  ~(u64)VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL);
	vmwrite(GUEST_IA32_PERF_GLOBAL_CTRL, guest_value);
	vmwrite(HOST_IA32_PERF_GLOBAL_CTRL, host_value);
	vmwrite(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VM_EXIT_MSR_STORE_ADDR, virt_to_phys(store));
	vmwrite(VM_EXIT_MSR_STORE_COUNT, 1);
	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	t = vm_probe_roundtrip(&probe);
	after = rdmsr(MSR_CORE_PERF_GLOBAL_CTRL);
	in_guest = store[0].value;
	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, before);
	vm_probe_end(&probe);
	if (t == ~0ULL)
		hv_fail(HV_STATUS_UNSUPPORTED,
			"global_ctrl=vmcs: the self-test VM did not run (VM-instruction error %d, "
			"exit reason %llu)",
			vmx_read_instruction_error(), (unsigned long long)vmread(VM_EXIT_REASON));
	if (in_guest != guest_value || after != host_value)
		hv_fail(HV_STATUS_UNSUPPORTED,
			"global_ctrl=vmcs: the CPU does not apply the 'load IA32_PERF_GLOBAL_CTRL' "
			"controls (VM entry: 0x%llx, want 0x%llx; VM exit: 0x%llx, want 0x%llx); "
			"use global_ctrl=lists",
			(unsigned long long)in_guest, (unsigned long long)guest_value,
			(unsigned long long)after, (unsigned long long)host_value);
	pr_info("pmu: global_ctrl=vmcs self-test: VM entry and exit load IA32_PERF_GLOBAL_CTRL");
}

u64 pmu_guest_global_ctrl(void)
{
	if (pmu.global_ctrl_mode == GLOBAL_CTRL_VMCS)
		return vmread(GUEST_IA32_PERF_GLOBAL_CTRL);
	return pmu.guest_list.entries[0].value;
}

void pmu_set_guest_global_ctrl(u64 value)
{
	if (pmu.global_ctrl_mode == GLOBAL_CTRL_VMCS)
		vmwrite(GUEST_IA32_PERF_GLOBAL_CTRL, value);
	else
		pmu.guest_list.entries[0].value = value;
}

/* Without the save control, the VM-exit MSR-store list caught the value: copy it to the field. */
void pmu_sync_global_ctrl_field(void)
{
	if (pmu.global_ctrl_mode == GLOBAL_CTRL_VMCS && !pmu.vmcs_saves_global_ctrl &&
	    guest_has_pmu())
		vmwrite(GUEST_IA32_PERF_GLOBAL_CTRL, pmu.guest_list.entries[0].value);
}

bool pmu_acts_on_exits(void)
{
	bool copies_field = pmu.global_ctrl_mode == GLOBAL_CTRL_VMCS && !pmu.vmcs_saves_global_ctrl;

	bool saves = pmu.ops->save && (!pmu.ops->acts_on_exits || pmu.ops->acts_on_exits());

	return saves || (copies_field && guest_has_pmu());
}

/* ---- the guest's MSRs: which exit ---- */

static void intercept(u8 *bitmap, u32 msr, enum msr_access a)
{
	msr_bitmap_intercept(bitmap, msr, a);
}

/* Every PMU MSR exits: the guest has no PMU. */
static void intercept_all(u8 *bm)
{
	for (unsigned i = 0; i < PMU_MAX_GP; i++) {
		intercept(bm, msr_pmc(i, false), MSR_INTERCEPT_RW);
		intercept(bm, msr_pmc(i, true), MSR_INTERCEPT_RW);
		intercept(bm, msr_evtsel(i), MSR_INTERCEPT_RW);
	}
	for (unsigned j = 0; j < PMU_MAX_FIXED; j++)
		intercept(bm, msr_fixed_ctr(j), MSR_INTERCEPT_RW);
	for (u32 m = MSR_CORE_PERF_FIXED_CTR_CTRL; m <= MSR_CORE_PERF_GLOBAL_STATUS_SET; m++)
		intercept(bm, m, MSR_INTERCEPT_RW);
}

/*
 * The counters the guest owns go to the hardware; the others exit and
 * #GP. The strategy's policy adds the writes it must see.
 */
static void setup_msr_bitmap(u8 *bm)
{
	u32 exits = pmu.ops->exits;

	intercept(bm, MSR_IA32_PERF_CAPABILITIES, MSR_INTERCEPT_RW);
	intercept(bm, MSR_IA32_DS_AREA, MSR_INTERCEPT_RW);
	intercept(bm, MSR_IA32_PEBS_ENABLE, MSR_INTERCEPT_RW);
	intercept(bm, MSR_IA32_DEBUGCTLMSR, MSR_INTERCEPT_WRITE);
	if (exits & PMU_EXIT_ALL) {
		intercept_all(bm);
		return;
	}
	for (unsigned i = 0; i < PMU_MAX_GP; i++) {
		bool owned = pmu.guest_global_mask & global_bit_gp(i);
		if (!owned) {
			intercept(bm, msr_pmc(i, false), MSR_INTERCEPT_RW);
			intercept(bm, msr_pmc(i, true), MSR_INTERCEPT_RW);
			intercept(bm, msr_evtsel(i), MSR_INTERCEPT_RW);
		} else if (exits & PMU_EXIT_EVTSEL_WRITE) {
			intercept(bm, msr_evtsel(i), MSR_INTERCEPT_WRITE);
		}
		if (owned && !pmu.full_width_writes)
			intercept(bm, msr_pmc(i, true), MSR_INTERCEPT_RW);
	}
	for (unsigned j = 0; j < PMU_MAX_FIXED; j++)
		if (!(pmu.guest_global_mask & global_bit_fixed(j)))
			intercept(bm, msr_fixed_ctr(j), MSR_INTERCEPT_RW);
	if (exits & PMU_EXIT_FIXED_CTR_CTRL_WRITE)
		intercept(bm, MSR_CORE_PERF_FIXED_CTR_CTRL, MSR_INTERCEPT_WRITE);
	if (pmu.partitioned || (exits & PMU_EXIT_GLOBAL_CTRL_WRITE)) {
		intercept(bm, MSR_CORE_PERF_GLOBAL_CTRL, MSR_INTERCEPT_WRITE);
		intercept(bm, MSR_CORE_PERF_GLOBAL_OVF_CTRL, MSR_INTERCEPT_WRITE);
		intercept(bm, MSR_CORE_PERF_GLOBAL_STATUS_SET, MSR_INTERCEPT_WRITE);
	}
	if (pmu.ops->setup_intercepts)
		pmu.ops->setup_intercepts(bm);
}

void pmu_setup_vmcs(const struct pmu_vmx_caps *caps, u8 *msr_bitmap, struct vmx_controls *c)
{
	setup_msr_bitmap(msr_bitmap);
	if (!guest_has_pmu()) {
		/* RDPMC must #GP too, not read the host's counters. */
		c->cpu |= CPU_BASED_RDPMC_EXITING;
		return;
	}
	if (pmu.global_ctrl_mode == GLOBAL_CTRL_LISTS)
		setup_msr_lists(caps->max_msr_list);
	else
		setup_vmcs_fields(caps, &c->exit, &c->entry);
	if (pmu.ops->rdpmc || pmu.rdpmc_broken)
		c->cpu |= CPU_BASED_RDPMC_EXITING;
}

/*
 * RDPMC emulated from the counter MSRs where the CPU's does not read back
 * (Bochs: GP counters read 0, fixed counters #GP), as the SDM defines it
 * (Vol. 2B, "RDPMC"): ECX bit 30 selects the fixed counters, the low bits
 * the counter; any other index #GPs. The hardware holds the guest's
 * counters: pmu_vmexit() switched nothing for this exit.
 */
static bool emulate_rdpmc(u32 ecx, u64 *value)
{
	bool fixed = ecx & RDPMC_FIXED;
	u32 i = ecx & ~(u32)RDPMC_FIXED;

	if (fixed ? !pmu_guest_owns_fixed(i) : i >= pmu.guest_gp)
		return false;
	*value = rdmsr(fixed ? msr_fixed_ctr(i) : msr_pmc(i, false));
	return true;
}

bool pmu_guest_rdpmc(u32 ecx, u64 *value)
{
	if (!guest_has_pmu())
		return false;
	if (pmu.ops->rdpmc)
		return pmu.ops->rdpmc(ecx, value);
	return emulates_rdpmc() && emulate_rdpmc(ecx, value);
}

/* ---- the guest's CPUID ---- */

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

/* The fixed counters the guest owns, bit j for counter j. */
static u32 guest_fixed_bitmap(void)
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
			*r = (struct cpuid_regs){ pmu_low_bits(pmu.guest_gp), guest_fixed_bitmap(),
						  0, 0 };
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
	u32 fixed = guest_fixed_bitmap();

	if (leaf == CPUID_LEAF_PMU_EXT) {
		filter_ext_leaf(subleaf, r);
	} else if (leaf == CPUID_LEAF_PMU) {
		r->eax = (r->eax & ~0xff00u) | (pmu.guest_gp << 8);
		r->edx = (r->edx & ~0x1fu) | counters_from_zero(fixed);
		r->ecx = pmu.caps.version >= 5 ? fixed : 0;
	}
}

/* ---- the guest's intercepted MSRs ---- */

struct pmu_msr_id {
	enum { PMSR_NONE, PMSR_PMC, PMSR_EVTSEL, PMSR_FIXED, PMSR_OTHER } kind;
	unsigned index;
};

static struct pmu_msr_id classify(u32 msr)
{
	if (msr >= MSR_IA32_PMC0 && msr < MSR_IA32_PMC0 + PMU_MAX_GP)
		return (struct pmu_msr_id){ PMSR_PMC, msr - MSR_IA32_PMC0 };
	if (msr >= MSR_IA32_PMC0_FW && msr < MSR_IA32_PMC0_FW + PMU_MAX_GP)
		return (struct pmu_msr_id){ PMSR_PMC, msr - MSR_IA32_PMC0_FW };
	if (msr >= MSR_P6_EVNTSEL0 && msr < MSR_P6_EVNTSEL0 + PMU_MAX_GP)
		return (struct pmu_msr_id){ PMSR_EVTSEL, msr - MSR_P6_EVNTSEL0 };
	if (msr >= MSR_CORE_PERF_FIXED_CTR0 && msr < MSR_CORE_PERF_FIXED_CTR0 + PMU_MAX_FIXED)
		return (struct pmu_msr_id){ PMSR_FIXED, msr - MSR_CORE_PERF_FIXED_CTR0 };
	if ((msr >= MSR_CORE_PERF_FIXED_CTR_CTRL && msr <= MSR_CORE_PERF_GLOBAL_STATUS_SET) ||
	    msr == MSR_IA32_PERF_CAPABILITIES || msr == MSR_IA32_DS_AREA ||
	    msr == MSR_IA32_PEBS_ENABLE || msr == MSR_IA32_DEBUGCTLMSR)
		return (struct pmu_msr_id){ PMSR_OTHER, 0 };
	return (struct pmu_msr_id){ PMSR_NONE, 0 };
}

bool pmu_msr_claims(u32 msr)
{
	return classify(msr).kind != PMSR_NONE;
}

bool pmu_msr_read(u32 msr, u64 *value)
{
	u64 caps;

	if (msr == MSR_CORE_PERF_FIXED_CTR_CTRL && guest_has_pmu() && pmu.ops->read_fixed_ctr_ctrl)
		return pmu.ops->read_fixed_ctr_ctrl(value);
	/* Everything else that exits here is not the guest's: #GP. */
	if (msr != MSR_IA32_PERF_CAPABILITIES || !guest_has_pmu() || !rdmsr_safe(msr, &caps))
		return false;
	*value = caps & PERF_CAP_FW_WRITE; /* no LBR format, no PEBS */
	return true;
}

/*
 * A register the strategy switched out for this exit lives in pmu.guest
 * until VM entry; otherwise the hardware holds it. The value is tried on
 * the hardware first so that reserved bits #GP the guest, as they would
 * natively, and never the hypervisor at VM entry.
 */
static bool write_guest_register(u32 msr, u64 value, u64 *saved)
{
	u64 current = rdmsr(msr);

	if (!wrmsr_safe(msr, value))
		return false;
	*saved = value;
	if (pmu.switched)
		wrmsr(msr, current);
	return true;
}

/*
 * GLOBAL_OVF_CTRL (STATUS_RESET) and STATUS_SET: the bits of the guest's
 * counters and the bits of no counter it may write (GLOBAL_STATUS_GUEST_*),
 * where the CPU takes them; any other bit #GPs, as natively.
 */
static bool write_global_status_bits(u32 msr, u64 value)
{
	bool saved_out = pmu.switched && pmu.ops->status_held_outside;
	bool reset = msr == MSR_CORE_PERF_GLOBAL_OVF_CTRL;
	u64 cpu_bits = reset ? pmu.status_reset_bits : pmu.status_set_bits;
	u64 guest_bits = pmu.guest_global_mask |
			 (reset ? GLOBAL_STATUS_GUEST_RESETS : GLOBAL_STATUS_GUEST_SETS);

	if ((!reset && !pmu.has_status_set) || (value & ~(cpu_bits & guest_bits)))
		return false;
	if (!saved_out) {
		pmu_wrmsr(msr, value); /* a PMU access of this (MSR_WRITE) exit */
		return true;
	}
	if (reset)
		pmu.guest.global_status &= ~value;
	else
		pmu.guest.global_status |= value;
	return true;
}

bool pmu_msr_write(u32 msr, u64 value)
{
	struct pmu_msr_id id = classify(msr);

	if (!guest_has_pmu())
		return false;
	if (msr == MSR_IA32_DEBUGCTLMSR) {
		if (value & ~DEBUGCTL_GUEST_ALLOWED)
			return false; /* LBR, BTS and trace are not offered */
		/* As natively: #GP without DEBUGCTL (its RDMSR #GPs too) or on a bit it refuses. */
		if (!pmu.has_debugctl || (value & ~pmu.debugctl_bits))
			return false;
		vmwrite(GUEST_IA32_DEBUGCTL, value);
		return true;
	}
	if (id.kind == PMSR_EVTSEL && id.index < pmu.guest_gp)
		return write_guest_register(msr, value, &pmu.guest.evtsel[id.index]);
	if (msr == MSR_CORE_PERF_FIXED_CTR_CTRL && pmu.ops->write_fixed_ctr_ctrl)
		return pmu.ops->write_fixed_ctr_ctrl(value);
	if (msr == MSR_CORE_PERF_FIXED_CTR_CTRL)
		return write_guest_register(msr, value, &pmu.guest.fixed_ctr_ctrl);
	if (msr == MSR_CORE_PERF_GLOBAL_CTRL && pmu.ops->write_global_ctrl)
		return pmu.ops->write_global_ctrl(value);
	if (msr == MSR_CORE_PERF_GLOBAL_CTRL) {
		if (value & ~pmu.guest_global_mask)
			return false;
		pmu_set_guest_global_ctrl(value);
		return true;
	}
	if (msr == MSR_CORE_PERF_GLOBAL_OVF_CTRL || msr == MSR_CORE_PERF_GLOBAL_STATUS_SET)
		return write_global_status_bits(msr, value);
	return false;
}

/* ---- leaving no trace ---- */

static void write_state(const struct pmu_state *s)
{
	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	for (unsigned i = 0; i < pmu.nr_gp; i++) {
		wrmsr(msr_evtsel(i), s->evtsel[i]);
		wrmsr(msr_pmc(i, pmu.full_width_writes), s->pmc[i]);
	}
	wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, s->fixed_ctr_ctrl);
	for (unsigned j = 0; j < pmu.nr_fixed; j++)
		if (pmu_fixed_present(j))
			wrmsr(msr_fixed_ctr(j), s->fixed[j]);
	pmu_restore_global_status(s->global_status);
	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, s->global_ctrl);
}

static unsigned compare_state(const struct pmu_state *want, const struct pmu_state *got)
{
	unsigned bad = 0;

#define CHECK_REG(field, name, idx)                                                               \
	do {                                                                                      \
		if (want->field != got->field) {                                                  \
			pr_err("pmu: host %s%s is 0x%llx after the guest, expected 0x%llx", name, \
			       idx, (unsigned long long)got->field,                               \
			       (unsigned long long)want->field);                                  \
			bad++;                                                                    \
		}                                                                                 \
	} while (0)
	static const char *const digit[] = { "0", "1", "2", "3", "4", "5", "6", "7" };
	CHECK_REG(global_ctrl, "GLOBAL_CTRL", "");
	CHECK_REG(global_status, "GLOBAL_STATUS", "");
	CHECK_REG(fixed_ctr_ctrl, "FIXED_CTR_CTRL", "");
	/* A counter the host itself left enabled moves on; only the others must match. */
	for (unsigned i = 0; i < pmu.nr_gp; i++) {
		if (!(want->global_ctrl & global_bit_gp(i)))
			CHECK_REG(pmc[i], "PMC", digit[i]);
		CHECK_REG(evtsel[i], "PERFEVTSEL", digit[i]);
	}
	for (unsigned j = 0; j < pmu.nr_fixed; j++)
		if (pmu_fixed_present(j) && !(want->global_ctrl & global_bit_fixed(j)))
			CHECK_REG(fixed[j], "FIXED_CTR", digit[j]);
#undef CHECK_REG
	return bad;
}

bool pmu_restore_host(void)
{
	struct pmu_state now;
	unsigned bad, regs = 3 + 2 * pmu.nr_gp + bits_set(pmu.fixed_present);

	if (!guest_has_pmu())
		return true;
	write_state(&pmu.host_boot);
	read_state(&now);
	bad = compare_state(&pmu.host_boot, &now);
	if (bad)
		return false;
	pr_info("pmu: host PMU state restored and verified (%u MSRs)", regs);
	return true;
}
