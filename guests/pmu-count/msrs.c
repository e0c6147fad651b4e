/*
 * What the PMU MSRs hold at boot, accept, refuse and read back
 * (docs/bochs-pmu.md, "The MSRs"; SDM Vol. 3B, "Architectural Performance
 * Monitoring"): all 0 after RESET; legacy counter writes sign-extend from
 * bit 31, full-width ones must fit the width; reserved bits #GP, so does
 * every MSR of a counter CPUID 0AH does not declare; GLOBAL_STATUS and
 * PERF_CAPABILITIES are read-only. Nothing counts here: no selector or
 * FIXED_CTR_CTRL field is enabled while GLOBAL_CTRL is.
 */
#include "guests/pmu-count/pmu-count.h"

/* Natively booted, nothing before us touched the PMU: RESET left every MSR 0. */
void check_reset_state(void)
{
	u32 msrs[2 * MAX_GP + MAX_FIXED + 3], n = 0, nonzero = 0;

	for (u32 x = 0; x < pmu.nr_gp; x++) {
		msrs[n++] = MSR_IA32_PMC0 + x;
		msrs[n++] = MSR_P6_EVNTSEL0 + x;
	}
	for (u32 j = 0; j < MAX_FIXED; j++)
		if (fixed_exists(j))
			msrs[n++] = MSR_CORE_PERF_FIXED_CTR0 + j;
	msrs[n++] = MSR_CORE_PERF_FIXED_CTR_CTRL;
	msrs[n++] = MSR_CORE_PERF_GLOBAL_CTRL;
	msrs[n++] = MSR_CORE_PERF_GLOBAL_STATUS;
	for (u32 i = 0; i < n; i++) {
		u64 v = msr_get(msrs[i]);

		if (v != 0) {
			guest_printf("# MSR 0x%x reads 0x%llx\n", msrs[i], (unsigned long long)v);
			nonzero++;
		}
	}
	CHECK(nonzero == 0,
	      "at boot every PMU MSR is 0, as RESET left it (firmware and GRUB do not touch the "
	      "PMU): %u of %u are not",
	      nonzero, n);
}

static u64 sign_extend32(u64 v)
{
	return (u64)(s64)(s32)(u32)v;
}

static void check_legacy_writes(void)
{
	static const u64 values[] = { 0x7fffffffull, 0x80000001ull, 0xdeadbeef87654321ull,
				      0x12345678ffffffffull };
	u64 mask = width_mask(pmu.gp_width);
	u32 bad = 0;

	pmu_quiesce();
	for (u32 x = 0; x < pmu.nr_gp; x++)
		for (u32 i = 0; i < ARRAY_SIZE(values); i++) {
			u64 got, want = sign_extend32(values[i]) & mask;

			if (!msr_set(MSR_IA32_PMC0 + x, values[i]))
				guest_printf("# IA32_PMC%u <- 0x%llx faulted\n", x,
					     (unsigned long long)values[i]);
			got = counter_read(gp_counter(x));
			if (got != want) {
				guest_printf("# IA32_PMC%u <- 0x%llx reads 0x%llx\n", x,
					     (unsigned long long)values[i],
					     (unsigned long long)got);
				bad++;
			}
		}
	CHECK(bad == 0,
	      "writes to IA32_PMC0..%u (0xC1+x) take bits 31:0 sign-extended to %u bits: "
	      "0xdeadbeef87654321 reads 0x%llx (%u of %u differ)",
	      pmu.nr_gp - 1, pmu.gp_width,
	      (unsigned long long)(sign_extend32(0xdeadbeef87654321ull) & mask), bad,
	      pmu.nr_gp * (u32)ARRAY_SIZE(values));
}

