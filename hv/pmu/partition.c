/*
 * partition: the hypervisor keeps counters of its own that the guest never
 * sees, and nothing is switched at an exit.
 *
 * The host takes fixed counters 0 and 1 (instructions retired, unhalted
 * core cycles; pmu_host=fixed, the default) or the last two GP counters
 * with the same two events (pmu_host=gp), counting ring 0. IA32_PERF_
 * GLOBAL_CTRL is the only switch: every VM exit loads the host's enable
 * bits, every VM entry the guest's, which may name only its own counters,
 * so the host's count only in VMX root operation and the guest's only in
 * the guest. The guest's CPUID 0xA and 0x23 describe the rest: with
 * pmu_host=fixed a PerfMon v5 guest gets fixed counters 2 and up through
 * the bitmap in CPUID.0AH:ECX (and leaf 0x23), an older one no fixed
 * counter, since EDX[4:0] can only count fixed counters from 0.
 *
 * What moves elsewhere, and exits: guest GLOBAL_CTRL writes (checked
 * against its counters, kept in the VM-entry MSR-load list or VMCS field),
 * FIXED_CTR_CTRL reads and writes under pmu_host=fixed (the guest sees its
 * own fields; its writes are merged with the host's), and RDPMC (the
 * guest's counters are read for it, the host's #GP). An ordinary exit
 * makes no RDMSR or WRMSR of a PMU MSR; it reads the host's two counters
 * with RDPMC at exit and before entry to measure itself, where RDPMC works
 * (the self-test in enum.c), and makes no PMU access at all elsewhere.
 */
#include "hv/pmu/strategy.h"
#include "hv/base/log.h"
#include "hv/base/options.h"
#include "hv/base/status.h"
#include "arch/x86/msr.h"

#define EVENT_INSTRUCTIONS 0xc0 /* architectural event: instructions retired */
#define EVENT_CORE_CYCLES 0x3c	/* architectural event: unhalted core cycles */
#define FIXED_CTRL_FIELD(j) (0xfULL << ((j)*FIXED_CTRL_BITS))

static struct {
	bool measure;		/* RDPMC reads the host's counters */
	u32 rdpmc_instructions; /* RDPMC index of the host's two counters */
	u32 rdpmc_cycles;
	u64 counter_mask;		      /* their width */
	u64 start_instructions, start_cycles; /* read at this exit */
} host;

static u64 width_mask(unsigned width)
{
	return width >= 64 ? ~0ULL : BIT(width) - 1;
}

/* FIXED_CTR_CTRL fields of the fixed counters the guest owns. */
static u64 guest_fixed_ctrl_fields(void)
{
	u64 fields = 0;

	for (unsigned j = 0; j < PMU_MAX_FIXED; j++)
		if (pmu_guest_owns_fixed(j))
			fields |= FIXED_CTRL_FIELD(j);
	return fields;
}

static void set_guest_share(unsigned gp, u32 fixed_mask)
{
	pmu.guest_gp = gp;
	pmu.guest_fixed = 0;
	pmu.guest_global_mask = 0;
	for (unsigned i = 0; i < gp; i++)
		pmu.guest_global_mask |= global_bit_gp(i);
	for (unsigned j = 0; j < PMU_MAX_FIXED; j++)
		if (fixed_mask & BIT(j)) {
			pmu.guest_global_mask |= global_bit_fixed(j);
			pmu.guest_fixed++;
		}
	/* GLOBAL_CTRL, GLOBAL_OVF_CTRL and GLOBAL_STATUS_SET writes exit and are checked. */
	pmu.partitioned = true;
}

/*
 * Fixed counters 0 and 1 are the host's. CPUID.0AH:EDX[4:0] counts fixed
 * counters from 0, so only v5's bitmap (ECX) can offer the guest counter 2
 * and up without 0 and 1. Intel SDM Vol. 2A, CPUID leaf 0AH.
 */
