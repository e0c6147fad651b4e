/*
 * Exact counts: each counter, with each event it knows, counts exactly what
 * a window of window.S retires, split by the CPL after each instruction,
 * and nothing while any of its enables (GLOBAL_CTRL, EVTSEL.EN, its
 * FIXED_CTR_CTRL field) is off. Where one counter is under test it is the
 * only one enabled in GLOBAL_CTRL; the others, programmed alike, must not
 * move. Then windows of other instructions: a REP STOSB, a faulting UD2
 * and one branch of each kind.
 */
#include "guests/pmu-count/pmu-count.h"

enum counts { INSNS, BRANCHES, NOTHING };

struct event {
	u8 code, umask;
	enum counts counts;
	const char *name;
};

/* The architectural events the Bochs PMU counts (docs/bochs-pmu.md, "What counts"). */
static const struct event gp_events[] = {
	{ 0xc0, 0x00, INSNS, "instructions retired (0xC0)" },
	{ 0x3c, 0x00, INSNS, "core cycles (0x3C)" },
	{ 0xc4, 0x00, BRANCHES, "branches retired (0xC4)" },
};
static const struct event ref_cycles = { 0x3c, 0x01, INSNS, "reference cycles (0x3C/0x01)" };
static const struct event llc_references = { 0x2e, 0x4f, NOTHING, "LLC references (0x2E/0x4F)" };

static const char *const fixed_events[MAX_FIXED] = { "INST_RETIRED.ANY", "CPU_CLK_UNHALTED.CORE",
						     "CPU_CLK_UNHALTED.REF_TSC", "TOPDOWN.SLOTS" };

/* What one window retires: [0] at CPL 0, [1] at CPL 3. */
struct window_counts {
	u64 insns[2], branches[2];
};

static struct window_counts ring0_window(void)
{
	return (struct window_counts){ { WINDOW_RING0_INSNS(loops), 0 },
				       { WINDOW_RING0_BRANCHES(loops), 0 } };
}

static struct window_counts ring3_window(void)
{
	return (struct window_counts){ { WINDOW_RING3_INSNS_OS, WINDOW_RING3_INSNS_USR(loops) },
				       { WINDOW_RING3_BRANCHES_OS,
					 WINDOW_RING3_BRANCHES_USR(loops) } };
}

static u64 expected(const struct window_counts *w, enum counts what, bool os, bool usr)
{
	const u64 *v = what == INSNS ? w->insns : w->branches;

	if (what == NOTHING)
		return 0;
	return (os ? v[0] : 0) + (usr ? v[1] : 0);
}

static u64 evtsel(const struct event *e, bool os, bool usr)
{
	return ARCH_PERFMON_EVENTSEL_ENABLE | (os ? ARCH_PERFMON_EVENTSEL_OS : 0) |
	       (usr ? ARCH_PERFMON_EVENTSEL_USR : 0) | (u64)e->umask << 8 | e->code;
}

/* FIXED_CTR_CTRL with the same ring bits in the field of every fixed counter there is. */
static u64 fixed_ctrl_all(bool os, bool usr)
{
	u64 ctrl = 0;

	for (u32 j = 0; j < 16; j++)
		if (fixed_exists(j))
			ctrl |= (u64)((os ? FIXED_CTR_CTRL_OS : 0) | (usr ? FIXED_CTR_CTRL_USR : 0))
				<< (FIXED_CTR_CTRL_BITS * j);
	return ctrl;
}

/* How many GP counters other than `skip` do not read 0. */
static u32 other_gp_nonzero(u32 skip)
{
	u32 n = 0;

	for (u32 y = 0; y < pmu.nr_gp; y++)
		n += y != skip && counter_read(gp_counter(y)) != 0;
	return n;
}

