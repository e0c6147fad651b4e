/*
 * pmu-check: the guest's side of the PMU contract. It writes a distinct
 * pattern to every PMU MSR it owns, forces thousands of exits of several
 * kinds (each one a chance for the hypervisor to switch the PMU), and
 * reads everything back: nothing may change. MSRs it does not own must
 * #GP, CPUID 0xA must describe exactly what it owns, PEBS/LBR must be
 * absent. Nothing counts during the check (no selector or fixed counter
 * is enabled), so it holds in Bochs, whose PMU MSRs are plain storage.
 *
 * The counters it owns are those CPUID 0xA describes: EAX 15:8 GP
 * counters, and the fixed counters that EDX 4:0 counts from 0 or, on
 * PerfMon v5, that the bitmap in ECX names (a guest may own fixed counters
 * 2 and 3 without 0 and 1). Every other counter, its bits in GLOBAL_CTRL
 * and its field in FIXED_CTR_CTRL must #GP, whether the CPU lacks it or
 * the hypervisor keeps it.
 *
 * Command line: gp=N (the GP counters it expects, as pmu_gp=N),
 * fixed=MASK (the fixed counters it expects, a bitmap in decimal), off (it
 * expects no PMU at all; without it, a CPUID 0xA of version 0 says so
 * and the same checks run), rdpmc (RDPMC exits: RDPMC of
 * a counter it does not own must #GP too, as under pmu=partition),
 * exits=N (rounds of exits, default 1000), count (VMX hardware only:
 * also check that enabled counters count the guest's instructions and
 * not the hypervisor's).
 */
#include "guests/lib/guest.h"
#include "hv/base/hypercall.h"
#include "lib/string.h"

#define MSR_IA32_PMC0 0xc1
#define MSR_IA32_PMC0_FW 0x4c1
#define MSR_PERFEVTSEL0 0x186
#define MSR_FIXED_CTR0 0x309
#define MSR_FIXED_CTR_CTRL 0x38d
#define MSR_GLOBAL_STATUS 0x38e
#define MSR_GLOBAL_CTRL 0x38f
#define MSR_PERF_CAPABILITIES 0x345
#define MSR_PEBS_ENABLE 0x3f1
#define MSR_DS_AREA 0x600
#define MSR_VMX_BASIC 0x480
#define PERF_CAP_FW_WRITE (1u << 13)
#define EVTSEL_USR (1u << 16)
#define EVTSEL_OS (1u << 17)
#define EVTSEL_EN (1u << 22)
#define EVENT_INSTRUCTIONS 0xc0 /* architectural: instructions retired */
#define MAX_GP 8
#define MAX_FIXED 4
#define VECTOR_GP 13
#define RDPMC_FIXED (1u << 30)

const char guest_name[] = "pmu-check";

struct pmu_view {
	u32 version, nr_gp, nr_fixed;
	u32 fixed_mask; /* bit j: the guest owns fixed counter j */
	bool full_width;
};

static u32 arg_value(const char *cmdline, const char *key, u32 def)
{
	size_t n = strlen(key);

	for (const char *p = cmdline; *p; p++) {
		if ((p == cmdline || p[-1] == ' ') && !strncmp(p, key, n) && p[n] == '=') {
			u32 v = 0;
			for (p += n + 1; *p >= '0' && *p <= '9'; p++)
				v = v * 10 + (u32)(*p - '0');
			return v;
		}
	}
	return def;
}

static bool owns_fixed(const struct pmu_view *v, u32 j)
{
	return v->fixed_mask & (1u << j);
}

/*
 * Fixed counter j exists if ECX[j] (v5+) or EDX[4:0] > j. Intel SDM Vol. 2A,
 * CPUID leaf 0AH, "Architectural Performance Monitoring Leaf".
 */
static struct pmu_view read_cpuid(void)
{
	struct cpuid_regs r = cpuid(0xa, 0);
	struct pmu_view v = { r.eax & 0xff, (r.eax >> 8) & 0xff, 0, 0, false };
	u32 contiguous = r.edx & 0x1f;
	u64 caps;

	if (v.version >= 2)
		v.fixed_mask = contiguous >= 32 ? ~0u : (1u << contiguous) - 1;
	if (v.version >= 5)
		v.fixed_mask |= r.ecx;
	v.fixed_mask &= (1u << MAX_FIXED) - 1;
	for (u32 j = 0; j < MAX_FIXED; j++)
		v.nr_fixed += owns_fixed(&v, j);
	if ((cpuid(1, 0).ecx & (1u << 15)) && rdmsr_safe(MSR_PERF_CAPABILITIES, &caps))
		v.full_width = caps & PERF_CAP_FW_WRITE;
	return v;
}

