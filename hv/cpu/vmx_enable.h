/* VMX operation on the physical processors: checks, VMXON, the VMCS controls. */
#ifndef HV_CPU_VMX_ENABLE_H
#define HV_CPU_VMX_ENABLE_H

#include "lib/types.h"
#include "arch/x86/vmcs.h"

/* Check every feature the design needs, then VMXON. */
void vmx_enable(void);
u32 vmx_revision_id(void);
/* The same on an application processor, quietly: returns VMX_OK or an error. */
int vmx_enter_root_ap(void);
/* Values the VMCS setup needs from the capability MSRs. */
void vmx_compute_controls(struct vmx_controls *out, bool want_preemption_timer);
/* Whether a VM-exit or VM-entry control may be set (its allowed-1 bit). */
bool vmx_exit_control_supported(u32 bit);
bool vmx_entry_control_supported(u32 bit);
bool vmx_cpu_control_supported(u32 bit); /* primary processor-based */

#endif
