/*
 * Every intercept of the guest in one place (hv/exit/intercepts.c), beside
 * the handlers that serve them: the MSR bitmap, the I/O bitmaps and the
 * VM-execution controls the options decide, with the PMU strategy's share
 * of each from hv/pmu.
 */
#ifndef HV_EXIT_INTERCEPTS_H
#define HV_EXIT_INTERCEPTS_H

#include "hv/pmu/pmu.h"

/* What the intercepts depend on in the processor's VMX capability MSRs. */
struct intercept_caps {
	struct pmu_vmx_caps pmu;
	bool hlt_exiting; /* HLT exiting, and VM entry into the HLT activity state */
};

void intercept_caps_read(struct intercept_caps *caps);
/*
 * Allocate the vCPU's bitmaps, fill them, and write them and the controls
 * to the current VMCS: the vCPU's, once vcpu_create() made it (the run's
 * guest setup, hv/run/guest_setup.c). The MSR lists start empty; the PMU
 * strategy may fill them.
 */
void intercepts_setup(const struct intercept_caps *caps);
/* Once the guest's TSC is offset: IA32_TSC_DEADLINE exits too (hv/exit/tsc.c). */
void intercepts_tsc_deadline(void);

#endif
