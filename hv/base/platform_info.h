/* What the hypervisor found on this machine: CPU, VMX, PMU. */
#ifndef HV_BASE_PLATFORM_INFO_H
#define HV_BASE_PLATFORM_INFO_H

#include "lib/types.h"

/* An MSR as this machine has it: absent where the CPU does not enumerate it or RDMSR #GPs. */
struct msr_reading {
	bool present;
	u64 value;
};

/*
 * At boot, before the PMU is set up: one line each for the CPU, VMX and
 * the PMU, and the state firmware left the PMU and tracing MSRs in, for
 * the results block.
 */
void platform_report(void);
/*
 * meta,KEY,VALUE lines describing the machine, for the results block
 * (docs/bench.md lists the keys): CPU, microcode, PMU and hybrid CPUID
 * leaves, IA32_PERF_CAPABILITIES, the MSRs as platform_report() found
 * them, TSX_FORCE_ABORT and the VMX capability MSRs; "absent" for each
 * MSR or leaf the machine lacks.
 */
void platform_print_meta(void);
/* IA32_SMI_COUNT (bits 31:0), absent before Nehalem and in most emulators. */
struct msr_reading platform_smi_count(void);
/* Ends the run with one clear line if the CPU cannot do VMX. */
void platform_require_vmx(void);

#endif