/* Patterns below 2^31: without full-width writes a PMC write keeps 32 bits, sign-extended. */
static u64 pmc_pattern(u32 i)
{
	return 0x12345600u + 0x1111u * i;
}

static u64 evtsel_pattern(u32 i)
{
	return EVTSEL_USR | EVTSEL_OS | (0x30u + i) << 8 |
	       (0x10u + i); /* EN clear: nothing counts */
}

static u64 fixed_pattern(u32 j)
{
	return 0x23456700u + 0x101u * j;
}

static u64 global_ctrl_owned(const struct pmu_view *v)
{
	u64 m = 0;

	for (u32 i = 0; i < v->nr_gp; i++)
		m |= 1ull << i;
	for (u32 j = 0; j < MAX_FIXED; j++)
		if (owns_fixed(v, j))
			m |= 1ull << (32 + j);
	return m;
}

static u32 pmc_msr(const struct pmu_view *v, u32 i)
{
	return (v->full_width ? MSR_IA32_PMC0_FW : MSR_IA32_PMC0) + i;
}

/* FIXED_CTR_CTRL: PMI bits only (bit 3 of each field), so no fixed counter is enabled. */
static u64 fixed_ctrl_pattern(const struct pmu_view *v)
{
	u64 c = 0;

	for (u32 j = 0; j < MAX_FIXED; j++)
		if (owns_fixed(v, j))
			c |= 8ull << (4 * j);
	return c;
}

static void write_patterns(const struct pmu_view *v)
{
	wrmsr(MSR_GLOBAL_CTRL, 0);
	for (u32 i = 0; i < v->nr_gp; i++) {
		wrmsr(MSR_PERFEVTSEL0 + i, evtsel_pattern(i));
		wrmsr(pmc_msr(v, i), pmc_pattern(i));
	}
	for (u32 j = 0; j < MAX_FIXED; j++)
		if (owns_fixed(v, j))
			wrmsr(MSR_FIXED_CTR0 + j, fixed_pattern(j));
	wrmsr(MSR_FIXED_CTR_CTRL, fixed_ctrl_pattern(v));
	/* Every owned counter enabled globally; none counts, as none is enabled locally. */
	wrmsr(MSR_GLOBAL_CTRL, global_ctrl_owned(v));
}

/* Exits of several kinds: each gives the hypervisor a chance to switch the PMU. */
static void force_exits(u32 rounds)
{
	u64 v;

	for (u32 r = 0; r < rounds; r++) {
		(void)cpuid(0, 0);
		(void)vmcall(HC_PING, 0, 0, 0);
		outl(HV_TEST_PORT, r);
		(void)rdmsr(HV_BENCH_MSR);
		if (r % 16 == 0)
			(void)rdmsr_safe(MSR_VMX_BASIC, &v); /* #GP injected */
	}
}

static u32 compare(const char *what, u32 msr, u64 want)
{
	u64 got = rdmsr(msr);

	if (got == want)
		return 0;
	guest_printf("# %s (MSR 0x%x): read 0x%llx, wrote 0x%llx\n", what, msr,
		     (unsigned long long)got, (unsigned long long)want);
	return 1;
}

static void check_patterns_survive(const struct pmu_view *v, u32 rounds)
{
	u32 bad = 0;
	u64 status_before = rdmsr(MSR_GLOBAL_STATUS);

	write_patterns(v);
	force_exits(rounds);
	for (u32 i = 0; i < v->nr_gp; i++) {
		bad += compare("PERFEVTSEL", MSR_PERFEVTSEL0 + i, evtsel_pattern(i));
		bad += compare("PMC", MSR_IA32_PMC0 + i, pmc_pattern(i));
	}
	for (u32 j = 0; j < MAX_FIXED; j++)
		if (owns_fixed(v, j))
			bad += compare("FIXED_CTR", MSR_FIXED_CTR0 + j, fixed_pattern(j));
	bad += compare("FIXED_CTR_CTRL", MSR_FIXED_CTR_CTRL, fixed_ctrl_pattern(v));
	bad += compare("GLOBAL_CTRL", MSR_GLOBAL_CTRL, global_ctrl_owned(v));
	bad += compare("GLOBAL_STATUS", MSR_GLOBAL_STATUS, status_before);
	CHECK(bad == 0,
	      "%u GP + %u fixed counters, selectors and controls unchanged across %u "
	      "rounds of CPUID/VMCALL/IO/RDMSR exits (%u mismatches)",
	      v->nr_gp, v->nr_fixed, rounds, bad);
	wrmsr(MSR_GLOBAL_CTRL, 0);
}

static bool gp_faults(bool write, u32 msr)
{
	u64 v = 0;
	bool ok;

	guest_fault_vector = 0;
	ok = write ? wrmsr_safe(msr, 0) : rdmsr_safe(msr, &v);
	return !ok && guest_fault_vector == VECTOR_GP;
}

