/*
 * A probe VM on the vCPU's VMCS before the guest starts (hv/cpu/probe.c):
 * a stub guest that executes VMCALL, entered and left for measurements
 * (bench_primitives=1) and self-tests (global_ctrl=vmcs). Between begin
 * and end the caller may change the VM-entry and VM-exit controls, the
 * three MSR lists and the IA32_PERF_GLOBAL_CTRL fields; end puts them and
 * the guest's state back.
 */
#ifndef HV_CPU_PROBE_H
#define HV_CPU_PROBE_H

#include "lib/types.h"

struct vm_probe {
	u64 rip, host_rip, host_rsp, exit_ctl, entry_ctl, pin, counts[3], addrs[3];
	u64 guest_global_ctrl, host_global_ctrl;
	bool has_global_ctrl_fields;
	u8 saved_code[3];
	bool launched;
};

void vm_probe_begin(struct vm_probe *p);
/* One VM entry and exit: TSC ticks, or ~0 if the entry failed or the stub did not exit by VMCALL. */
u64 vm_probe_roundtrip(struct vm_probe *p);
void vm_probe_end(struct vm_probe *p);

#endif
