/*
 * The PMU's part of the lean exit path (hv/exit/vmexit.c): a strategy's
 * switch inlined around the handler, for the run pmu_lean_path() chose
 * it for. Each exit path is compiled for one constant value of the enum,
 * so the switch below costs nothing: what is left is the strategy's
 * straight line, or nothing.
 */
#ifndef HV_PMU_LEAN_H
#define HV_PMU_LEAN_H

#include "hv/pmu/pmu.h"
#include "hv/pmu/switch.h"

/* On VM exit, before the handler. */
static inline __attribute__((always_inline)) void pmu_lean_exit(enum pmu_lean lean)
{
	if (lean == PMU_LEAN_SWITCH_RDMSR)
		switch_out_guest(false, false);
	else if (lean == PMU_LEAN_SWITCH_RDPMC)
		switch_out_guest(false, true);
}

/* Before VM entry, after the handler. */
static inline __attribute__((always_inline)) void pmu_lean_entry(enum pmu_lean lean)
{
	if (lean == PMU_LEAN_SWITCH_RDMSR)
		switch_in_guest(false, false);
	else if (lean == PMU_LEAN_SWITCH_RDPMC)
		switch_in_guest(false, true);
}

#endif
