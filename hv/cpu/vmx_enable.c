/*
 * Entering VMX root operation: every feature the design needs is checked
 * first, and a missing one ends the run with one line naming it. Intel SDM
 * Vol. 3C, "Enabling and Entering VMX Operation".
 */
#include "arch/x86/frame.h"
#include "hv/base/log.h"
#include "hv/base/options.h"
#include "hv/base/status.h"
#include "hv/cpu/cpuid_controls.h"
#include "hv/cpu/vcpu.h"
#include "hv/cpu/vmx_enable.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmx.h"

struct control_bit {
	u32 bit;
	const char *name;
};

struct control_word {
	const char *name;
	u32 cap_msr, true_cap_msr;
	const struct control_bit *required;
	size_t nr_required;
	u32 optional;
};

/* NMIs go to the guest through the hypervisor (hv/exit/nmi.c). */
static const struct control_bit pin_required[] = {
	{ PIN_BASED_NMI_EXITING, "NMI exiting" },
	{ PIN_BASED_VIRTUAL_NMIS, "virtual NMIs" },
};
static const struct control_bit cpu_required[] = {
	{ CPU_BASED_USE_TSC_OFFSETTING, "use TSC offsetting" },
	{ CPU_BASED_USE_IO_BITMAPS, "use I/O bitmaps" },
	{ CPU_BASED_USE_MSR_BITMAPS, "use MSR bitmaps" },
	{ CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, "activate secondary controls" },
};
static const struct control_bit secondary_required[] = {
	{ SECONDARY_EXEC_ENABLE_EPT, "enable EPT" },
	{ SECONDARY_EXEC_UNRESTRICTED_GUEST, "unrestricted guest" },
};
static const struct control_bit exit_required[] = {
	{ VM_EXIT_HOST_ADDR_SPACE_SIZE, "host address-space size" },
	{ VM_EXIT_SAVE_IA32_PAT, "save IA32_PAT" },
	{ VM_EXIT_LOAD_IA32_PAT, "load IA32_PAT" },
	{ VM_EXIT_SAVE_IA32_EFER, "save IA32_EFER" },
	{ VM_EXIT_LOAD_IA32_EFER, "load IA32_EFER" },
};
static const struct control_bit entry_required[] = {
	{ VM_ENTRY_LOAD_IA32_PAT, "load IA32_PAT" },
	{ VM_ENTRY_LOAD_IA32_EFER, "load IA32_EFER" },
};

static u64 vmx_basic;

static u64 control_cap_msr(u32 cap_msr, u32 true_cap_msr)
{
	return rdmsr((vmx_basic & VMX_BASIC_TRUE_CTLS) && true_cap_msr ? true_cap_msr : cap_msr);
}

static u64 control_cap(const struct control_word *w)
{
	return control_cap_msr(w->cap_msr, w->true_cap_msr);
}

static u32 compute_word(const struct control_word *w, u32 extra_required)
{
	u32 required = extra_required, out, missing;

	for (size_t i = 0; i < w->nr_required; i++)
		required |= w->required[i].bit;
	if (vmx_adjust_controls(control_cap(w), required, w->optional, &out, &missing))
		return out;
	for (size_t i = 0; i < w->nr_required; i++)
		if (missing & w->required[i].bit)
			hv_fail(HV_STATUS_UNSUPPORTED,
				"VMX lacks the %s control '%s' (bit mask 0x%x)", w->name,
				w->required[i].name, w->required[i].bit);
	hv_fail(HV_STATUS_UNSUPPORTED, "VMX lacks %s control bits 0x%x", w->name, missing);
}

bool vmx_exit_control_supported(u32 bit)
{
	return control_cap_msr(MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS) >> 32 & bit;
}

bool vmx_cpu_control_supported(u32 bit)
{
	return control_cap_msr(MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS) >>
		       32 &
	       bit;
}

bool vmx_entry_control_supported(u32 bit)
{
	return control_cap_msr(MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS) >> 32 & bit;
}

void vmx_compute_controls(struct vmx_controls *c, bool want_preemption_timer)
{
	const struct control_word pin = {
		"pin-based",  MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS,
		pin_required, ARRAY_SIZE(pin_required),	  0
	};
	const struct control_word cpu = {
		"primary processor-based",	  MSR_IA32_VMX_PROCBASED_CTLS,
		MSR_IA32_VMX_TRUE_PROCBASED_CTLS, cpu_required,
		ARRAY_SIZE(cpu_required),	  0
	};
	/* Optional: the controls the guest's CPUID features need (cpuid_controls.c). */
	const struct control_word secondary = { "secondary processor-based",
						MSR_IA32_VMX_PROCBASED_CTLS2,
						0,
						secondary_required,
						ARRAY_SIZE(secondary_required),
						cpuid_controls_wanted_secondary() };
	const struct control_word exit = {
		"VM-exit",     MSR_IA32_VMX_EXIT_CTLS,	  MSR_IA32_VMX_TRUE_EXIT_CTLS,
		exit_required, ARRAY_SIZE(exit_required), VM_EXIT_SAVE_DEBUG_CONTROLS
	};
	const struct control_word entry = {
		"VM-entry",	MSR_IA32_VMX_ENTRY_CTLS,    MSR_IA32_VMX_TRUE_ENTRY_CTLS,
		entry_required, ARRAY_SIZE(entry_required), VM_ENTRY_LOAD_DEBUG_CONTROLS
	};

	c->pin = compute_word(&pin, want_preemption_timer ? PIN_BASED_VMX_PREEMPTION_TIMER : 0);
	c->cpu = compute_word(&cpu, 0);
	c->secondary = compute_word(&secondary, 0);
	c->exit = compute_word(&exit, 0);
	c->entry = compute_word(&entry, 0);
}

