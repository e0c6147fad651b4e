/*
 * IA32_PERF_GLOBAL_CTRL at VM entry and exit: through the VMCS MSR lists
 * (global_ctrl=lists) or the dedicated VM-entry/VM-exit controls and
 * fields (global_ctrl=vmcs); the self-test of the latter is the vCPU's
 * (hv/cpu/global_ctrl_check.c), on its probe VM.
 */
#include "hv/pmu/internal.h"
#include "hv/base/status.h"
#include "hv/base/log.h"
#include "arch/x86/frame.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmx.h"

static struct vmx_msr_entry *alloc_list(const char *what)
{
	u64 p = frame_alloc_zeroed();

	if (!p)
		hv_fail(HV_STATUS_HV_FAULT, "out of memory for the %s", what);
	return phys_to_virt(p);
}

/* A full list ends the run: the VM transition would not switch the MSR. */
static void list_add(struct vmx_msr_list *list, const char *what, u32 msr, u64 value)
{
	if (!vmx_msr_list_add(list, msr, value))
		hv_fail(HV_STATUS_HV_FAULT, "the %s is full (%u entries): MSR 0x%x not added", what,
			(unsigned)VMX_MSR_LIST_MAX, msr);
}

static void setup_msr_lists(u64 max)
{
	pmu.guest_list = (struct vmx_msr_list){ alloc_list("guest MSR list"), 0 };
	pmu.host_list = (struct vmx_msr_list){ alloc_list("host MSR list"), 0 };
	list_add(&pmu.guest_list, "guest MSR list", MSR_CORE_PERF_GLOBAL_CTRL,
		 pmu.host_boot.global_ctrl & pmu.guest_global_mask);
	list_add(&pmu.host_list, "host MSR list", MSR_CORE_PERF_GLOBAL_CTRL,
		 pmu.host_global_ctrl_at_exit);
	if (pmu.guest_list.count > max)
		hv_fail(HV_STATUS_UNSUPPORTED, "VMX MSR lists hold at most %llu entries",
			(unsigned long long)max);
	/* One memory area serves as VM-exit MSR-store and VM-entry MSR-load list. */
	vmwrite(VM_ENTRY_MSR_LOAD_ADDR, virt_to_phys(pmu.guest_list.entries));
	vmwrite(VM_ENTRY_MSR_LOAD_COUNT, pmu.guest_list.count);
	vmwrite(VM_EXIT_MSR_STORE_ADDR, virt_to_phys(pmu.guest_list.entries));
	vmwrite(VM_EXIT_MSR_STORE_COUNT, pmu.guest_list.count);
	vmwrite(VM_EXIT_MSR_LOAD_ADDR, virt_to_phys(pmu.host_list.entries));
	vmwrite(VM_EXIT_MSR_LOAD_COUNT, pmu.host_list.count);
}

/* Upstream KVM's scheme: the dedicated fields, saving through the store list where the CPU cannot. */
static void setup_vmcs_fields(const struct pmu_vmx_caps *caps, u32 *exit_controls,
			      u32 *entry_controls)
{
	if (!caps->entry_load_global_ctrl || !caps->exit_load_global_ctrl)
		hv_fail(HV_STATUS_UNSUPPORTED,
			"global_ctrl=vmcs: this CPU does not offer the 'load "
			"IA32_PERF_GLOBAL_CTRL' "
			"VM-entry and VM-exit controls (use global_ctrl=lists)");
	*entry_controls |= VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL;
	*exit_controls |= VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL;
	vmwrite(GUEST_IA32_PERF_GLOBAL_CTRL, pmu.host_boot.global_ctrl & pmu.guest_global_mask);
	vmwrite(HOST_IA32_PERF_GLOBAL_CTRL, pmu.host_global_ctrl_at_exit);
	pmu.vmcs_saves_global_ctrl = caps->exit_save_global_ctrl;
	if (pmu.vmcs_saves_global_ctrl) {
		*exit_controls |= VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL;
		return;
	}
	pmu.guest_list = (struct vmx_msr_list){ alloc_list("guest MSR list"), 0 };
	list_add(&pmu.guest_list, "guest MSR list", MSR_CORE_PERF_GLOBAL_CTRL, 0);
	vmwrite(VM_EXIT_MSR_STORE_ADDR, virt_to_phys(pmu.guest_list.entries));
	vmwrite(VM_EXIT_MSR_STORE_COUNT, pmu.guest_list.count);
}

void pmu_setup_global_ctrl(const struct pmu_vmx_caps *caps, struct vmx_controls *c)
{
	if (pmu.global_ctrl_mode == GLOBAL_CTRL_LISTS)
		setup_msr_lists(caps->max_msr_list);
	else
		setup_vmcs_fields(caps, &c->exit, &c->entry);
}

bool pmu_global_ctrl_via_vmcs(void)
{
	return pmu.global_ctrl_mode == GLOBAL_CTRL_VMCS && pmu_guest_has_pmu();
}

u64 pmu_guest_global_ctrl(void)
{
	if (pmu.global_ctrl_mode == GLOBAL_CTRL_VMCS)
		return vmread(GUEST_IA32_PERF_GLOBAL_CTRL);
	return pmu.guest_list.entries[0].value;
}

void pmu_set_guest_global_ctrl(u64 value)
{
	if (pmu.global_ctrl_mode == GLOBAL_CTRL_VMCS)
		vmwrite(GUEST_IA32_PERF_GLOBAL_CTRL, value);
	else
		pmu.guest_list.entries[0].value = value;
}

/* Without the save control, the VM-exit MSR-store list caught the value: copy it to the field. */
bool pmu_copies_global_ctrl_field(void)
{
	return pmu.global_ctrl_mode == GLOBAL_CTRL_VMCS && !pmu.vmcs_saves_global_ctrl &&
	       pmu_guest_has_pmu();
}

void pmu_sync_global_ctrl_field(void)
{
	if (pmu_copies_global_ctrl_field())
		vmwrite(GUEST_IA32_PERF_GLOBAL_CTRL, pmu.guest_list.entries[0].value);
}
