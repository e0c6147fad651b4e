/*
 * lazy: switch's sequence, but only on the exits named by pmu_lazy= and on
 * every pmu_lazy_every=Nth exit; the other exits touch no PMU MSR. Given
 * neither, it switches on I/O and HLT exits: the analogue of KVM's
 * mediated-vPMU boundary, the exits that would leave the kernel (port I/O
 * is emulated in user space, HLT schedules out).
 */
#include "hv/pmu/strategy.h"
#include "arch/x86/vmx.h"
#include "hv/base/log.h"
#include "hv/base/options.h"

#define LAZY_DEFAULT_REASONS (BIT(EXIT_REASON_IO_INSTRUCTION) | BIT(EXIT_REASON_HLT))

static struct {
	u64 reasons; /* bit r: switch on basic exit reason r */
	u64 every;   /* and on every Nth exit; 0: never */
	u64 exits;   /* exits seen in this run */
} lazy;

/* switch's setup, then which exits switch: pmu_lazy= and pmu_lazy_every=, else the default. */
static void lazy_init(void)
{
	pmu_strategy_switch.init();
	lazy.reasons = hv_opts.pmu_lazy;
	lazy.every = hv_opts.pmu_lazy_every;
	lazy.exits = 0;
	if (lazy.reasons || lazy.every)
		return;
	lazy.reasons = LAZY_DEFAULT_REASONS;
	pr_info("pmu: lazy switches on I/O and HLT exits (the default; pmu_lazy= and "
		"pmu_lazy_every= change it)");
}

static bool lazy_switches(u32 reason)
{
	lazy.exits++;
	if (reason < 64 && (lazy.reasons & BIT(reason)))
		return true;
	return lazy.every && lazy.exits % lazy.every == 0;
}

static bool lazy_save(u32 reason)
{
	return lazy_switches(reason) && pmu_strategy_switch.save(reason);
}

static void lazy_restore(u32 reason)
{
	pmu_strategy_switch.restore(reason);
}

const struct pmu_strategy pmu_strategy_lazy = {
	.name = "lazy",
	.description = "switch, only on the exits named by pmu_lazy= (default io,hlt) or every "
		       "pmu_lazy_every=Nth exit",
	.exits = PMU_EXIT_FIXED_CTR_CTRL_WRITE,
	.init = lazy_init,
	.filter_cpuid = pmu_cpuid_guest_share,
	.save = lazy_save,
	.restore = lazy_restore,
};
