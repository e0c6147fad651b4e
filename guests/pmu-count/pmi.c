/*
 * The PMI (docs/bochs-pmu.md, "Overflow and the PMI"; SDM Vol. 3A, "Local
 * Vector Table"): a counter with its INT bit (EVTSEL bit 20, bit 3 of a
 * FIXED_CTR_CTRL field) that overflows raises the local APIC's LVT
 * performance-counter entry at the boundary after the overflowing
 * instruction, with no skid: the entry's mask bit is set and the interrupt
 * delivered in its mode, fixed (its vector) or NMI. A masked entry, or a
 * clear INT bit, delivers nothing; the status bit is set all the same.
 *
 * Each case presets one counter to overflow on the k-th instruction of a
 * ring-0 window and runs it with EFLAGS.IF = 1. The handlers (window.S)
 * record the interrupted EIP and EBX, the window's loop counter, which
 * say exactly after which instruction the interrupt came, and the counter,
 * which has wrapped to 0 and counted the handler's first instructions.
 */
#include "guests/pmu-count/pmu-count.h"

enum pmi_kind { PMI_FIXED, PMI_NMI, PMI_MASKED, PMI_NMI_MASKED, PMI_NO_INT };

struct pmi_case {
	struct counter c;
	u32 k; /* the counter overflows on the window's k-th counted instruction */
	enum pmi_kind kind;
};

struct boundary {
	u32 eip, ebx;
};

static volatile u32 *apic(u32 reg)
{
	return (volatile u32 *)(uintptr_t)(APIC_DEFAULT_PHYS_BASE + reg);
}

static void apic_init(void)
{
	*apic(APIC_SPIV) = APIC_SPIV_APIC_ENABLED | PC_VECTOR_SPURIOUS;
	*apic(APIC_TASKPRI) = 0;
	*apic(APIC_LVTPC) = APIC_LVT_MASKED | PC_VECTOR_PMI;
}

static u32 addr(const char *label)
{
	return (u32)(uintptr_t)label;
}

/*
 * Where a ring-0 window of n iterations stands after its k-th counted
 * instruction (window.S): 1 is the WRMSR, then iteration t's DEC (2 + 2t)
 * and JNZ (3 + 2t), then the two XORs before the stopping WRMSR.
 */
static struct boundary window_boundary(u32 k)
{
	u32 n = loops, i, left;

	if (k == 1)
		return (struct boundary){ addr(pc_window_loop), n };
	i = k - 2;
	if (i < 2 * n) {
		left = n - i / 2 - 1; /* EBX after iteration i / 2's DEC */
		if (i % 2 == 0)
			return (struct boundary){ addr(pc_window_jnz), left };
		return (struct boundary){ left ? addr(pc_window_loop) : addr(pc_window_tail),
					  left };
	}
	if (i == 2 * n)
		return (struct boundary){ addr(pc_window_tail_edx), 0 };
	return (struct boundary){ addr(pc_window_stop), 0 };
}

static u32 lvtpc_for(enum pmi_kind kind)
{
	switch (kind) {
	case PMI_NMI:
		return APIC_DM_NMI;
	case PMI_MASKED:
		return APIC_LVT_MASKED | APIC_DM_FIXED | PC_VECTOR_PMI;
	case PMI_NMI_MASKED:
		return APIC_LVT_MASKED | APIC_DM_NMI;
	default:
		return APIC_DM_FIXED | PC_VECTOR_PMI;
	}
}

static const char *kind_name(enum pmi_kind kind)
{
	static const char *const names[] = { "fixed delivery", "NMI delivery", "LVTPC masked",
					     "LVTPC masked in NMI mode", "INT bit clear" };

	return names[kind];
}

static void reset_records(u32 rdpmc_index)
{
	pc_pmi_count = pc_nmi_count = pc_spurious_count = 0;
	pc_pmi_eip = pc_pmi_ebx = 0;
	pc_pmi_counter = 0;
	pc_pmi_rdpmc_index = rdpmc_index;
}

/* A window with interrupts enabled: the PMI comes inside it or not at all. */
static void window_with_interrupts(u64 global_ctrl)
{
	asm volatile("sti" ::: "memory");
	window_ring0(MSR_CORE_PERF_GLOBAL_CTRL, global_ctrl);
	asm volatile("cli" ::: "memory");
}

