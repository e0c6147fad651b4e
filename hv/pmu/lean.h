/*
 * The PMU's part of the lean exit path (hv/exit/vmexit.c) at stats=off,
 * for the run pmu_lean_path() chose: switch's two straight lines inlined
 * around the handler, or another strategy's save and restore called
 * directly, without pmu_vmexit() and pmu_vmentry() around them (their
 * per-exit resets serve the statistics). Each exit path is compiled for
 * one constant value of the enum, so the choice below costs nothing.
 */
#ifndef HV_PMU_LEAN_H
#define HV_PMU_LEAN_H

#include "hv/pmu/pmu.h"
#include "hv/pmu/strategy.h"
#include "hv/pmu/switch.h"

/* On VM exit, before the handler. */
static inline __attribute__((always_inline)) void pmu_lean_exit(enum pmu_lean lean, u32 reason)
{
	if (lean == PMU_LEAN_SWITCH_RDMSR)
		switch_out_guest(false, false);
	else if (lean == PMU_LEAN_SWITCH_RDPMC)
		switch_out_guest(false, true);
	else if (lean == PMU_LEAN_CALLS)
		pmu.switched = pmu.ops->save(reason);
}

/* Before VM entry, after the handler. */
static inline __attribute__((always_inline)) void pmu_lean_entry(enum pmu_lean lean, u32 reason)
{
	if (lean == PMU_LEAN_SWITCH_RDMSR)
		switch_in_guest(false, false);
	else if (lean == PMU_LEAN_SWITCH_RDPMC)
		switch_in_guest(false, true);
	else if (lean == PMU_LEAN_CALLS && pmu.switched)
		pmu.ops->restore(reason);
}

#endif