/* IA32_A_PMCx (0x4C1+x): full width with FW_WRITE, absent without. */
static void check_full_width_writes(void)
{
	u64 top = width_mask(pmu.gp_width), beyond = top + 1;
	u32 bad = 0, refused = 0, faults = 0;

	pmu_quiesce();
	if (!pmu.full_width) {
		for (u32 x = 0; x < pmu.nr_gp; x++) {
			faults += read_gps(MSR_IA32_PMC0_FW + x);
			faults += write_gps(MSR_IA32_PMC0_FW + x, 0);
		}
		CHECK(faults == 2 * pmu.nr_gp,
		      "without PERF_CAPABILITIES.FW_WRITE, reads and writes of IA32_A_PMCx #GP (%u "
		      "of %u)",
		      faults, 2 * pmu.nr_gp);
		return;
	}
	for (u32 x = 0; x < pmu.nr_gp; x++) {
		bool ok = msr_set(MSR_IA32_PMC0_FW + x, top) &&
			  counter_read(gp_counter(x)) == top &&
			  msr_get(MSR_IA32_PMC0_FW + x) == top &&
			  msr_set(MSR_IA32_PMC0_FW + x, 0x80000000u) &&
			  counter_read(gp_counter(x)) == 0x80000000u;

		bad += !ok;
		refused += write_gps(MSR_IA32_PMC0_FW + x, beyond) &&
			   write_gps(MSR_IA32_PMC0_FW + x, 1ull << 63) &&
			   counter_read(gp_counter(x)) == 0x80000000u;
	}
	CHECK(bad == 0,
	      "full-width writes to IA32_A_PMC0..%u (0x4C1+x): 0x%llx and 0x80000000 (not "
	      "sign-extended) read back at 0xC1+x and 0x4C1+x (%u counters do not)",
	      pmu.nr_gp - 1, (unsigned long long)top, bad);
	CHECK(refused == pmu.nr_gp,
	      "full-width writes of 2^%u and 2^63 #GP and leave the counter unchanged (%u of %u "
	      "counters)",
	      pmu.gp_width, refused, pmu.nr_gp);
}

static void check_fixed_writes(void)
{
	u64 top = width_mask(pmu.fixed_width), beyond = top + 1;
	u32 good = 0, tried = 0;

	pmu_quiesce();
	for (u32 j = 0; j < 32; j++) {
		u32 msr = MSR_CORE_PERF_FIXED_CTR0 + j;

		if (!fixed_exists(j))
			continue;
		tried++;
		good += msr_set(msr, top) && msr_get(msr) == top && write_gps(msr, beyond) &&
			msr_get(msr) == top;
	}
	CHECK(good == tried,
	      "fixed counters: a write of 0x%llx reads back, one of 2^%u #GPs and changes nothing "
	      "(%u of %u counters)",
	      (unsigned long long)top, pmu.fixed_width, good, tried);
	pmu_quiesce();
}

/* Bits 63:32 of every IA32_PERFEVTSELx are reserved. */
static void check_evtsel_reserved(void)
{
	u64 sel = ARCH_PERFMON_EVENTSEL_OS | ARCH_PERFMON_EVENTSEL_USR | 0xc0; /* EN clear */
	u32 faults = 0, unchanged = 0;

	pmu_quiesce();
	for (u32 x = 0; x < pmu.nr_gp; x++) {
		msr_set(MSR_P6_EVNTSEL0 + x, sel);
		for (u32 bit = 32; bit < 64; bit++)
			faults += write_gps(MSR_P6_EVNTSEL0 + x, sel | 1ull << bit);
		unchanged += msr_get(MSR_P6_EVNTSEL0 + x) == sel;
	}
	CHECK(faults == 32 * pmu.nr_gp && unchanged == pmu.nr_gp,
	      "IA32_PERFEVTSELx: setting any of bits 63:32 #GPs (%u of %u) and leaves it as it was "
	      "(%u of %u)",
	      faults, 32 * pmu.nr_gp, unchanged, pmu.nr_gp);
	pmu_quiesce();
}

/* A control MSR whose valid bits are `valid`: they read back, each other bit alone #GPs. */
static void check_reserved_bits(const char *name, u32 msr, u64 valid)
{
	u32 faults = 0, tried = 0;
	bool readback;

	pmu_quiesce();
	readback = msr_set(msr, valid) && msr_get(msr) == valid;
	msr_set(msr, 0);
	for (u32 bit = 0; bit < 64; bit++) {
		if (valid & (1ull << bit))
			continue;
		tried++;
		faults += write_gps(msr, 1ull << bit);
	}
	CHECK(readback && faults == tried && msr_get(msr) == 0,
	      "%s: its valid bits 0x%llx read back; each of the other %u bits #GPs (%u do)", name,
	      (unsigned long long)valid, tried, faults);
}

/* The fields' enable and PMI bits: bit 2 (AnyThread) is the CPU's business (v5 may drop it). */
static u64 fixed_ctrl_valid(void)
{
	u64 v = 0;

	for (u32 j = 0; j < 16; j++)
		if (fixed_exists(j))
			v |= (u64)(FIXED_CTR_CTRL_OS | FIXED_CTR_CTRL_USR | FIXED_CTR_CTRL_PMI)
			     << (FIXED_CTR_CTRL_BITS * j);
	return v;
}

static u64 fixed_ctrl_fields(void)
{
	u64 v = 0;

	for (u32 j = 0; j < 16; j++)
		if (fixed_exists(j))
			v |= 0xfull << (FIXED_CTR_CTRL_BITS * j);
	return v;
}