static void run_case(const struct pmi_case *pc)
{
	struct counter c = pc->c;
	u64 insns = WINDOW_RING0_INSNS(loops), bit = counter_global_bit(c);
	u64 top = width_mask(counter_width(c)), after, status, want_after = insns - pc->k;
	u32 lvtpc = lvtpc_for(pc->kind), lvt_after;
	bool nmi = pc->kind == PMI_NMI, delivers = pc->kind == PMI_FIXED || nmi;
	struct boundary want = window_boundary(pc->k);
	u32 want_pmis = pc->kind == PMI_FIXED, want_nmis = nmi;

	pmu_quiesce();
	reset_records(counter_rdpmc_index(c));
	counter_count_all(c, pc->kind != PMI_NO_INT);
	counter_preset(c, top + 1 - pc->k);
	*apic(APIC_LVTPC) = lvtpc;
	window_with_interrupts(bit);
	lvt_after = *apic(APIC_LVTPC);
	after = counter_read(c);
	status = msr_get(MSR_CORE_PERF_GLOBAL_STATUS);
	*apic(APIC_LVTPC) = APIC_LVT_MASKED | PC_VECTOR_PMI;
	pmu_quiesce();

	if (!delivers) {
		CHECK(pc_pmi_count == 0 && pc_nmi_count == 0 && pc_spurious_count == 0 &&
			      after == want_after && status == bit && lvt_after == lvtpc,
		      "%s, %s, overflow on instruction %u of %llu: %u PMIs, %u NMIs (want none); "
		      "counter %llu (want %llu), GLOBAL_STATUS 0x%llx (want 0x%llx), LVTPC 0x%x "
		      "(want 0x%x)",
		      counter_name(c), kind_name(pc->kind), pc->k, (unsigned long long)insns,
		      pc_pmi_count, pc_nmi_count, (unsigned long long)after,
		      (unsigned long long)want_after, (unsigned long long)status,
		      (unsigned long long)bit, lvt_after, lvtpc);
		return;
	}
	want_after += nmi ? NMI_HANDLER_INSNS : PMI_HANDLER_INSNS;
	/*
	 * Under a hypervisor the NMI is a VM exit (NMI exiting) that injects
	 * it: nothing of ours failed to retire, and the VM-entry instruction
	 * retires in the guest with its counters enabled, one count more
	 * (docs/bochs-pmu.md). A fixed-vector PMI goes to the guest directly.
	 */
	u32 entry = nmi && pmu.hypervisor ? 1 : 0;
	want_after += entry;
	CHECK(pc_pmi_count == want_pmis && pc_nmi_count == want_nmis && pc_spurious_count == 0 &&
		      pc_pmi_eip == want.eip && pc_pmi_ebx == want.ebx &&
		      pc_pmi_counter == PMI_HANDLER_INSNS_BEFORE_RDPMC + entry &&
		      after == want_after && (lvt_after & APIC_LVT_MASKED) &&
		      (lvt_after & ~APIC_LVT_MASKED) == lvtpc && status == bit,
	      "%s, %s, overflow on instruction %u of %llu: %u PMIs, %u NMIs (want %u, %u) at EIP "
	      "0x%x EBX %u (want 0x%x %u); the handler read %llu (want %u), %llu after the window "
	      "(want %llu); LVTPC 0x%x (want masked 0x%x), GLOBAL_STATUS 0x%llx (want 0x%llx)",
	      counter_name(c), kind_name(pc->kind), pc->k, (unsigned long long)insns, pc_pmi_count,
	      pc_nmi_count, want_pmis, want_nmis, pc_pmi_eip, pc_pmi_ebx, want.eip, want.ebx,
	      (unsigned long long)pc_pmi_counter, PMI_HANDLER_INSNS_BEFORE_RDPMC + entry,
	      (unsigned long long)after, (unsigned long long)want_after, lvt_after,
	      lvtpc | APIC_LVT_MASKED, (unsigned long long)status, (unsigned long long)bit);
}

/* Where the i-th case overflows: the first instructions, a DEC, a JNZ, the last two. */
static u32 pmi_at(u32 i)
{
	u32 insns = WINDOW_RING0_INSNS(loops);
	u32 k[] = { 1, 2, 3, 42, 57, insns, insns - 1, 64 };

	return k[i % ARRAY_SIZE(k)];
}

