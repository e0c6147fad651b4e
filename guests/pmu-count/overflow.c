/*
 * Wrap-around and IA32_PERF_GLOBAL_STATUS: a counter preset to 2^width - k
 * overflows on the k-th instruction it counts, wraps to 0, counts on and
 * sets its status bit (bit x for GP counter x, 32 + j for fixed counter j);
 * preset one count further from the top, it ends at 2^width - 1 with no
 * bit set. GLOBAL_STATUS_RESET (0x390) clears the bits written to it and
 * GLOBAL_STATUS_SET (0x391, PerfMon v4+) sets them; both read 0. No PMI
 * here: every INT bit is clear and the LVTPC entry masked.
 */
#include "guests/pmu-count/pmu-count.h"

/* Where in the window the i-th counter overflows: on its first instruction, ..., its last. */
static u32 overflow_at(u32 i)
{
	static const u32 k[] = { 1, 2, 3, 7, 42, 100 };
	u32 insns = WINDOW_RING0_INSNS(loops);

	return i < ARRAY_SIZE(k) ? MIN(k[i], insns) : insns - (i - ARRAY_SIZE(k));
}

static void check_wrap(struct counter c, u32 k)
{
	u64 insns = WINDOW_RING0_INSNS(loops), top = width_mask(counter_width(c));
	u64 bit = counter_global_bit(c), short_value, short_status, wrapped, status;

	pmu_quiesce();
	counter_count_all(c, false);
	counter_preset(c, top - insns);
	window_ring0(MSR_CORE_PERF_GLOBAL_CTRL, bit);
	short_value = counter_read(c);
	short_status = msr_get(MSR_CORE_PERF_GLOBAL_STATUS);
	counter_preset(c, top + 1 - k);
	window_ring0(MSR_CORE_PERF_GLOBAL_CTRL, bit);
	wrapped = counter_read(c);
	status = msr_get(MSR_CORE_PERF_GLOBAL_STATUS);
	CHECK(short_value == top && short_status == 0 && wrapped == insns - k && status == bit,
	      "%s preset to 2^%u-%llu: the window's %llu instructions leave 0x%llx, GLOBAL_STATUS "
	      "0x%llx (want 0x%llx, 0); preset to 2^%u-%u: it wraps to %llu, GLOBAL_STATUS 0x%llx "
	      "(want %llu, 0x%llx)",
	      counter_name(c), counter_width(c), (unsigned long long)(insns + 1),
	      (unsigned long long)insns, (unsigned long long)short_value,
	      (unsigned long long)short_status, (unsigned long long)top, counter_width(c), k,
	      (unsigned long long)wrapped, (unsigned long long)status,
	      (unsigned long long)(insns - k), (unsigned long long)bit);
}

/* Every counter that counts overflows in one window, each at its own instruction. */
static u64 overflow_all(void)
{
	u64 bits = 0;

	pmu_quiesce();
	for (u32 x = 0; x < pmu.nr_gp; x++) {
		counter_count_all(gp_counter(x), false);
		counter_preset(gp_counter(x), width_mask(pmu.gp_width) - x);
		bits |= counter_global_bit(gp_counter(x));
	}
	for (u32 j = 0; j < MAX_FIXED; j++)
		if (fixed_counts(j)) {
			counter_count_all(fixed_counter(j), false);
			counter_preset(fixed_counter(j), width_mask(pmu.fixed_width) - j);
			bits |= counter_global_bit(fixed_counter(j));
		}
	window_ring0(MSR_CORE_PERF_GLOBAL_CTRL, bits);
	return bits;
}

