/*
 * The guest's CPUID feature bits next to the VM-execution controls their
 * instructions depend on (hv/cpu/cpuid_controls.c): the controls the vCPU
 * setup asks for come from it, and the CPUID exit hides every bit whose
 * control ended up wrong in the VMCS.
 */
#ifndef HV_CPU_CPUID_CONTROLS_H
#define HV_CPU_CPUID_CONTROLS_H

#include "arch/x86/cpuid.h"

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

#define CPUID_SUBLEAF_ANY 0xffffffffU /* the leaf ignores ECX */

/*
 * A feature bit is shown to the guest where the CPU reports it and
 *   - it is not always_hidden,
 *   - the VMCS has `secondary` set (where it names a control), and
 *   - the VMCS has every bit of `primary_exiting` clear.
 * Where it is hidden, `feature_leaf` (a leaf that describes only this
 * feature) reads as all zeroes too.
 */
struct cpuid_control_dep {
	const char *name;
	u32 leaf, subleaf;
	enum cpuid_reg reg;
	u32 bit;
	u32 feature_leaf;    /* 0: none */
	u32 secondary;	     /* secondary processor-based control the instruction needs set */
	bool hv_enables;     /* the vCPU setup sets `secondary` where the CPU allows it */
	u32 primary_exiting; /* primary controls that would make it exit, to no handler */
	bool always_hidden;  /* not virtualized: hidden whatever the controls */
};

extern const struct cpuid_control_dep cpuid_control_deps[];
extern const size_t nr_cpuid_control_deps;

/* The secondary controls the vCPU setup sets where the CPU allows them. */
u32 cpuid_controls_wanted_secondary(void);
/* Whether the feature is shown under these control words (primary, secondary). */
bool cpuid_control_dep_shown(const struct cpuid_control_dep *d, u32 cpu, u32 secondary);
/*
 * Clear in *r, the CPU's answer for (leaf, subleaf), what the current
 * VMCS's controls do not give the guest.
 */
void cpuid_controls_filter(u32 leaf, u32 subleaf, struct cpuid_regs *r);

#endif