static void check_feature_control(void)
{
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)
		return;
	if (fc & FEAT_CTL_LOCKED)
		hv_fail(HV_STATUS_UNSUPPORTED,
			"VMX is disabled by the firmware: IA32_FEATURE_CONTROL is locked with "
			"'enable VMX outside SMX' clear (enable VT-x in the BIOS setup)");
	wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX | FEAT_CTL_LOCKED);
	pr_info("vmx: enabled and locked IA32_FEATURE_CONTROL");
}

/* CR0 and CR4 must respect IA32_VMX_CRx_FIXED0/1 in VMX operation. */
static void apply_fixed_bits(void)
{
	u64 cr0 = read_cr0() | rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	u64 cr4 = read_cr4() | rdmsr(MSR_IA32_VMX_CR4_FIXED0) | X86_CR4_VMXE;

	if (cr0 & ~rdmsr(MSR_IA32_VMX_CR0_FIXED1))
		hv_fail(HV_STATUS_UNSUPPORTED, "vmx: CR0 0x%llx violates IA32_VMX_CR0_FIXED1",
			(unsigned long long)cr0);
	if (cr4 & ~rdmsr(MSR_IA32_VMX_CR4_FIXED1))
		hv_fail(HV_STATUS_UNSUPPORTED, "vmx: CR4 0x%llx violates IA32_VMX_CR4_FIXED1",
			(unsigned long long)cr4);
	/* XSETBV exits are emulated by executing XSETBV here. */
	if (cpuid(1).ecx & CPUID_1_ECX_XSAVE)
		cr4 |= X86_CR4_OSXSAVE;
	write_cr0(cr0);
	write_cr4(cr4);
}

static void check_ept(void)
{
	u64 cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);

	if (!(cap & VMX_EPT_PAGE_WALK_4))
		hv_fail(HV_STATUS_UNSUPPORTED, "vmx: EPT lacks 4-level page walks");
	if (!(cap & VMX_EPT_MEMTYPE_WB))
		hv_fail(HV_STATUS_UNSUPPORTED, "vmx: EPT lacks write-back paging structures");
	if (!(cap & VMX_EPT_2MB_PAGE))
		hv_fail(HV_STATUS_UNSUPPORTED, "vmx: EPT lacks 2 MiB pages");
}

static void check_vmx_basic(void)
{
	vmx_basic = rdmsr(MSR_IA32_VMX_BASIC);
	if (VMX_BASIC_MEM_TYPE(vmx_basic) != VMX_MEMTYPE_WB)
		hv_fail(HV_STATUS_UNSUPPORTED, "vmx: VMCS memory type %llu is not write-back",
			(unsigned long long)VMX_BASIC_MEM_TYPE(vmx_basic));
	if (VMX_BASIC_REGION_SIZE(vmx_basic) > PAGE_SIZE)
		hv_fail(HV_STATUS_UNSUPPORTED, "vmx: VMCS region of %llu bytes exceeds a page",
			(unsigned long long)VMX_BASIC_REGION_SIZE(vmx_basic));
}

u32 vmx_revision_id(void)
{
	return (u32)(vmx_basic & VMX_BASIC_REVISION_MASK);
}

/* Serialises the APs' frame allocations: the BSP allocates nothing while they start. */
static volatile u32 vmxon_alloc_lock;

static u64 alloc_vmxon_region(void)
{
	u64 region;

	while (__atomic_exchange_n(&vmxon_alloc_lock, 1, __ATOMIC_ACQUIRE))
		asm volatile("pause");
	region = frame_alloc_zeroed();
	__atomic_store_n(&vmxon_alloc_lock, 0, __ATOMIC_RELEASE);
	if (region)
		*(u32 *)phys_to_virt(region) = vmx_revision_id();
	return region;
}

int vmx_enter_root_ap(void)
{
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL), region;

	if (!(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		if (fc & FEAT_CTL_LOCKED)
			return VMX_FAIL_INVALID;
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX | FEAT_CTL_LOCKED);
	}
	write_cr0(read_cr0() | rdmsr(MSR_IA32_VMX_CR0_FIXED0));
	write_cr4(read_cr4() | rdmsr(MSR_IA32_VMX_CR4_FIXED0) | X86_CR4_VMXE);
	region = alloc_vmxon_region();
	return region ? vmxon_safe(region) : VMX_FAIL_INVALID;
}

void vmx_enable(void)
{
	struct vmx_controls probe;
	u64 vmxon_region;

	check_feature_control();
	check_vmx_basic();
	/* Refuse now, before VMXON, if a required control is missing. */
	vmx_compute_controls(&probe, hv_opts.guest_limit != 0);
	check_ept();
	apply_fixed_bits();

	vmxon_region = alloc_vmxon_region();
	if (!vmxon_region)
		hv_fail(HV_STATUS_HV_FAULT, "vmx: out of memory for the VMXON region");
	vmx_check(vmxon_safe(vmxon_region), "VMXON", vmxon_region);
	pr_info("vmx: VMX root operation entered (VMCS revision 0x%x, MSR lists up to %llu "
		"entries)",
		vmx_revision_id(),
		(unsigned long long)VMX_MISC_MAX_MSR_LIST(rdmsr(MSR_IA32_VMX_MISC)));
}