static void check_gp_event(u32 x, const struct event *e)
{
	struct window_counts w = ring0_window();
	u64 want = expected(&w, e->counts, true, true), got;
	u32 others;

	pmu_quiesce();
	for (u32 y = 0; y < pmu.nr_gp; y++)
		msr_set(MSR_P6_EVNTSEL0 + y, evtsel(e, true, true));
	window_ring0(MSR_CORE_PERF_GLOBAL_CTRL, counter_global_bit(gp_counter(x)));
	got = counter_read(gp_counter(x));
	others = other_gp_nonzero(x);
	CHECK(got == want && others == 0,
	      "GP counter %u, %s: %llu in the ring-0 window (want %llu); the other GP counters, "
	      "off in GLOBAL_CTRL, stay 0 (%u do not)",
	      x, e->name, (unsigned long long)got, (unsigned long long)want, others);
}

/* Fixed counter j alone in GLOBAL_CTRL, every field enabled; each starts at a distinct value. */
static void check_fixed(u32 j)
{
	struct window_counts w = ring0_window();
	u64 base[MAX_FIXED], got[MAX_FIXED] = { 0 }, want;
	u32 others = 0;

	pmu_quiesce();
	for (u32 i = 0; i < MAX_FIXED; i++) {
		base[i] = 0x10000u * (i + 1);
		if (fixed_exists(i))
			counter_preset(fixed_counter(i), base[i]);
	}
	msr_set(MSR_CORE_PERF_FIXED_CTR_CTRL, fixed_ctrl_all(true, true));
	window_ring0(MSR_CORE_PERF_GLOBAL_CTRL, counter_global_bit(fixed_counter(j)));
	for (u32 i = 0; i < MAX_FIXED; i++)
		if (fixed_exists(i)) {
			got[i] = counter_read(fixed_counter(i));
			others += i != j && got[i] != base[i];
		}
	want = base[j] + (fixed_counts(j) ? expected(&w, INSNS, true, true) : 0);
	CHECK(got[j] == want && others == 0,
	      "fixed counter %u (%s): %llu in the ring-0 window from 0x%llx (want %llu); the other "
	      "fixed counters, off in GLOBAL_CTRL, unchanged (%u are not)",
	      j, fixed_events[j], (unsigned long long)(got[j] - base[j]),
	      (unsigned long long)base[j], (unsigned long long)(want - base[j]), others);
}

/* Every GP counter at once with one event: a window of the given kind, the counts it must give. */
static u32 gp_all_mismatches(const struct event *e, bool os, bool usr, bool ring3, u64 *want)
{
	struct window_counts w = ring3 ? ring3_window() : ring0_window();
	u32 bad = 0;

	*want = expected(&w, e->counts, os, usr);
	pmu_quiesce();
	for (u32 x = 0; x < pmu.nr_gp; x++)
		msr_set(MSR_P6_EVNTSEL0 + x, evtsel(e, os, usr));
	if (ring3)
		window_ring3(MSR_CORE_PERF_GLOBAL_CTRL, gp_global_bits());
	else
		window_ring0(MSR_CORE_PERF_GLOBAL_CTRL, gp_global_bits());
	for (u32 x = 0; x < pmu.nr_gp; x++) {
		u64 got = counter_read(gp_counter(x));

		if (got != *want) {
			guest_printf("# GP counter %u: %llu\n", x, (unsigned long long)got);
			bad++;
		}
	}
	return bad;
}

/* Every fixed counter at once with the same ring bits; fixed counter 3 counts nothing. */
static u32 fixed_all_mismatches(bool os, bool usr, bool ring3, u64 *want)
{
	struct window_counts w = ring3 ? ring3_window() : ring0_window();
	u32 bad = 0;

	*want = expected(&w, INSNS, os, usr);
	pmu_quiesce();
	msr_set(MSR_CORE_PERF_FIXED_CTR_CTRL, fixed_ctrl_all(os, usr));
	if (ring3)
		window_ring3(MSR_CORE_PERF_GLOBAL_CTRL, fixed_global_bits());
	else
		window_ring0(MSR_CORE_PERF_GLOBAL_CTRL, fixed_global_bits());
	for (u32 j = 0; j < MAX_FIXED; j++) {
		u64 got = counter_read(fixed_counter(j));

		if (fixed_exists(j) && got != (fixed_counts(j) ? *want : 0)) {
			guest_printf("# fixed counter %u: %llu\n", j, (unsigned long long)got);
			bad++;
		}
	}
	return bad;
}

