/*
 * NMIs belong to the guest: it owns the machine's devices and, under most
 * strategies, the PMU whose overflow interrupts may be NMIs. With NMI
 * exiting and virtual NMIs (SDM Vol. 3C, "Pin-Based VM-Execution
 * Controls"), an NMI that arrives while the guest runs exits (reason 0,
 * interruption type NMI) and one that arrives in root operation is taken
 * by the hypervisor's IDT; both are counted here and injected at a VM
 * entry where the guest is not blocking NMIs, with NMI-window exiting to
 * wait for that point otherwise (SDM Vol. 3C, "NMI-Window Exiting" and
 * "Event Injection"). An NMI that arrives in root operation after the
 * last check before VM entry waits for the guest's next exit.
 */
#include "hv/exit/nmi.h"
#include "hv/cpu/vcpu.h"
#include "hv/status.h"
#include "hv/guest/end.h"
#include "arch/x86/nmi.h"
#include "arch/x86/vmx.h"

volatile u32 nmi_pending;

void nmi_taken_in_root(void)
{
	nmi_pending++;
}

static void set_nmi_window_exiting(bool on)
{
	u64 cpu = vmread(CPU_BASED_VM_EXEC_CONTROL);
	u64 want = on ? cpu | CPU_BASED_NMI_WINDOW_EXITING
		      : cpu & ~(u64)CPU_BASED_NMI_WINDOW_EXITING;

	if (want != cpu)
		vmwrite(CPU_BASED_VM_EXEC_CONTROL, want);
}

/*
 * Event injection needs no other event pending and, for an NMI, no
 * blocking by NMI or MOV SS (SDM Vol. 3C, "Checks on Guest Non-Register
 * State"); STI blocking is honoured too, as some processors block NMIs
 * after STI.
 */
static bool guest_takes_nmi(void)
{
	return !(vmread(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID) &&
	       !(vmread(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS | GUEST_INTR_STATE_NMI));
}

void nmi_deliver_pending(void)
{
	if (!guest_takes_nmi()) {
		set_nmi_window_exiting(true);
		return;
	}
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, NMI_VECTOR | INTR_TYPE_NMI | INTR_INFO_VALID);
	nmi_pending--;
	set_nmi_window_exiting(nmi_pending != 0);
}

void vcpu_redeliver_interrupted_event(void)
{
	u64 info = vmread(IDT_VECTORING_INFO_FIELD);
	u32 type = info & INTR_INFO_TYPE_MASK;

	if (!(info & INTR_INFO_VALID))
		return;
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, info & ~(u64)INTR_INFO_UNBLOCK_NMI);
	if (info & INTR_INFO_DELIVER_CODE)
		vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, vmread(IDT_VECTORING_ERROR_CODE));
	/* Software events are injected with the length of the instruction that raised them. */
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SOFT_EXCEPTION)
		vmwrite(VM_ENTRY_INSTRUCTION_LEN, vmread(VM_EXIT_INSTRUCTION_LEN));
}

/* Exception bitmap 0: only NMIs exit with reason 0. */
enum exit_action handle_exception_nmi(void)
{
	u64 info = vmread(VM_EXIT_INTR_INFO);

	if ((info & INTR_INFO_TYPE_MASK) != INTR_TYPE_NMI)
		guest_end(HV_STATUS_HV_FAULT,
			  "exception exit (interruption info 0x%llx) with an empty exception "
			  "bitmap",
			  (unsigned long long)info);
	nmi_unblock();
	nmi_pending++;
	vcpu_redeliver_interrupted_event();
	return EXIT_RESUME;
}

enum exit_action handle_nmi_window(void)
{
	set_nmi_window_exiting(false);
	return EXIT_RESUME;
}
