/*
 * NMIs belong to the guest: it owns the machine's devices and, under most
 * strategies, the PMU whose overflow interrupts may be NMIs. With NMI
 * exiting and virtual NMIs (SDM Vol. 3C, "Pin-Based VM-Execution
 * Controls"), an NMI that arrives while the guest runs exits (reason 0,
 * interruption type NMI; SDM Vol. 3C, "VM Exits Caused by NMIs") and one
 * that arrives in root operation is taken by the hypervisor's IDT; both
 * are counted here and injected at a VM entry where the guest is not
 * blocking NMIs, with NMI-window exiting to wait for that point otherwise
 * (SDM Vol. 3C, "NMI-Window Exiting", "Interruptibility State" and "Event
 * Injection").
 *
 * An NMI that arrives after the last check before VM entry would wait for
 * the guest's next exit, which a halted guest may never take. So from that
 * check (nmi_before_entry) to the next VM exit (nmi_after_exit) the NMI
 * handler sets NMI-window exiting itself: the guest then exits before its
 * first instruction, or as soon as it stops blocking NMIs, and wakes from
 * HLT to do so, as for an NMI ("NMI-Window Exiting").
 *
 * Why the handler may VMREAD and VMWRITE the current VMCS in that span:
 *  - the VMCS is current and stays so: the span ends at the VM exit,
 *    before anything could VMCLEAR it or load another (a next run, a probe
 *    VM);
 *  - VMREAD and VMWRITE are single instructions, so an NMI comes between
 *    two of them, never inside one. Each changes only RFLAGS, which IRET
 *    restores, and, when it fails, the VM-instruction error field; the
 *    handler's succeed, and a VMsucceed leaves that field alone (SDM Vol.
 *    3C, "Conventions"), so an interrupted VMWRITE-then-read-the-error
 *    sequence reads its own error;
 *  - the one field it writes is the primary processor-based controls, and
 *    the only code that writes that field in the span is the check itself,
 *    which the handler can interrupt between its VMREAD and VMWRITE: the
 *    check then writes back a value without the bit. It therefore runs
 *    again whenever an NMI arrived while it ran (nmi_arrivals), and with
 *    that NMI pending sets the bit itself. An NMI after the check's last
 *    pass interrupts no VMCS access at all, only the way to VMRESUME.
 * NMIs on the parked processors (hv/cpu/smp.c) are only counted: they run
 * no guest and have no VMCS.
 */
#include "hv/exit/nmi.h"
#include "hv/cpu/vcpu.h"
#include "hv/base/status.h"
#include "arch/x86/lapic.h"
#include "arch/x86/nmi.h"
#include "arch/x86/vmx.h"

volatile u32 nmi_pending;
volatile u32 nmi_parked;
/* Every NMI the guest's processor took in root operation: the check re-runs when it moves. */
static volatile u32 nmi_arrivals;
volatile bool nmi_after_check;

static void set_nmi_window_exiting(bool on)
{
	u64 cpu = vmread(CPU_BASED_VM_EXEC_CONTROL);
	u64 want = on ? cpu | CPU_BASED_NMI_WINDOW_EXITING
		      : cpu & ~(u64)CPU_BASED_NMI_WINDOW_EXITING;

	if (want != cpu)
		vmwrite(CPU_BASED_VM_EXEC_CONTROL, want);
}

/*
 * In NMI context. The counters change by locked read-modify-write
 * instructions, which an NMI cannot split, as the code it interrupts does.
 */
void nmi_taken_in_root(void)
{
	if (!cpu_is_bsp()) {
		__atomic_add_fetch(&nmi_parked, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_add_fetch(&nmi_pending, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&nmi_arrivals, 1, __ATOMIC_RELAXED);
	if (nmi_after_check)
		set_nmi_window_exiting(true);
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
	__atomic_sub_fetch(&nmi_pending, 1, __ATOMIC_RELAXED);
	set_nmi_window_exiting(nmi_pending != 0);
}

void nmi_deliver_before_entry(void)
{
	u32 seen;

	do {
		seen = nmi_arrivals;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		if (nmi_pending)
			nmi_deliver_pending();
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	} while (nmi_arrivals != seen);
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
		return guest_stop(
			HV_STATUS_HV_FAULT,
			"exception exit (interruption info 0x%llx) with an empty exception "
			"bitmap",
			(unsigned long long)info);
	nmi_unblock();
	__atomic_add_fetch(&nmi_pending, 1, __ATOMIC_RELAXED);
	vcpu_redeliver_interrupted_event();
	return EXIT_RESUME;
}

enum exit_action handle_nmi_window(void)
{
	set_nmi_window_exiting(false);
	return EXIT_RESUME;
}
