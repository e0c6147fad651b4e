/*
 * Which guest accesses exit, decided in one place: the MSRs and I/O ports
 * the hypervisor emulates or hides, the VM-execution controls the options
 * ask for, and the PMU strategy's share (pmu_setup_vmcs()). A handler in
 * this folder serves each intercept set here.
 */
#include "arch/x86/frame.h"
#include "hv/exit/intercepts.h"
#include "hv/exit/power.h"
#include "hv/exit/tsc.h"
#include "hv/cpu/vcpu.h"
#include "hv/cpu/vmx_enable.h"
#include "hv/base/hypercall.h"
#include "hv/base/log.h"
#include "hv/base/options.h"
#include "hv/base/status.h"
#include "arch/x86/lapic.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_bitmap.h"

void intercept_caps_read(struct intercept_caps *caps)
{
	u64 misc = rdmsr(MSR_IA32_VMX_MISC);

	*caps = (struct intercept_caps){
		.pmu = {
			.entry_load_global_ctrl = vmx_entry_control_supported(
				VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL),
			.exit_load_global_ctrl =
				vmx_exit_control_supported(VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL),
			.exit_save_global_ctrl =
				vmx_exit_control_supported(VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL),
			.max_msr_list = VMX_MISC_MAX_MSR_LIST(misc),
		},
		.hlt_exiting = (misc & VMX_MISC_ACTIVITY_HLT) &&
			       vmx_cpu_control_supported(CPU_BASED_HLT_EXITING),
	};
}

static u8 *alloc_bitmap(const char *what)
{
	u64 p = frame_alloc_zeroed();

	if (!p)
		hv_fail(HV_STATUS_HV_FAULT, "out of memory for the %s", what);
	return phys_to_virt(p);
}

static void intercept_ports(u8 *a, u8 *b)
{
	io_bitmap_intercept(a, b, GUEST_EXIT_PORT, 4);
	io_bitmap_intercept(a, b, HV_TEST_PORT, 4);
	power_intercept_ports(a, b);
}

/* The MSRs outside the PMU: those hv/exit/msr.c emulates or hides. */
static void intercept_msrs(u8 *bm)
{
	/* The guest sees no VMX, so its capability MSRs #GP as on a CPU without it. */
	for (u32 msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_VMFUNC; msr++)
		msr_bitmap_intercept(bm, msr, MSR_INTERCEPT_RW);
	msr_bitmap_intercept(bm, MSR_IA32_FEATURE_CONTROL, MSR_INTERCEPT_RW);
	/* INIT/SIPI to other processors must not start them outside VMX. */
	msr_bitmap_intercept(bm, MSR_X2APIC_ICR, MSR_INTERCEPT_WRITE);
	/* The APIC page must stay clear of hypervisor memory (hv/exit/apic.c). */
	msr_bitmap_intercept(bm, MSR_IA32_APICBASE, MSR_INTERCEPT_WRITE);
	/* The processor's TSC times guest_limit: the guest changes only its offset. */
	msr_bitmap_intercept(bm, MSR_IA32_TSC, MSR_INTERCEPT_WRITE);
	if (tsc_adjust_present())
		msr_bitmap_intercept(bm, MSR_IA32_TSC_ADJUST, MSR_INTERCEPT_RW);
}

void intercepts_tsc_deadline(void)
{
	msr_bitmap_intercept(vcpu.msr_bitmap, MSR_IA32_TSC_DEADLINE, MSR_INTERCEPT_RW);
}

void intercepts_setup(const struct intercept_caps *caps)
{
	struct vmx_controls c;

	vcpu.msr_bitmap = alloc_bitmap("MSR bitmap");
	vcpu.io_bitmap_a = alloc_bitmap("I/O bitmap A");
	vcpu.io_bitmap_b = alloc_bitmap("I/O bitmap B");
	vmwrite(VM_EXIT_MSR_STORE_COUNT, 0);
	vmwrite(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VM_ENTRY_MSR_LOAD_COUNT, 0);

	vmx_compute_controls(&c, hv_opts.guest_limit != 0);
	pmu_setup_vmcs(&caps->pmu, vcpu.msr_bitmap, &c);
	/*
	 * HLT exits so that a guest halting for good (interrupts off) ends the
	 * run; an idle HLT goes back in the HLT activity state.
	 */
	if (caps->hlt_exiting)
		c.cpu |= CPU_BASED_HLT_EXITING;
	vcpu_write_exec_controls(&c);
	pr_debug("vmx controls: pin 0x%x cpu 0x%x secondary 0x%x exit 0x%x entry 0x%x", c.pin,
		 c.cpu, c.secondary, c.exit, c.entry);

	intercept_msrs(vcpu.msr_bitmap);
	intercept_ports(vcpu.io_bitmap_a, vcpu.io_bitmap_b);
	vmwrite(MSR_BITMAP, virt_to_phys(vcpu.msr_bitmap));
	vmwrite(IO_BITMAP_A, virt_to_phys(vcpu.io_bitmap_a));
	vmwrite(IO_BITMAP_B, virt_to_phys(vcpu.io_bitmap_b));
}
