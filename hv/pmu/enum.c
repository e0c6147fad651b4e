/*
 * What the CPU has: its counters (CPUID 0xA or leaf 0x23), whether its PMU
 * MSRs work, which GLOBAL_STATUS bits GLOBAL_OVF_CTRL and GLOBAL_STATUS_SET
 * take, which DEBUGCTL bits it accepts, and whether RDPMC reads back.
 */
#include "hv/pmu/internal.h"
#include "hv/base/log.h"
#include "hv/base/options.h"
#include "hv/base/status.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/msr.h"
#include "lib/printf.h"

#define RDPMC_SELFTEST_PATTERN 0x5a5a5aULL

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

void pmu_choose_read_method(void)
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

/* CPUID.(7,1):EAX[8] and leaf 23H's counters subleaf: the counters of this logical processor. */
static bool has_ext_counters_leaf(u32 max_leaf)
{
	return max_leaf >= CPUID_LEAF_PMU_EXT &&
	       (cpuid_count(7, 1).eax & CPUID_7_1_EAX_ARCH_PERFMON_EXT) &&
	       (cpuid_count(CPUID_LEAF_PMU_EXT, 0).eax & BIT(PMU_EXT_SUBLEAF_COUNTERS));
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
	pmu.nr_gp = MIN(pmu_counters_from_zero(pmu.caps.gp_mask), (unsigned)PMU_MAX_GP);
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

/*
 * The PMU of this CPU: its PerfMon version, counters and write width.
 * False, with the reason in why, where it has none the guest can be given
 * (a version other than 2 to 5, or PMU MSRs that fault).
 */
bool pmu_detect(char *why, size_t len)
{
	struct cpuid_regs r = cpuid(0);
	u32 max_leaf = r.eax;
	u64 v;

	if (max_leaf >= CPUID_LEAF_PMU) {
		r = cpuid(CPUID_LEAF_PMU);
		pmu.caps = pmu_caps_decode(r.eax, r.ebx, r.ecx, r.edx);
	}
	if (pmu.caps.version < 2 || pmu.caps.version > 5) {
		snprintf_hv(why, len,
			    "architectural PerfMon v2-v5 needed; CPUID.0AH reports version %u",
			    pmu.caps.version);
		return false;
	}
	take_counters(max_leaf);
	report_hybrid(max_leaf);
	pmu.has_status_set = pmu.caps.version >= 4;
	if ((cpuid(1).ecx & CPUID_1_ECX_PDCM) && rdmsr_safe(MSR_IA32_PERF_CAPABILITIES, &v))
		pmu.full_width_writes = v & PERF_CAP_FW_WRITE;
	if (!rdmsr_safe(MSR_CORE_PERF_GLOBAL_CTRL, &v) || !rdmsr_safe(msr_evtsel(0), &v)) {
		snprintf_hv(why, len,
			    "the PMU MSRs fault although CPUID.0AH reports PerfMon v%u (Bochs "
			    "needs a cpu: msrs= file)",
			    pmu.caps.version);
		return false;
	}
	return true;
}

/* The GLOBAL_CTRL/STATUS bits of GP counters 0..gp-1 and the fixed counters in fixed (bit j). */
u64 pmu_counter_bits(unsigned gp, u32 fixed)
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
void pmu_detect_status_bits(void)
{
	u64 counters = pmu_counter_bits(pmu.nr_gp, pmu.fixed_present);
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
void pmu_detect_debugctl(void)
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
	return pmu.caps.version >= 5 ? mask : pmu_low_bits(pmu_counters_from_zero(mask));
}
