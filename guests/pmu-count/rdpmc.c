/*
 * RDPMC (SDM Vol. 2B, "RDPMC"; docs/bochs-pmu.md, "RDPMC"): ECX = x reads
 * GP counter x, ECX = (1 << 30) | j fixed counter j, the whole counter in
 * EDX:EAX, the same value RDMSR reads. An absent counter or any other ECX
 * bit #GPs, and so does RDPMC at CPL 3 while CR4.PCE is 0.
 */
#include "guests/pmu-count/pmu-count.h"

#define X86_CR4_PCE (1u << 8)
#define RDPMC_ECX_BIT31 (1u << 31)

/*
 * Every counter counts one window from its own preset, then all are
 * stopped. The presets lie below the top by less than 2^31 (a legacy write
 * reaches them) and by more than a window, so they have bits set above bit
 * 31 and do not overflow.
 */
static void count_from_presets(void)
{
	u64 bits = gp_global_bits() | fixed_global_bits();

	pmu_quiesce();
	for (u32 x = 0; x < pmu.nr_gp; x++) {
		counter_count_all(gp_counter(x), false);
		counter_preset(gp_counter(x), width_mask(pmu.gp_width) - 0x789abcdu - 0x11111u * x);
	}
	for (u32 j = 0; j < MAX_FIXED; j++)
		if (fixed_exists(j)) {
			counter_count_all(fixed_counter(j), false);
			counter_preset(fixed_counter(j),
				       width_mask(pmu.fixed_width) - 0x6543210u - 0x22222u * j);
		}
	window_ring0(MSR_CORE_PERF_GLOBAL_CTRL, bits);
}

/* RDPMC and RDMSR of one counter agree; a preset above 2^32 shows EDX is filled in. */
static bool rdpmc_matches(struct counter c)
{
	u64 by_rdpmc, by_rdmsr = counter_read(c);
	bool ok = rdpmc_safe(counter_rdpmc_index(c), &by_rdpmc);

	if (ok && by_rdpmc == by_rdmsr && by_rdmsr >> 32)
		return true;
	guest_printf("# %s: RDPMC(0x%x) %s 0x%llx, RDMSR 0x%llx\n", counter_name(c),
		     counter_rdpmc_index(c), ok ? "reads" : "faults,", (unsigned long long)by_rdpmc,
		     (unsigned long long)by_rdmsr);
	return false;
}

static void check_rdpmc_equals_rdmsr(void)
{
	u32 good = 0, good_fixed = 0, fixed = 0;

	count_from_presets();
	for (u32 x = 0; x < pmu.nr_gp; x++)
		good += rdpmc_matches(gp_counter(x));
	CHECK(good == pmu.nr_gp,
	      "RDPMC(x) reads what RDMSR reads of IA32_PMCx, all 64 bits, for x = 0..%u (%u of %u)",
	      pmu.nr_gp - 1, good, pmu.nr_gp);
	for (u32 j = 0; j < MAX_FIXED; j++)
		if (fixed_exists(j)) {
			good_fixed += rdpmc_matches(fixed_counter(j));
			fixed++;
		}
	CHECK(good_fixed == fixed,
	      "RDPMC((1 << 30) | j) reads what RDMSR reads of IA32_FIXED_CTRj, all 64 bits, for "
	      "the fixed counters 0x%x (%u of %u)",
	      pmu.fixed_mask, good_fixed, fixed);
	pmu_quiesce();
}

/*
 * Two reads of a running counter with INSN (rdpmc or rdmsr, of ECX) and two
 * MOVs between them: the first read, which counts once it has read, and the
 * MOVs make 3. The difference, or 0 if a read faulted.
 */
#define RUNNING_DELTA(insn, ecx)                                                                 \
	({                                                                                       \
		u32 lo1 = 0, hi1 = 0, lo2 = 0, hi2 = 0, ok = 0;                                  \
		asm volatile(                                                                    \
			"1: " insn "\n\t"                                                        \
			"mov %%eax, %[lo1]\n\t"                                                  \
			"mov %%edx, %[hi1]\n\t"                                                  \
			"2: " insn "\n\t"                                                        \
			"movl $1, %[ok]\n"                                                       \
			"3:\n\t" GUEST_EXTABLE_ENTRY("1b", "3b") GUEST_EXTABLE_ENTRY("2b", "3b") \
			: [ok] "+m"(ok), [lo1] "=m"(lo1), [hi1] "=m"(hi1), "+a"(lo2), "+d"(hi2)  \
			: "c"(ecx)                                                               \
			: "memory");                                                             \
		ok ? edx_eax(hi2, lo2) - edx_eax(hi1, lo1) : 0;                                  \
	})

static u64 rdpmc_running_delta(u32 index)
{
	return RUNNING_DELTA("rdpmc", index);
}

static u64 rdmsr_running_delta(u32 msr)
{
	return RUNNING_DELTA("rdmsr", msr);
}

/* WRMSR of a running counter, then RDMSR: the WRMSR counts after its own effect. */
static u64 wrmsr_running_then_read(u32 msr, u64 value)
{
	u32 lo = (u32)value, hi = (u32)(value >> 32), ok = 0;

	asm volatile("1: wrmsr\n\t"
		     "2: rdmsr\n\t"
		     "movl $1, %[ok]\n"
		     "3:\n\t" GUEST_EXTABLE_ENTRY("1b", "3b") GUEST_EXTABLE_ENTRY("2b", "3b")
		     : [ok] "+m"(ok), "+a"(lo), "+d"(hi)
		     : "c"(msr)
		     : "memory");
	return ok ? edx_eax(hi, lo) : MSR_FAULTED;
}