static void check_unowned_fixed_fault(const struct pmu_view *v)
{
	u32 faults = 0, tried = 0;

	for (u32 j = 0; j < MAX_FIXED; j++) {
		if (owns_fixed(v, j))
			continue;
		faults += gp_faults(false, MSR_FIXED_CTR0 + j);
		faults += gp_faults(true, MSR_FIXED_CTR0 + j);
		tried += 2;
	}
	CHECK(faults == tried,
	      "%u of %u reads and writes of the fixed counters outside mask 0x%x #GP", faults,
	      tried, v->fixed_mask);
}

static bool write_faults(u32 msr, u64 value)
{
	guest_fault_vector = 0;
	return !wrmsr_safe(msr, value) && guest_fault_vector == VECTOR_GP;
}

/* Enabling a counter it does not own, globally or in FIXED_CTR_CTRL, must #GP. */
static void check_unowned_control_bits_fault(const struct pmu_view *v)
{
	u64 global_ctrl = rdmsr(MSR_GLOBAL_CTRL), fixed_ctrl = rdmsr(MSR_FIXED_CTR_CTRL);
	u32 faults = 0, tried = 0;

	for (u32 i = v->nr_gp; i < MAX_GP; i++, tried++)
		faults += write_faults(MSR_GLOBAL_CTRL, 1ull << i);
	for (u32 j = 0; j < MAX_FIXED; j++) {
		if (owns_fixed(v, j))
			continue;
		faults += write_faults(MSR_GLOBAL_CTRL, 1ull << (32 + j));
		faults += write_faults(MSR_FIXED_CTR_CTRL, 3ull << (4 * j));
		tried += 2;
	}
	CHECK(faults == tried,
	      "%u of %u writes enabling counters it does not own (GLOBAL_CTRL, "
	      "FIXED_CTR_CTRL) #GP",
	      faults, tried);
	CHECK(rdmsr(MSR_GLOBAL_CTRL) == global_ctrl && rdmsr(MSR_FIXED_CTR_CTRL) == fixed_ctrl,
	      "the refused writes left GLOBAL_CTRL and FIXED_CTR_CTRL unchanged");
}

/* RDPMC exits (pmu=partition): reading a counter it does not own #GPs like the MSRs. */
static void check_unowned_rdpmc_faults(const struct pmu_view *v)
{
	u32 faults = 0, tried = 0;
	u64 value;

	for (u32 i = v->nr_gp; i < MAX_GP; i++, tried++) {
		guest_fault_vector = 0;
		faults += !rdpmc_safe(i, &value) && guest_fault_vector == VECTOR_GP;
	}
	for (u32 j = 0; j < MAX_FIXED; j++) {
		if (owns_fixed(v, j))
			continue;
		guest_fault_vector = 0;
		faults += !rdpmc_safe(RDPMC_FIXED | j, &value) && guest_fault_vector == VECTOR_GP;
		tried++;
	}
	CHECK(faults == tried, "%u of %u RDPMCs of counters it does not own #GP", faults, tried);
}

static void check_unowned_fault(const struct pmu_view *v)
{
	u32 faults = 0, tried = 0;

	for (u32 i = v->nr_gp; i < MAX_GP; i++) {
		faults += gp_faults(false, MSR_IA32_PMC0 + i);
		faults += gp_faults(true, MSR_IA32_PMC0 + i);
		faults += gp_faults(false, MSR_PERFEVTSEL0 + i);
		faults += gp_faults(true, MSR_PERFEVTSEL0 + i);
		tried += 4;
	}
	CHECK(faults == tried, "%u of %u accesses to GP counters %u..%u and their selectors #GP",
	      faults, tried, v->nr_gp, MAX_GP - 1);
	check_unowned_fixed_fault(v);
	check_unowned_control_bits_fault(v);
	CHECK(gp_faults(false, MSR_DS_AREA) && gp_faults(true, MSR_DS_AREA),
	      "IA32_DS_AREA #GPs (no PEBS/BTS)");
	CHECK(gp_faults(false, MSR_PEBS_ENABLE) && gp_faults(true, MSR_PEBS_ENABLE),
	      "IA32_PEBS_ENABLE #GPs (no PEBS)");
}

static void check_no_pebs_lbr(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	u64 caps = 0;

	CHECK(!(r.edx & (1u << 21)) && !(r.ecx & (1u << 2)), "CPUID.1 hides DS and DTES64");
	if (r.ecx & (1u << 15))
		CHECK(rdmsr_safe(MSR_PERF_CAPABILITIES, &caps) &&
			      (caps & ~(u64)PERF_CAP_FW_WRITE) == 0,
		      "IA32_PERF_CAPABILITIES offers no LBR format and no PEBS (0x%llx)",
		      (unsigned long long)caps);
}