static void check_events(void)
{
	u64 want;
	u32 bad;

	for (u32 x = 0; x < pmu.nr_gp; x++)
		for (u32 e = 0; e < ARRAY_SIZE(gp_events); e++)
			check_gp_event(x, &gp_events[e]);
	check_gp_event(0, &ref_cycles);
	bad = gp_all_mismatches(&llc_references, true, true, false, &want);
	CHECK(bad == 0,
	      "%s, an event the PMU does not model, counts %llu on every GP counter (%u do not)",
	      llc_references.name, (unsigned long long)want, bad);
	for (u32 j = 0; j < MAX_FIXED; j++)
		if (fixed_exists(j))
			check_fixed(j);
}

/* USR, OS and both, on a window that runs its loop at CPL 3. */
static void check_rings(void)
{
	static const struct {
		bool os, usr;
		const char *name;
	} modes[] = { { false, true, "USR only" },
		      { true, false, "OS only" },
		      { true, true, "USR and OS" } };
	u64 want;
	u32 bad;

	for (u32 m = 0; m < ARRAY_SIZE(modes); m++) {
		bool os = modes[m].os, usr = modes[m].usr;

		for (u32 e = 0; e < ARRAY_SIZE(gp_events); e += 2) { /* instructions, branches */
			bad = gp_all_mismatches(&gp_events[e], os, usr, true, &want);
			CHECK(bad == 0,
			      "ring-3 window, %s, %s: every GP counter counts %llu (%u do not)",
			      modes[m].name, gp_events[e].name, (unsigned long long)want, bad);
		}
		bad = fixed_all_mismatches(os, usr, true, &want);
		CHECK(bad == 0,
		      "ring-3 window, FIXED_CTR_CTRL ring bits %s: fixed counters 0-2 count %llu, "
		      "TOPDOWN.SLOTS nothing (%u do not)",
		      modes[m].name, (unsigned long long)want, bad);
	}
	bad = gp_all_mismatches(&gp_events[0], false, true, false, &want) +
	      fixed_all_mismatches(false, true, false, &want);
	CHECK(bad == 0,
	      "ring-0 window, USR only: GP (0xC0) and fixed counters count %llu (%u do not)",
	      (unsigned long long)want, bad);
}

/* GLOBAL_CTRL, EVTSEL.EN and FIXED_CTR_CTRL field 0 each gate counting on their own. */
static void check_gates(void)
{
	struct counter gp0 = gp_counter(0), fx0 = fixed_counter(0);
	u64 all = gp_global_bits() | fixed_global_bits();
	u64 want = WINDOW_RING0_INSNS(loops), off_gp, off_fx, on_gp, on_fx;
	u64 sel = evtsel(&gp_events[0], true, true), others_on;

	pmu_quiesce();
	msr_set(MSR_P6_EVNTSEL0, sel);
	msr_set(MSR_CORE_PERF_FIXED_CTR_CTRL, fixed_ctrl_all(true, true));
	window_ring0(MSR_CORE_PERF_GLOBAL_CTRL,
		     all & ~(counter_global_bit(gp0) | counter_global_bit(fx0)));
	off_gp = counter_read(gp0);
	off_fx = counter_read(fx0);
	window_ring0(MSR_CORE_PERF_GLOBAL_CTRL, counter_global_bit(gp0) | counter_global_bit(fx0));
	on_gp = counter_read(gp0);
	on_fx = counter_read(fx0);
	CHECK(off_gp == 0 && off_fx == 0 && on_gp == want && on_fx == want,
	      "GLOBAL_CTRL gates: GP counter 0 and fixed counter 0 count %llu and %llu with only "
	      "their bits clear, %llu and %llu with them set (want 0, 0, %llu, %llu)",
	      (unsigned long long)off_gp, (unsigned long long)off_fx, (unsigned long long)on_gp,
	      (unsigned long long)on_fx, (unsigned long long)want, (unsigned long long)want);

	pmu_quiesce();
	msr_set(MSR_CORE_PERF_GLOBAL_CTRL, counter_global_bit(gp0));
	window_ring0(MSR_P6_EVNTSEL0, sel & ~(u64)ARCH_PERFMON_EVENTSEL_ENABLE);
	off_gp = counter_read(gp0);
	window_ring0(MSR_P6_EVNTSEL0, sel);
	on_gp = counter_read(gp0);
	CHECK(off_gp == 0 && on_gp == want,
	      "EVTSEL.EN gates: GP counter 0 (GLOBAL_CTRL on) counts %llu with EN clear, %llu with "
	      "the WRMSR that sets it (want 0, %llu)",
	      (unsigned long long)off_gp, (unsigned long long)on_gp, (unsigned long long)want);

	pmu_quiesce();
	msr_set(MSR_CORE_PERF_GLOBAL_CTRL, fixed_global_bits());
	/* Field 0 holds only its PMI bit; the other fields count. */
	others_on = (fixed_ctrl_all(true, true) & ~0xfull) | FIXED_CTR_CTRL_PMI;
	window_ring0(MSR_CORE_PERF_FIXED_CTR_CTRL, others_on);
	off_fx = counter_read(fx0);
	window_ring0(MSR_CORE_PERF_FIXED_CTR_CTRL, FIXED_CTR_CTRL_OS | FIXED_CTR_CTRL_USR);
	on_fx = counter_read(fx0);
	CHECK(off_fx == 0 && on_fx == want,
	      "FIXED_CTR_CTRL field 0 gates: fixed counter 0 (GLOBAL_CTRL on) counts %llu with no "
	      "ring bit in it (the other fields on), %llu with the WRMSR that sets them (want 0, "
	      "%llu)",
	      (unsigned long long)off_fx, (unsigned long long)on_fx, (unsigned long long)want);
	pmu_quiesce();
}