static void take_fixed_counters(void)
{
	u32 guest_fixed = 0;

	if (!pmu_fixed_present(FIXED_INSTRUCTIONS) || !pmu_fixed_present(FIXED_CORE_CYCLES))
		hv_fail(HV_STATUS_UNSUPPORTED,
			"pmu=partition pmu_host=fixed needs fixed counters 0 and 1; the CPU has "
			"fixed counters 0x%x (use pmu_host=gp)",
			pmu.fixed_present);
	guest_fixed = pmu_fixed_describable(
		pmu.fixed_present & ~(u32)(BIT(FIXED_INSTRUCTIONS) | BIT(FIXED_CORE_CYCLES)));
	set_guest_share(pmu.guest_gp, guest_fixed);
	pmu_host_counts_with_fixed_0_1();
	/* FIXED_CTR_CTRL exits both ways: the guest sees and sets only its own fields. */
	pmu.extra_exits = PMU_EXIT_FIXED_CTR_CTRL_READ | PMU_EXIT_FIXED_CTR_CTRL_WRITE;
	host.rdpmc_instructions = RDPMC_FIXED | FIXED_INSTRUCTIONS;
	host.rdpmc_cycles = RDPMC_FIXED | FIXED_CORE_CYCLES;
	host.counter_mask = width_mask(pmu.caps.fixed_width);
	/* The guest's view of FIXED_CTR_CTRL: its own fields of what it was at boot. */
	pmu.guest.fixed_ctr_ctrl = pmu.host_boot.fixed_ctr_ctrl & guest_fixed_ctrl_fields();
	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	wrmsr(msr_fixed_ctr(FIXED_INSTRUCTIONS), 0);
	wrmsr(msr_fixed_ctr(FIXED_CORE_CYCLES), 0);
	wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, pmu.host.fixed_ctr_ctrl | pmu.guest.fixed_ctr_ctrl);
}

/* The last two GP counters are the host's; the guest keeps every fixed counter. */
static void take_gp_counters(void)
{
	unsigned instr = pmu.nr_gp - 2, cycles = pmu.nr_gp - 1;

	if (pmu.nr_gp < 3)
		hv_fail(HV_STATUS_UNSUPPORTED,
			"pmu=partition pmu_host=gp keeps two GP counters and needs one for the "
			"guest; the CPU has %u",
			pmu.nr_gp);
	if (hv_opts.pmu_gp != PMU_GP_ALL && hv_opts.pmu_gp > pmu.nr_gp - 2)
		hv_fail(HV_STATUS_BAD_INPUT,
			"pmu_gp=%llu but pmu=partition pmu_host=gp leaves the guest %u of %u GP "
			"counters",
			(unsigned long long)hv_opts.pmu_gp, pmu.nr_gp - 2, pmu.nr_gp);
	set_guest_share(MIN(pmu.guest_gp, pmu.nr_gp - 2), pmu_fixed_describable(pmu.fixed_present));
	pmu.host.evtsel[instr] = ARCH_PERFMON_EVENTSEL_ENABLE | ARCH_PERFMON_EVENTSEL_OS |
				 EVENT_INSTRUCTIONS;
	pmu.host.evtsel[cycles] = ARCH_PERFMON_EVENTSEL_ENABLE | ARCH_PERFMON_EVENTSEL_OS |
				  EVENT_CORE_CYCLES;
	pmu.host.global_ctrl = global_bit_gp(instr) | global_bit_gp(cycles);
	pmu.host.fixed_ctr_ctrl = 0;
	host.rdpmc_instructions = instr;
	host.rdpmc_cycles = cycles;
	host.counter_mask = width_mask(pmu.caps.gp_width);
	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	for (unsigned i = instr; i <= cycles; i++) {
		wrmsr(msr_pmc(i, false), 0);
		wrmsr(msr_evtsel(i), pmu.host.evtsel[i]);
	}
}

