/* The global_ctrl=vmcs self-test (hv/cpu/global_ctrl_check.h). */
#include "hv/cpu/global_ctrl_check.h"
#include "hv/cpu/probe.h"
#include "hv/pmu/pmu.h"
#include "hv/base/log.h"
#include "hv/base/status.h"
#include "arch/x86/frame.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/pmu.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_msr_list.h"

/*
 * global_ctrl=vmcs: does the CPU apply the dedicated controls? One entry
 * and exit of the probe VM, the VM entry told to load GUEST_VALUE and the
 * VM exit HOST_VALUE; the VM-exit MSR-store list, which runs before the
 * host state is loaded, sees what the guest had. Bochs 2.7 accepts the
 * controls and ignores them, which would leave GLOBAL_CTRL unswitched.
 * Counters the values enable count nothing: their selectors are off.
 */
void vcpu_check_global_ctrl_fields(void)
{
	u64 guest_value = global_bit_gp(0);
	u64 host_value = pmu_fixed_present(0) ? global_bit_fixed(0) : global_bit_gp(1);
	u64 before, in_guest, after, t, page;
	struct vmx_msr_entry *store;
	struct vm_probe probe;

	if (!pmu_global_ctrl_via_vmcs())
		return;
	before = rdmsr(MSR_CORE_PERF_GLOBAL_CTRL);
	page = frame_alloc_zeroed();
	if (!page)
		hv_fail(HV_STATUS_HV_FAULT, "out of memory for the GLOBAL_CTRL self-test list");
	store = phys_to_virt(page);
	store[0] = (struct vmx_msr_entry){ MSR_CORE_PERF_GLOBAL_CTRL, 0, 0 };
	vm_probe_begin(&probe);
	vmwrite(VM_ENTRY_CONTROLS, probe.entry_ctl | VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL);
	vmwrite(VM_EXIT_CONTROLS, (probe.exit_ctl | VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL) &
					  ~(u64)VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL);
	vmwrite(GUEST_IA32_PERF_GLOBAL_CTRL, guest_value);
	vmwrite(HOST_IA32_PERF_GLOBAL_CTRL, host_value);
	vmwrite(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VM_EXIT_MSR_STORE_ADDR, virt_to_phys(store));
	vmwrite(VM_EXIT_MSR_STORE_COUNT, 1);
	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	t = vm_probe_roundtrip(&probe);
	after = rdmsr(MSR_CORE_PERF_GLOBAL_CTRL);
	in_guest = store[0].value;
	wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, before);
	vm_probe_end(&probe);
	if (t == ~0ULL)
		hv_fail(HV_STATUS_UNSUPPORTED,
			"global_ctrl=vmcs: the self-test VM did not run (VM-instruction error %d, "
			"exit reason %llu)",
			vmx_read_instruction_error(), (unsigned long long)vmread(VM_EXIT_REASON));
	if (in_guest != guest_value || after != host_value)
		hv_fail(HV_STATUS_UNSUPPORTED,
			"global_ctrl=vmcs: the CPU does not apply the 'load IA32_PERF_GLOBAL_CTRL' "
			"controls (VM entry: 0x%llx, want 0x%llx; VM exit: 0x%llx, want 0x%llx); "
			"use global_ctrl=lists",
			(unsigned long long)in_guest, (unsigned long long)guest_value,
			(unsigned long long)after, (unsigned long long)host_value);
	pr_info("pmu: global_ctrl=vmcs self-test: VM entry and exit load IA32_PERF_GLOBAL_CTRL");
}
