/* The probe VM: see probe.h. */
#include "hv/cpu/probe.h"
#include "hv/cpu/vcpu.h"
#include "arch/x86/ap_boot.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_probe.h"
#include "lib/string.h"

#define PROBE_GUEST_RIP AP_TRAMPOLINE_BASE /* free once the APs are parked */

static const u8 stub[] = { 0x0f, 0x01, 0xc1 }; /* VMCALL, re-executed every time */

static const enum vmcs_field list_counts[3] = { VM_ENTRY_MSR_LOAD_COUNT, VM_EXIT_MSR_STORE_COUNT,
						VM_EXIT_MSR_LOAD_COUNT };
static const enum vmcs_field list_addrs[3] = { VM_ENTRY_MSR_LOAD_ADDR, VM_EXIT_MSR_STORE_ADDR,
					       VM_EXIT_MSR_LOAD_ADDR };

void vm_probe_begin(struct vm_probe *p)
{
	u8 *code = phys_to_virt(PROBE_GUEST_RIP);

	p->rip = vmread(GUEST_RIP);
	p->host_rip = vmread(HOST_RIP);
	p->host_rsp = vmread(HOST_RSP);
	p->exit_ctl = vmread(VM_EXIT_CONTROLS);
	p->entry_ctl = vmread(VM_ENTRY_CONTROLS);
	p->pin = vmread(PIN_BASED_VM_EXEC_CONTROL);
	for (int i = 0; i < 3; i++) {
		p->counts[i] = vmread(list_counts[i]);
		p->addrs[i] = vmread(list_addrs[i]);
	}
	/* The fields exist only where the CPU offers the controls. */
	p->has_global_ctrl_fields =
		vmread_safe(GUEST_IA32_PERF_GLOBAL_CTRL, &p->guest_global_ctrl) == VMX_OK &&
		vmread_safe(HOST_IA32_PERF_GLOBAL_CTRL, &p->host_global_ctrl) == VMX_OK;
	p->launched = false;
	memcpy(p->saved_code, code, sizeof(stub));
	memcpy(code, stub, sizeof(stub));
	vmwrite(GUEST_RIP, PROBE_GUEST_RIP);
	/* No time limit: the probe must exit only through its VMCALL. */
	vmwrite(PIN_BASED_VM_EXEC_CONTROL, p->pin & ~(u64)PIN_BASED_VMX_PREEMPTION_TIMER);
}

u64 vm_probe_roundtrip(struct vm_probe *p)
{
	u64 t = vmx_probe_roundtrip(!p->launched);

	if (t == ~0ULL)
		return t;
	p->launched = true;
	return vmread(VM_EXIT_REASON) == EXIT_REASON_VMCALL ? t : ~0ULL;
}

void vm_probe_end(struct vm_probe *p)
{
	vmwrite(GUEST_RIP, p->rip);
	vmwrite(HOST_RIP, p->host_rip);
	vmwrite(HOST_RSP, p->host_rsp);
	vmwrite(VM_EXIT_CONTROLS, p->exit_ctl);
	vmwrite(VM_ENTRY_CONTROLS, p->entry_ctl);
	vmwrite(PIN_BASED_VM_EXEC_CONTROL, p->pin);
	for (int i = 0; i < 3; i++) {
		vmwrite(list_counts[i], p->counts[i]);
		vmwrite(list_addrs[i], p->addrs[i]);
	}
	if (p->has_global_ctrl_fields) {
		vmwrite(GUEST_IA32_PERF_GLOBAL_CTRL, p->guest_global_ctrl);
		vmwrite(HOST_IA32_PERF_GLOBAL_CTRL, p->host_global_ctrl);
	}
	memcpy(phys_to_virt(PROBE_GUEST_RIP), p->saved_code, sizeof(stub));
	if (!p->launched)
		return;
	/* The probe launched the VMCS; VMCLEAR makes VMLAUNCH valid again for the guest. */
	vmx_check(vmclear_safe(vcpu.vmcs_phys), "VMCLEAR", vcpu.vmcs_phys);
	vmx_check(vmptrld_safe(vcpu.vmcs_phys), "VMPTRLD", vcpu.vmcs_phys);
}
