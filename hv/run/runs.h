/*
 * The guest runs of one boot (hv/run/runs.c): once, or once per configuration
 * of runs= and repeat= times over (hv/base/options.h), each run starting from
 * the same state: the guest image and modules from pristine copies, a new
 * VMCS, the PMU set up again, the statistics cleared.
 */
#ifndef HV_RUN_RUNS_H
#define HV_RUN_RUNS_H

#include "arch/x86/frame.h"
#include "hv/boot/multiboot2.h"

/*
 * Before memory is set up: the extra hypervisor memory the runs need
 * (pristine copies of the modules when there is more than one run).
 */
u64 runs_memory_needed(const struct boot_info *boot);
/* Start the first run; never returns. */
__attribute__((noreturn)) void runs_start(struct boot_info *boot, struct phys_range image,
					  struct phys_range pool);
/* The guest of this run ended (hv/run/end.c, after its report): the next run, or the end. */
__attribute__((noreturn)) void runs_guest_ended(int status);
/*
 * IA32_SMI_COUNT as the guest is launched (run(), last thing before VM
 * entry) and as it ends (exit_stats_print(), first thing): an SMI between
 * the two is time the measurement cannot see.
 */
void runs_smi_count_at_launch(void);
void runs_smi_count_at_end(void);
/*
 * meta lines of the results block: which run this is, its configuration,
 * and the SMIs while the guest ran.
 */
void runs_print_meta(void);

#endif
