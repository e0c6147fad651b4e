/*
 * global_ctrl=vmcs: the self-test of the dedicated IA32_PERF_GLOBAL_CTRL
 * controls on the vCPU's probe VM (hv/cpu/probe.h), before the guest
 * starts. The controls themselves are set up by hv/pmu/global_ctrl.c.
 */
#ifndef HV_CPU_GLOBAL_CTRL_CHECK_H
#define HV_CPU_GLOBAL_CTRL_CHECK_H

/*
 * Once the vCPU is set up, with global_ctrl=vmcs and a guest PMU: one VM
 * entry and exit with test values; ends the run (status 2) where the CPU
 * does not apply the controls. Nothing otherwise.
 */
void vcpu_check_global_ctrl_fields(void);

#endif