/* GLOBAL_STATUS_SET sets a status bit with no overflow: no PMI (docs/bochs-pmu.md). */
static void check_status_set_no_pmi(void)
{
	struct counter gp0 = gp_counter(0);
	u64 status;

	if (pmu.version < 4)
		return;
	pmu_quiesce();
	reset_records(counter_rdpmc_index(gp0));
	counter_count_all(gp0, true);
	*apic(APIC_LVTPC) = APIC_DM_FIXED | PC_VECTOR_PMI;
	asm volatile("sti" ::: "memory");
	msr_set(MSR_CORE_PERF_GLOBAL_STATUS_SET, counter_global_bit(gp0));
	asm volatile("nop; nop; cli" ::: "memory");
	status = msr_get(MSR_CORE_PERF_GLOBAL_STATUS);
	*apic(APIC_LVTPC) = APIC_LVT_MASKED | PC_VECTOR_PMI;
	pmu_quiesce();
	CHECK(pc_pmi_count == 0 && pc_nmi_count == 0 && status == 1,
	      "GLOBAL_STATUS_SET of bit 0, GP counter 0's INT bit set and LVTPC unmasked: "
	      "GLOBAL_STATUS 0x%llx, %u PMIs (want 0x1, none)",
	      (unsigned long long)status, pc_pmi_count);
}

/*
 * An overflow on the count of the exit window's first CPUID, its 4th
 * counted instruction (window.S). Natively that is the CPUID; under a
 * hypervisor the CPUID exits and does not retire, and the VM entry that
 * resumes the guest counts in its place: the counter overflows as the
 * hypervisor finishes the exit, and the PMI must reach the guest at the
 * same boundary, before the DEC that follows the CPUID.
 */
static void check_pmi_on_exit(enum pmi_kind kind)
{
	const u32 k = 4;
	struct counter c = gp_counter(0);
	u64 bit = counter_global_bit(c), after;
	bool nmi = kind == PMI_NMI;
	u32 entry = nmi && pmu.hypervisor ? 1 : 0; /* the NMI's own exit, as in run_case */
	u64 want_after = EXIT_WINDOW_INSNS(loops) - k + entry +
			 (nmi ? NMI_HANDLER_INSNS : PMI_HANDLER_INSNS);

	pmu_quiesce();
	reset_records(counter_rdpmc_index(c));
	counter_count_all(c, true);
	counter_preset(c, width_mask(counter_width(c)) + 1 - k);
	*apic(APIC_LVTPC) = lvtpc_for(kind);
	asm volatile("sti" ::: "memory");
	pc_exit_window(MSR_CORE_PERF_GLOBAL_CTRL, (u32)bit, (u32)(bit >> 32), loops);
	asm volatile("cli" ::: "memory");
	after = counter_read(c);
	*apic(APIC_LVTPC) = APIC_LVT_MASKED | PC_VECTOR_PMI;
	pmu_quiesce();
	CHECK(pc_pmi_count == !nmi && pc_nmi_count == nmi && pc_spurious_count == 0 &&
		      pc_pmi_eip == addr(pc_exit_window_dec) &&
		      pc_pmi_counter == PMI_HANDLER_INSNS_BEFORE_RDPMC + entry &&
		      after == want_after,
	      "%s, overflow on the count of the exit window's first CPUID: %u PMIs, %u NMIs "
	      "(want %u, %u) at EIP 0x%x (want 0x%x, the DEC after it); the handler read %llu "
	      "(want %u), %llu after the window (want %llu)",
	      kind_name(kind), pc_pmi_count, pc_nmi_count, !nmi, nmi, pc_pmi_eip,
	      addr(pc_exit_window_dec), (unsigned long long)pc_pmi_counter,
	      PMI_HANDLER_INSNS_BEFORE_RDPMC + entry, (unsigned long long)after,
	      (unsigned long long)want_after);
}

void check_pmi(void)
{
	u32 i = 0;

	apic_init();
	for (u32 x = 0; x < pmu.nr_gp; x++)
		run_case(&(struct pmi_case){ gp_counter(x), pmi_at(i++), PMI_FIXED });
	for (u32 j = 0; j < MAX_FIXED; j++)
		if (fixed_counts(j))
			run_case(&(struct pmi_case){ fixed_counter(j), pmi_at(i++), PMI_FIXED });
	run_case(&(struct pmi_case){ gp_counter(0), 42, PMI_NMI });
	run_case(&(struct pmi_case){ fixed_counter(0), 1, PMI_NMI });
	run_case(&(struct pmi_case){ gp_counter(0), 42, PMI_MASKED });
	run_case(&(struct pmi_case){ fixed_counter(0), 42, PMI_MASKED });
	run_case(&(struct pmi_case){ gp_counter(0), 42, PMI_NMI_MASKED });
	run_case(&(struct pmi_case){ gp_counter(0), 42, PMI_NO_INT });
	check_pmi_on_exit(PMI_FIXED);
	check_pmi_on_exit(PMI_NMI);
	run_case(&(struct pmi_case){ fixed_counter(0), 42, PMI_NO_INT });
	check_status_set_no_pmi();
}