static void check_running_write(void)
{
	struct counter gp0 = gp_counter(0), fx0 = fixed_counter(0);
	u64 gp_value = 0x12345678, fx_value = 0x876543210ull, gp_read, fx_read;

	pmu_quiesce();
	counter_count_all(gp0, false);
	counter_count_all(fx0, false);
	msr_set(MSR_CORE_PERF_GLOBAL_CTRL, counter_global_bit(gp0) | counter_global_bit(fx0));
	gp_read = wrmsr_running_then_read(MSR_IA32_PMC0, gp_value);
	fx_read = wrmsr_running_then_read(MSR_CORE_PERF_FIXED_CTR0, fx_value);
	pmu_quiesce();
	CHECK(gp_read == gp_value + 1 && fx_read == fx_value + 1,
	      "a WRMSR to running GP counter 0 and fixed counter 0 counts after its effect: the "
	      "RDMSR right after reads 0x%llx and 0x%llx (want 0x%llx, 0x%llx)",
	      (unsigned long long)gp_read, (unsigned long long)fx_read,
	      (unsigned long long)(gp_value + 1), (unsigned long long)(fx_value + 1));
}

static void check_running_reads(void)
{
	struct counter gp0 = gp_counter(0), fx0 = fixed_counter(0);
	u64 d[4];

	pmu_quiesce();
	counter_count_all(gp0, false);
	counter_count_all(fx0, false);
	msr_set(MSR_CORE_PERF_GLOBAL_CTRL, counter_global_bit(gp0) | counter_global_bit(fx0));
	d[0] = rdpmc_running_delta(counter_rdpmc_index(gp0));
	d[1] = rdpmc_running_delta(counter_rdpmc_index(fx0));
	d[2] = rdmsr_running_delta(MSR_IA32_PMC0);
	d[3] = rdmsr_running_delta(MSR_CORE_PERF_FIXED_CTR0);
	pmu_quiesce();
	CHECK(d[0] == 3 && d[1] == 3 && d[2] == 3 && d[3] == 3,
	      "running GP counter 0 and fixed counter 0 count the read itself: two RDPMCs two MOVs "
	      "apart differ by %llu and %llu, two RDMSRs by %llu and %llu (want 3)",
	      (unsigned long long)d[0], (unsigned long long)d[1], (unsigned long long)d[2],
	      (unsigned long long)d[3]);
}

static bool rdpmc_gps(u32 index)
{
	u64 v;

	guest_fault_vector = 0;
	return !rdpmc_safe(index, &v) && guest_fault_vector == VECTOR_GP;
}

static void check_rdpmc_faults(void)
{
	u32 absent_fixed = 0, bad_bits = 0;

	while (fixed_exists(absent_fixed))
		absent_fixed++;
	CHECK(rdpmc_gps(pmu.nr_gp) && rdpmc_gps(RDPMC_FIXED | absent_fixed),
	      "RDPMC of absent counters #GPs: ECX = %u (GP) and 0x%x (fixed counter %u)", pmu.nr_gp,
	      RDPMC_FIXED | absent_fixed, absent_fixed);
	bad_bits += rdpmc_gps(RDPMC_ECX_BIT31);
	bad_bits += rdpmc_gps(RDPMC_ECX_BIT31 | RDPMC_FIXED);
	bad_bits += rdpmc_gps(1u << 29);
	CHECK(bad_bits == 3,
	      "RDPMC with ECX bit 31, bits 31 and 30, or bit 29 set (counter 0 otherwise) #GPs (%u "
	      "of 3)",
	      bad_bits);
}

/* RDPMC at CPL 3: pc_user_rdpmc goes there and back. */
static bool user_rdpmc(u32 index, u64 *value)
{
	guest_fault_vector = 0;
	pc_user_rdpmc(index);
	*value = pc_user_value;
	return pc_user_ok;
}

static void check_rdpmc_cpl3(void)
{
	struct counter gp0 = gp_counter(0), fx0 = fixed_counter(0);
	u32 cr4 = read_cr4();
	u64 gp_value, fx_value;
	bool gp_ok, fx_ok;

	count_from_presets();
	write_cr4(cr4 & ~X86_CR4_PCE);
	gp_ok = user_rdpmc(counter_rdpmc_index(gp0), &gp_value);
	CHECK(!gp_ok && guest_fault_vector == VECTOR_GP,
	      "RDPMC of GP counter 0 at CPL 3 with CR4.PCE = 0 #GPs (vector %u)",
	      guest_fault_vector);
	fx_ok = user_rdpmc(counter_rdpmc_index(fx0), &fx_value);
	CHECK(!fx_ok && guest_fault_vector == VECTOR_GP,
	      "RDPMC of fixed counter 0 at CPL 3 with CR4.PCE = 0 #GPs (vector %u)",
	      guest_fault_vector);
	write_cr4(cr4 | X86_CR4_PCE);
	gp_ok = user_rdpmc(counter_rdpmc_index(gp0), &gp_value);
	fx_ok = user_rdpmc(counter_rdpmc_index(fx0), &fx_value);
	write_cr4(cr4);
	CHECK(gp_ok && fx_ok && gp_value == counter_read(gp0) && fx_value == counter_read(fx0),
	      "with CR4.PCE = 1, RDPMC at CPL 3 reads GP counter 0 and fixed counter 0: 0x%llx "
	      "and 0x%llx (RDMSR: 0x%llx and 0x%llx)",
	      (unsigned long long)gp_value, (unsigned long long)fx_value,
	      (unsigned long long)counter_read(gp0), (unsigned long long)counter_read(fx0));
	pmu_quiesce();
}

void check_rdpmc(void)
{
	check_rdpmc_equals_rdmsr();
	check_running_reads();
	check_running_write();
	check_rdpmc_faults();
	check_rdpmc_cpl3();
}