static void check_status_reset(void)
{
	u64 bits = overflow_all(), first = bits & -bits, status, after_first, after_all, reads;

	status = msr_get(MSR_CORE_PERF_GLOBAL_STATUS);
	msr_set(MSR_CORE_PERF_GLOBAL_OVF_CTRL, first);
	after_first = msr_get(MSR_CORE_PERF_GLOBAL_STATUS);
	msr_set(MSR_CORE_PERF_GLOBAL_OVF_CTRL, bits & ~first);
	after_all = msr_get(MSR_CORE_PERF_GLOBAL_STATUS);
	reads = msr_get(MSR_CORE_PERF_GLOBAL_OVF_CTRL);
	CHECK(status == bits && after_first == (bits & ~first) && after_all == 0 && reads == 0,
	      "every counting counter overflowing sets GLOBAL_STATUS 0x%llx (want 0x%llx); "
	      "GLOBAL_STATUS_RESET of bit 0 leaves 0x%llx, of the rest 0x%llx, and reads 0x%llx "
	      "(want 0x%llx, 0, 0)",
	      (unsigned long long)status, (unsigned long long)bits, (unsigned long long)after_first,
	      (unsigned long long)after_all, (unsigned long long)reads,
	      (unsigned long long)(bits & ~first));
}

static void check_status_set(void)
{
	u64 valid = global_status_valid_bits(), status, reads, after;
	bool written;

	if (pmu.version < 4) {
		guest_printf("# PerfMon v%u: no IA32_PERF_GLOBAL_STATUS_SET\n", pmu.version);
		return;
	}
	pmu_quiesce();
	written = msr_set(MSR_CORE_PERF_GLOBAL_STATUS_SET, valid);
	status = msr_get(MSR_CORE_PERF_GLOBAL_STATUS);
	reads = msr_get(MSR_CORE_PERF_GLOBAL_STATUS_SET);
	msr_set(MSR_CORE_PERF_GLOBAL_OVF_CTRL, valid);
	after = msr_get(MSR_CORE_PERF_GLOBAL_STATUS);
	CHECK(written && status == valid && reads == 0 && after == 0,
	      "GLOBAL_STATUS_SET of every counter bit, 62 and 63 sets GLOBAL_STATUS 0x%llx (want "
	      "0x%llx) and reads 0x%llx; GLOBAL_STATUS_RESET of them all leaves 0x%llx",
	      (unsigned long long)status, (unsigned long long)valid, (unsigned long long)reads,
	      (unsigned long long)after);
}

/* The status bits of the first absent GP and fixed counters are reserved in RESET and SET. */
static void check_status_reserved(void)
{
	u64 absent = 0;
	u32 faults = 0, tried = 0, j = 0;

	while (fixed_exists(j))
		j++;
	if (pmu.nr_gp < GLOBAL_FIXED_SHIFT)
		absent |= 1ull << pmu.nr_gp;
	if (GLOBAL_FIXED_SHIFT + j < GLOBAL_STATUS_BUFFER_OVF_BIT) /* a counter's bit, not 62 */
		absent |= 1ull << (GLOBAL_FIXED_SHIFT + j);
	for (u32 bit = 0; bit < 64; bit++) {
		if (!(absent & (1ull << bit)))
			continue;
		faults += write_gps(MSR_CORE_PERF_GLOBAL_OVF_CTRL, 1ull << bit);
		tried++;
		if (pmu.version >= 4) {
			faults += write_gps(MSR_CORE_PERF_GLOBAL_STATUS_SET, 1ull << bit);
			tried++;
		}
	}
	CHECK(faults == tried,
	      "GLOBAL_STATUS_RESET%s: the bits of absent counters (0x%llx) #GP (%u of %u)",
	      pmu.version >= 4 ? " and _SET" : "", (unsigned long long)absent, faults, tried);
}

void check_overflow(void)
{
	u32 i = 0;

	for (u32 x = 0; x < pmu.nr_gp; x++)
		check_wrap(gp_counter(x), overflow_at(i++));
	for (u32 j = 0; j < MAX_FIXED; j++)
		if (fixed_counts(j))
			check_wrap(fixed_counter(j), overflow_at(i++));
	check_status_reset();
	check_status_set();
	check_status_reserved();
	pmu_quiesce();
}
