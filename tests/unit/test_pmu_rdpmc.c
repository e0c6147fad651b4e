/*
 * RDPMC where the CPU's does not read back (Bochs: GP counters read 0,
 * fixed counters #GP): the guest's RDPMC exits and is answered from the
 * counter MSRs, with the index checks of the SDM; where RDPMC works it
 * does not exit. Every strategy whose guest has a PMU and that does not
 * answer RDPMC itself.
 */
#include <stdio.h>

#include "tests/unit/unit.h"
#include "tests/unit/pmu_machine.h"
#include "tests/model/model.h"
#include "arch/x86/pmu.h"
#include "arch/x86/vmcs.h"
#include "hv/exit/stats.h"
#include "hv/pmu/pmu.h"

static char args[80];

static const struct model_pmu_config bochs_cpu = {
	.version = 4,
	.nr_gp = MODEL_PMU_GP,
	.nr_fixed = MODEL_PMU_FIXED,
	.full_width_writes = true,
	.bochs_rdpmc = true,
};

static void boot(const char *strategy, bool like_bochs)
{
	struct pmu_machine m = { .hv_args = args,
				 .full_width_writes = true,
				 .has_status_set = true,
				 .cpu = like_bochs ? &bochs_cpu : NULL };

	snprintf(args, sizeof(args), "pmu=%s", strategy);
	pmu_machine_launch(&m);
}

/* partition answers RDPMC itself, and likewise from the MSRs where RDPMC does not read back. */
static const char *const emulating[] = { "passthrough", "switch", "rfc",
					 "mediated",	"lazy",	  "partition pmu_host=gp" };

TEST(rdpmc_that_does_not_read_back_is_emulated_from_the_counter_msrs)
{
	for (size_t s = 0; s < ARRAY_SIZE(emulating); s++) {
		u64 v = 0;

		boot(emulating[s], true);
		if (!CHECK(model_rdpmc_exits()))
			continue;
		/* What the guest wrote comes back, whatever the strategy moved at exits. */
		CHECK(guest_wrmsr(msr_pmc(1, true), 0xffff80000001ULL));
		CHECK(guest_wrmsr(msr_fixed_ctr(2), 0x123456789aULL));
		guest_exit_by(EXIT_REASON_CPUID);
		CHECK(guest_rdpmc(1, &v));
		unit_check(v == 0xffff80000001ULL, __FILE__, __LINE__,
			   "%s: GP counter 1 read 0x%llx", args, (unsigned long long)v);
		CHECK(guest_rdpmc(RDPMC_FIXED | 2, &v));
		unit_check(v == 0x123456789aULL, __FILE__, __LINE__,
			   "%s: fixed counter 2 read 0x%llx", args, (unsigned long long)v);
		/* Counters that do not exist #GP, as on the hardware. */
		CHECK(!guest_rdpmc(MODEL_PMU_GP, &v));
		CHECK(!guest_rdpmc(RDPMC_FIXED | MODEL_PMU_FIXED, &v));
		CHECK(!guest_rdpmc(BIT(31) | 0, &v));
	}
}

TEST(rdpmc_that_works_does_not_exit)
{
	/* All but partition, which keeps counters of its own from the guest. */
	for (size_t s = 0; s + 1 < ARRAY_SIZE(emulating); s++) {
		boot(emulating[s], false);
		unit_check(!model_rdpmc_exits(), __FILE__, __LINE__, "%s: RDPMC exits", args);
	}
}
