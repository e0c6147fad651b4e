/*
 * Exits that end the guest: a triple fault, a broken EPT
 * (misconfiguration), and a failed VM entry,
 * decoded per Intel SDM Vol. 3C, "VM-Entry Failures During or After
 * Loading Guest State".
 */
#include "hv/exit/fatal.h"
#include "hv/cpu/vcpu.h"
#include "arch/x86/vmx_entry.h"
#include "hv/base/log.h"
#include "hv/base/status.h"
#include "arch/x86/ept.h"
#include "arch/x86/vmx.h"

void print_guest_state(void)
{
	console_printf("pmuvisor:   guest RIP=%llx RSP=%llx RFLAGS=%llx CR0=%llx CR3=%llx CR4=%llx "
		       "EFER=%llx\n",
		       (unsigned long long)vmread(GUEST_RIP), (unsigned long long)vmread(GUEST_RSP),
		       (unsigned long long)vmread(GUEST_RFLAGS),
		       (unsigned long long)vmread(GUEST_CR0), (unsigned long long)vmread(GUEST_CR3),
		       (unsigned long long)vmread(GUEST_CR4),
		       (unsigned long long)vmread(GUEST_IA32_EFER));
	console_printf("pmuvisor:   guest CS=%llx/AR %llx SS=%llx/AR %llx TR AR %llx "
		       "interruptibility %llx activity %llx\n",
		       (unsigned long long)vmread(GUEST_CS_SELECTOR),
		       (unsigned long long)vmread(GUEST_CS_AR_BYTES),
		       (unsigned long long)vmread(GUEST_SS_SELECTOR),
		       (unsigned long long)vmread(GUEST_SS_AR_BYTES),
		       (unsigned long long)vmread(GUEST_TR_AR_BYTES),
		       (unsigned long long)vmread(GUEST_INTERRUPTIBILITY_INFO),
		       (unsigned long long)vmread(GUEST_ACTIVITY_STATE));
}

void print_exit_fields(void)
{
	console_printf(
		"pmuvisor:   exit reason 0x%llx qualification 0x%llx interruption info 0x%llx "
		"error code 0x%llx\n",
		(unsigned long long)vmread(VM_EXIT_REASON),
		(unsigned long long)vmread(EXIT_QUALIFICATION),
		(unsigned long long)vmread(VM_EXIT_INTR_INFO),
		(unsigned long long)vmread(VM_EXIT_INTR_ERROR_CODE));
	console_printf("pmuvisor:   IDT-vectoring info 0x%llx error code 0x%llx instruction length "
		       "%llu instruction info 0x%llx\n",
		       (unsigned long long)vmread(IDT_VECTORING_INFO_FIELD),
		       (unsigned long long)vmread(IDT_VECTORING_ERROR_CODE),
		       (unsigned long long)vmread(VM_EXIT_INSTRUCTION_LEN),
		       (unsigned long long)vmread(VMX_INSTRUCTION_INFO));
	console_printf("pmuvisor:   guest-physical 0x%llx guest-linear 0x%llx\n",
		       (unsigned long long)vmread(GUEST_PHYSICAL_ADDRESS),
		       (unsigned long long)vmread(GUEST_LINEAR_ADDRESS));
}

enum exit_action handle_triple_fault(void)
{
	print_guest_state();
	return guest_stop(
		HV_STATUS_GUEST_CRASHED,
		"guest triple fault at RIP 0x%llx (CR0 0x%llx CR3 0x%llx CR4 0x%llx EFER 0x%llx)",
		(unsigned long long)vmread(GUEST_RIP), (unsigned long long)vmread(CR0_READ_SHADOW),
		(unsigned long long)vmread(GUEST_CR3), (unsigned long long)vmread(CR4_READ_SHADOW),
		(unsigned long long)vmread(GUEST_IA32_EFER));
}

enum exit_action handle_ept_misconfig(void)
{
	u64 gpa = vmread(GUEST_PHYSICAL_ADDRESS);

	return guest_stop(
		HV_STATUS_HV_FAULT,
		"EPT misconfiguration at guest-physical 0x%llx (entry 0x%llx): hypervisor bug",
		(unsigned long long)gpa, (unsigned long long)ept_lookup(&vcpu.ept, gpa));
}

void vmentry_failure(u32 reason)
{
	u32 basic = EXIT_REASON_BASIC(reason);
	u64 q = vcpu_exit_qualification();

	print_guest_state();
	switch (basic) {
	case EXIT_REASON_INVALID_STATE:
		hv_fail(HV_STATUS_HV_FAULT,
			"VM entry failed: invalid guest state (qualification %llu%s)",
			(unsigned long long)q,
			q == 2	 ? ": PDPTE"
			: q == 3 ? ": NMI injection"
			: q == 4 ? ": VMCS link pointer"
				 : "");
	case EXIT_REASON_MSR_LOAD_FAIL:
		hv_fail(HV_STATUS_HV_FAULT,
			"VM entry failed: error loading entry %llu of the VM-entry MSR-load list",
			(unsigned long long)q);
	case EXIT_REASON_MCE_DURING_VMENTRY:
		hv_fail(HV_STATUS_HV_FAULT, "VM entry failed: machine-check event");
	default:
		hv_fail(HV_STATUS_HV_FAULT, "VM entry failed with exit reason %u (%s)", basic,
			exit_reason_name(basic));
	}
}

/* VMLAUNCH or VMRESUME itself failed (VMfail): the control or host state is wrong. */
void vmx_entry_failed(int resumed)
{
	int err = vmx_read_instruction_error();

	print_guest_state();
	hv_fail(HV_STATUS_HV_FAULT, "%s failed: VM-instruction error %d: %s",
		resumed ? "VMRESUME" : "VMLAUNCH", err, vmx_instruction_error_name(err));
}