/* Outside the fields of the fixed counters there are, every bit is reserved. */
static void check_fixed_ctrl_reserved(void)
{
	u64 fields = fixed_ctrl_fields(), valid = fixed_ctrl_valid();
	u32 faults = 0, tried = 0;
	bool readback;

	pmu_quiesce();
	readback = msr_set(MSR_CORE_PERF_FIXED_CTR_CTRL, valid) &&
		   msr_get(MSR_CORE_PERF_FIXED_CTR_CTRL) == valid;
	msr_set(MSR_CORE_PERF_FIXED_CTR_CTRL, 0);
	for (u32 bit = 0; bit < 64; bit++) {
		if (fields & (1ull << bit))
			continue;
		tried++;
		faults += write_gps(MSR_CORE_PERF_FIXED_CTR_CTRL, 1ull << bit);
	}
	CHECK(readback && faults == tried && msr_get(MSR_CORE_PERF_FIXED_CTR_CTRL) == 0,
	      "IA32_FIXED_CTR_CTRL: the ring and PMI bits of fields 0x%llx read back; each of the "
	      "%u bits outside the fields of existing counters #GPs (%u do)",
	      (unsigned long long)fields, tried, faults);
	pmu_quiesce();
}

static u32 first_absent_fixed(void)
{
	u32 j = 0;

	while (fixed_exists(j))
		j++;
	return j;
}

/* Every MSR of a counter CPUID 0AH does not declare #GPs, from the first absent one on. */
static void check_absent_counters(void)
{
	u32 last_gp = MAX(pmu.nr_gp, MAX_GP - 1), last_fixed = MAX(first_absent_fixed(), 3);
	u32 faults = 0, tried = 0;

	for (u32 x = pmu.nr_gp; x <= last_gp; x++) {
		u32 msrs[] = { MSR_IA32_PMC0 + x, MSR_P6_EVNTSEL0 + x, MSR_IA32_PMC0_FW + x };

		for (u32 i = 0; i < ARRAY_SIZE(msrs); i++) {
			faults += read_gps(msrs[i]) + write_gps(msrs[i], 0);
			tried += 2;
		}
	}
	for (u32 j = 0; j <= last_fixed; j++) {
		if (fixed_exists(j))
			continue;
		faults += read_gps(MSR_CORE_PERF_FIXED_CTR0 + j) +
			  write_gps(MSR_CORE_PERF_FIXED_CTR0 + j, 0);
		tried += 2;
	}
	CHECK(faults == tried,
	      "reads and writes of IA32_PMCx, IA32_PERFEVTSELx and IA32_A_PMCx for x = %u..%u and "
	      "of the absent fixed counters up to %u #GP (%u of %u)",
	      pmu.nr_gp, last_gp, last_fixed, faults, tried);
}

static void check_status_read_only(void)
{
	u32 faults = 0;

	pmu_quiesce();
	faults += write_gps(MSR_CORE_PERF_GLOBAL_STATUS, 0);
	faults += write_gps(MSR_CORE_PERF_GLOBAL_STATUS, 1);
	faults += write_gps(MSR_CORE_PERF_GLOBAL_STATUS, 1ull << GLOBAL_FIXED_SHIFT);
	CHECK(faults == 3 && msr_get(MSR_CORE_PERF_GLOBAL_STATUS) == 0,
	      "IA32_PERF_GLOBAL_STATUS is read-only: writes of 0, bit 0 and bit 32 #GP (%u of 3) "
	      "and it stays 0",
	      faults);
}

static void check_perf_capabilities_read_only(void)
{
	u32 faults;

	if (!pmu.pdcm)
		return;
	faults = write_gps(MSR_IA32_PERF_CAPABILITIES, pmu.perf_caps) +
		 write_gps(MSR_IA32_PERF_CAPABILITIES, 0);
	CHECK(faults == 2 && msr_get(MSR_IA32_PERF_CAPABILITIES) == pmu.perf_caps,
	      "IA32_PERF_CAPABILITIES is read-only: writes of its value and of 0 #GP (%u of 2)",
	      faults);
}

void check_msrs(void)
{
	check_legacy_writes();
	check_full_width_writes();
	check_fixed_writes();
	check_evtsel_reserved();
	check_reserved_bits("IA32_PERF_GLOBAL_CTRL", MSR_CORE_PERF_GLOBAL_CTRL,
			    gp_global_bits() | fixed_global_bits());
	check_fixed_ctrl_reserved();
	check_absent_counters();
	check_status_read_only();
	check_perf_capabilities_read_only();
	pmu_quiesce();
}