/* No PMU (pmu=off): CPUID 0xA all zero, every PMU MSR and RDPMC #GP, no PDCM. */
static void check_pmu_absent(void)
{
	struct cpuid_regs r = cpuid(0xa, 0);
	static const u32 msrs[] = { MSR_IA32_PMC0,	  MSR_PERFEVTSEL0,   MSR_FIXED_CTR0,
				    MSR_FIXED_CTR_CTRL,	  MSR_GLOBAL_STATUS, MSR_GLOBAL_CTRL,
				    MSR_PERF_CAPABILITIES };
	u32 faults = 0, rdpmc_faults = 0;
	u64 value;

	CHECK(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0,
	      "pmu=off: CPUID 0xA is all zero (EAX 0x%x EDX 0x%x)", r.eax, r.edx);
	for (u32 i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++)
		faults += gp_faults(false, msrs[i]) + gp_faults(true, msrs[i]);
	CHECK(faults == 2 * sizeof(msrs) / sizeof(msrs[0]),
	      "pmu=off: reads and writes of every PMU MSR #GP (%u)", faults);
	CHECK(!(cpuid(1, 0).ecx & (1u << 15)), "pmu=off: CPUID.1 hides PDCM");
	for (u32 k = 0; k < 2; k++) {
		guest_fault_vector = 0;
		rdpmc_faults += !rdpmc_safe(k ? RDPMC_FIXED : 0, &value) &&
				guest_fault_vector == VECTOR_GP;
	}
	CHECK(rdpmc_faults == 2, "pmu=off: RDPMC of GP counter 0 and fixed counter 0 #GP (%u)",
	      rdpmc_faults);
}

/*
 * VMX hardware only: count instructions retired in the guest while it
 * also forces exits; the count must be about the guest's own loop, not
 * the hypervisor's thousands of instructions per exit.
 */
static void check_counting(const struct pmu_view *v, u32 rounds)
{
	u64 before, after, per_round;

	wrmsr(MSR_GLOBAL_CTRL, 0);
	wrmsr(pmc_msr(v, 0), 0);
	wrmsr(MSR_PERFEVTSEL0, EVTSEL_EN | EVTSEL_OS | EVTSEL_USR | EVENT_INSTRUCTIONS);
	wrmsr(MSR_GLOBAL_CTRL, 1);
	before = rdpmc(0);
	force_exits(rounds);
	after = rdpmc(0);
	wrmsr(MSR_GLOBAL_CTRL, 0);
	per_round = (after - before) / rounds;
	CHECK(after > before, "PMC0 counts instructions retired in the guest (%llu)",
	      (unsigned long long)(after - before));
	/* A round is ~40 guest instructions; a switch counted as guest work would add hundreds. */
	CHECK(per_round < 200,
	      "PMC0 counted %llu instructions per round of 4-5 exits: "
	      "guest work only",
	      (unsigned long long)per_round);
}

int guest_main(const char *cmdline)
{
	struct pmu_view v = read_cpuid();
	u32 rounds = arg_value(cmdline, "exits", 1000);
	u32 want_gp = arg_value(cmdline, "gp", 0xffffffffu);
	u32 want_fixed = arg_value(cmdline, "fixed", 0xffffffffu);

	/* No PMU: what CPUID 0xA says decides; "off" only insists on it. */
	if (v.version == 0 || guest_cmdline_has(cmdline, "off")) {
		check_pmu_absent();
		guest_finish();
	}
	guest_printf("# CPUID 0xA: PerfMon v%u, %u GP, %u fixed counters (mask 0x%x)%s\n",
		     v.version, v.nr_gp, v.nr_fixed, v.fixed_mask,
		     v.full_width ? ", full-width writes" : "");
	CHECK(v.version >= 2 && v.nr_gp <= MAX_GP && v.nr_fixed <= MAX_FIXED,
	      "CPUID 0xA describes an architectural PMU");
	if (want_gp != 0xffffffffu)
		CHECK(v.nr_gp == want_gp, "CPUID 0xA reports %u GP counters, as pmu_gp=%u gives",
		      v.nr_gp, want_gp);
	if (want_fixed != 0xffffffffu)
		CHECK(v.fixed_mask == want_fixed,
		      "CPUID 0xA reports fixed counters 0x%x, as expected (0x%x)", v.fixed_mask,
		      want_fixed);
	check_no_pebs_lbr();
	check_patterns_survive(&v, rounds);
	check_unowned_fault(&v);
	if (guest_cmdline_has(cmdline, "rdpmc"))
		check_unowned_rdpmc_faults(&v);
	if (guest_cmdline_has(cmdline, "count"))
		check_counting(&v, rounds);
	guest_finish();
}