/* ---- windows of other instructions: REP, a fault, every kind of branch ---- */

#define REP_BYTES 4096

static u8 rep_buffer[REP_BYTES];
static u32 rep_count;

static void run_rep(u64 on)
{
	pc_rep_window(MSR_CORE_PERF_GLOBAL_CTRL, (u32)on, (u32)(on >> 32), rep_count, rep_buffer);
}

static void run_fault(u64 on)
{
	idt_set_exception(VECTOR_UD, pc_ud_skip);
	pc_fault_window(MSR_CORE_PERF_GLOBAL_CTRL, (u32)on, (u32)(on >> 32));
	idt_restore_exception(VECTOR_UD);
}

static void run_branches(u64 on)
{
	pc_branch_window(MSR_CORE_PERF_GLOBAL_CTRL, (u32)on, (u32)(on >> 32));
}

static void run_exits(u64 on)
{
	pc_exit_window(MSR_CORE_PERF_GLOBAL_CTRL, (u32)on, (u32)(on >> 32), loops);
}

/*
 * A REP STOSB of REP_LONG_BYTES that the local APIC timer interrupts: the
 * instruction stops, the interrupt is taken (the PMI handler of window.S,
 * on the same vector) and the REP restarts where it stopped. It retires
 * once, when it is done, as on hardware (docs/bochs-pmu.md).
 */
#define REP_LONG_BYTES (1024 * 1024)
#define TIMER_INITIAL_COUNT 20000 /* well inside the REP's million iterations */

static u8 rep_long_buffer[REP_LONG_BYTES];