static void partition_init(void)
{
	if (hv_opts.pmu_host == PMU_HOST_GP)
		take_gp_counters();
	else
		take_fixed_counters();
	/* From here on the host's counters count in VMX root operation only. */
	pmu.host_global_ctrl_at_exit = pmu.host.global_ctrl;
	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, pmu.host.global_ctrl);
	host.measure = pmu.use_rdpmc;
	pr_info("pmu: partition: the hypervisor keeps %s; the guest gets fixed counters 0x%x",
		hv_opts.pmu_host == PMU_HOST_GP ? "the last two GP counters"
						: "fixed counters 0 and 1",
		pmu_guest_fixed_bitmap());
	if (!host.measure)
		pr_info("pmu: partition reads its counters only with RDPMC, which %s: exits are "
			"not measured in cycles and instructions, and make no PMU access",
			hv_opts.pmu_read == PMU_READ_RDMSR ? "pmu_read=rdmsr turns off"
							   : "failed its self-test");
}

/* RDPMC of one of the host's counters, counted as every PMU access of an exit is. */
static u64 read_host_counter(u32 rdpmc_index)
{
	pmu.access.rdpmc++;
	return rdpmc(rdpmc_index);
}

/*
 * Nothing moves at an exit. Where RDPMC works the host's counters are read
 * here and again before entry: the exit's cycles and instructions, over the
 * same stretch that switch measures. Returns true only so that restore()
 * takes the second reading.
 */
static bool partition_save(u32 reason)
{
	(void)reason;
	if (!host.measure)
		return false;
	host.start_instructions = read_host_counter(host.rdpmc_instructions);
	host.start_cycles = read_host_counter(host.rdpmc_cycles);
	return true;
}

static void partition_restore(u32 reason)
{
	u64 instructions = read_host_counter(host.rdpmc_instructions);
	u64 cycles = read_host_counter(host.rdpmc_cycles);

	(void)reason;
	pmu.host_instructions = (instructions - host.start_instructions) & host.counter_mask;
	pmu.host_cycles = (cycles - host.start_cycles) & host.counter_mask;
	pmu.measured = true;
}

/* Without RDPMC nothing at all runs at an exit: the exit path is passthrough's. */
static bool partition_acts_on_exits(void)
{
	return host.measure;
}

static bool partition_read_fixed_ctr_ctrl(u64 *value)
{
	*value = pmu.guest.fixed_ctr_ctrl;
	return true;
}

/*
 * The guest's fields merged with the host's, which survive. A field of a
 * counter the guest does not own #GPs, as a field of a counter the CPU
 * lacks would (on v4 that includes fixed counter 2, which nobody uses);
 * the hardware checks the guest's own fields (reserved bits #GP).
 */
static bool partition_write_fixed_ctr_ctrl(u64 value)
{
	if (value & ~guest_fixed_ctrl_fields())
		return false;
	pmu.access.wrmsr++;
	if (!wrmsr_safe(MSR_CORE_PERF_FIXED_CTR_CTRL, pmu.host.fixed_ctr_ctrl | value))
		return false;
	pmu.guest.fixed_ctr_ctrl = value;
	return true;
}

/*
 * The guest's counters are read for it (they are in the hardware); the
 * host's #GP. Where the CPU's RDPMC does not read back (Bochs), from the
 * counter MSR, as the other strategies' RDPMC is emulated (guest_msr.c).
 */
static bool partition_rdpmc(u32 ecx, u64 *value)
{
	struct pmu_reg counter = pmu_reg_of_rdpmc(ecx);

	if (!pmu_guest_owns_reg(counter))
		return false;
	if (pmu.rdpmc_broken) {
		*value = pmu_rdmsr(pmu_counter_msr(counter));
		return true;
	}
	pmu.access.rdpmc++;
	return rdpmc_safe(ecx, value);
}

const struct pmu_strategy pmu_strategy_partition = {
	.name = "partition",
	.description = "the hypervisor keeps counters of its own (pmu_host=fixed|gp), the guest "
		       "the rest; no PMU MSR access per exit",
	.keeps_host_counters = true,
	.init = partition_init,
	.filter_cpuid = pmu_cpuid_guest_share,
	.save = partition_save,
	.restore = partition_restore,
	.acts_on_exits = partition_acts_on_exits,
	.read_fixed_ctr_ctrl = partition_read_fixed_ctr_ctrl,
	.write_fixed_ctr_ctrl = partition_write_fixed_ctr_ctrl,
	.rdpmc = partition_rdpmc,
};