static void check_interrupted_rep(void)
{
	volatile u32 *apic = (volatile u32 *)(uintptr_t)APIC_DEFAULT_PHYS_BASE;
	struct counter gp0 = gp_counter(0);
	u64 on = counter_global_bit(gp0), count;

	pmu_quiesce();
	pc_pmi_count = 0;
	pc_pmi_eip = 0;
	pc_pmi_rdpmc_index = counter_rdpmc_index(gp0);
	msr_set(MSR_P6_EVNTSEL0, evtsel(&gp_events[0], true, true));
	apic[APIC_SPIV / 4] = APIC_SPIV_APIC_ENABLED | PC_VECTOR_SPURIOUS;
	apic[APIC_TDCR / 4] = APIC_TDR_DIV_1;
	apic[APIC_LVTT / 4] = PC_VECTOR_PMI;
	apic[APIC_TMICT / 4] = TIMER_INITIAL_COUNT;
	asm volatile("sti" ::: "memory");
	pc_rep_window(MSR_CORE_PERF_GLOBAL_CTRL, (u32)on, (u32)(on >> 32), REP_LONG_BYTES,
		      rep_long_buffer);
	asm volatile("cli" ::: "memory");
	apic[APIC_LVTT / 4] = APIC_LVT_MASKED | PC_VECTOR_PMI;
	count = counter_read(gp0);
	pmu_quiesce();
	CHECK(pc_pmi_count == 1 && pc_pmi_eip == (u32)(uintptr_t)pc_rep_window_stosb &&
		      count == REP_WINDOW_INSNS + PMI_HANDLER_INSNS,
	      "a REP STOSB of 1 MiB interrupted by the APIC timer retires once: %u interrupts at "
	      "EIP 0x%x (want 1 at the REP, 0x%x); GP counter 0 counts %llu (want %u: the window "
	      "and the handler)",
	      pc_pmi_count, pc_pmi_eip, (u32)(uintptr_t)pc_rep_window_stosb,
	      (unsigned long long)count, REP_WINDOW_INSNS + PMI_HANDLER_INSNS);
}

struct measured {
	u64 insns, branches, fixed0;
};

/* Runs a window twice: GP counter 0 counting instructions, then branches; fixed counter 0 on. */
static struct measured measure(void (*run)(u64 on))
{
	struct counter gp0 = gp_counter(0), fx0 = fixed_counter(0);
	u64 on = counter_global_bit(gp0) | counter_global_bit(fx0);
	struct measured m;

	pmu_quiesce();
	msr_set(MSR_P6_EVNTSEL0, evtsel(&gp_events[0], true, true));
	msr_set(MSR_CORE_PERF_FIXED_CTR_CTRL, FIXED_CTR_CTRL_OS | FIXED_CTR_CTRL_USR);
	run(on);
	m.insns = counter_read(gp0);
	m.fixed0 = counter_read(fx0);
	pmu_quiesce();
	msr_set(MSR_P6_EVNTSEL0, evtsel(&gp_events[2], true, true));
	run(on);
	m.branches = counter_read(gp0);
	pmu_quiesce();
	return m;
}

static void check_window(const char *what, void (*run)(u64 on), u64 insns, u64 branches)
{
	struct measured m = measure(run);

	CHECK(m.insns == insns && m.fixed0 == insns && m.branches == branches,
	      "%s: GP counter 0 counts %llu instructions and %llu branches, fixed counter 0 %llu "
	      "(want %llu, %llu, %llu)",
	      what, (unsigned long long)m.insns, (unsigned long long)m.branches,
	      (unsigned long long)m.fixed0, (unsigned long long)insns, (unsigned long long)branches,
	      (unsigned long long)insns);
}

static void check_other_windows(void)
{
	rep_count = REP_BYTES;
	check_window("REP STOSB of 4096 bytes retires once", run_rep, REP_WINDOW_INSNS, 0);
	rep_count = 0;
	check_window("REP STOSB of 0 bytes retires once", run_rep, REP_WINDOW_INSNS, 0);
	check_interrupted_rep();
	check_window("a faulting UD2 does not retire (its #UD handler's 2 instructions do)",
		     run_fault, FAULT_WINDOW_INSNS, FAULT_WINDOW_BRANCHES);
	check_window("CALL, RET, JMP, LOOP, JECXZ, Jcc not taken, indirect CALL and JMP, RET "
		     "imm16, far CALL, LRET and IRET are branches",
		     run_branches, BRANCH_WINDOW_INSNS, BRANCH_WINDOW_BRANCHES);
	check_window(pmu.hypervisor ? "a loop of CPUID, each a VM exit, counts as natively"
				    : "a loop of CPUID counts every instruction",
		     run_exits, EXIT_WINDOW_INSNS(loops), EXIT_WINDOW_BRANCHES(loops));
}

void check_counting(void)
{
	check_events();
	check_rings();
	check_gates();
	check_other_windows();
}
