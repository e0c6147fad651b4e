/*
 * hv/exit/nmi.c against the VMCS model: an NMI the hypervisor took is
 * injected when the guest can take it, waits for the NMI window when it
 * cannot, and an exit that interrupted event delivery delivers it again.
 * One that arrives after the last check before VM entry, or in the middle
 * of it, is not left for a later exit; one on a parked processor is not
 * the guest's.
 */
#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "tests/model/vmcs_model.h"
#include "hv/exit/nmi.h"
#include "hv/exit/vmexit.h"
#include "arch/x86/vmx_entry.h"
#include "arch/x86/lapic.h"
#include "arch/x86/nmi.h"
#include "arch/x86/vmx.h"

#define NMI_INJECTION (NMI_VECTOR | INTR_TYPE_NMI | INTR_INFO_VALID)
#define CPU_CONTROLS 0x96006172ULL /* whatever the run chose; only bit 22 may change */

#define APIC_BASE_DEFAULT (0xfee00000ULL | APICBASE_ENABLE)

/* On the bootstrap processor, in root operation after a VM exit. */
static void guest_running(u64 interruptibility)
{
	model_reset();
	model_msr_set(MSR_IA32_APICBASE, APIC_BASE_DEFAULT | APICBASE_BSP);
	nmi_after_exit();
	nmi_pending = 0;
	nmi_parked = 0;
	vmwrite(CPU_BASED_VM_EXEC_CONTROL, CPU_CONTROLS);
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, interruptibility);
	vmwrite(IDT_VECTORING_INFO_FIELD, 0);
}

TEST(nmi_taken_in_root_is_injected_at_the_next_entry)
{
	guest_running(0);
	nmi_taken_in_root();
	nmi_deliver_pending();
	CHECK_EQ_U64(vmread(VM_ENTRY_INTR_INFO_FIELD), NMI_INJECTION);
	CHECK_EQ_U64(nmi_pending, 0);
	CHECK_EQ_U64(vmread(CPU_BASED_VM_EXEC_CONTROL), CPU_CONTROLS);
}

TEST(nmi_exit_is_reflected_to_the_guest)
{
	guest_running(0);
	model_nmi_unblocks = 0;
	vmwrite(VM_EXIT_INTR_INFO, NMI_VECTOR | INTR_TYPE_NMI | INTR_INFO_VALID);
	CHECK_EQ_U64(handle_exception_nmi(), EXIT_RESUME);
	/* The exit left NMIs blocked in root operation: the next one would never come. */
	CHECK_EQ_U64(model_nmi_unblocks, 1);
	nmi_deliver_pending();
	CHECK_EQ_U64(vmread(VM_ENTRY_INTR_INFO_FIELD), NMI_INJECTION);
}

TEST(nmi_waits_for_the_window_while_the_guest_blocks_nmis)
{
	guest_running(GUEST_INTR_STATE_NMI);
	nmi_taken_in_root();
	nmi_deliver_pending();
	CHECK_EQ_U64(vmread(VM_ENTRY_INTR_INFO_FIELD), 0);
	CHECK_EQ_U64(vmread(CPU_BASED_VM_EXEC_CONTROL),
		     CPU_CONTROLS | CPU_BASED_NMI_WINDOW_EXITING);
	CHECK_EQ_U64(nmi_pending, 1);
	/* The guest's IRET opens the window. */
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, 0);
	CHECK_EQ_U64(handle_nmi_window(), EXIT_RESUME);
	nmi_deliver_pending();
	CHECK_EQ_U64(vmread(VM_ENTRY_INTR_INFO_FIELD), NMI_INJECTION);
	CHECK_EQ_U64(vmread(CPU_BASED_VM_EXEC_CONTROL), CPU_CONTROLS);
}

TEST(nmi_waits_behind_mov_ss_blocking_and_another_injection)
{
	guest_running(GUEST_INTR_STATE_MOV_SS);
	nmi_taken_in_root();
	nmi_deliver_pending();
	CHECK_EQ_U64(vmread(VM_ENTRY_INTR_INFO_FIELD), 0);
	guest_running(0);
	nmi_taken_in_root();
	vmwrite(VM_ENTRY_INTR_INFO_FIELD,
		13 | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_DELIVER_CODE | INTR_INFO_VALID);
	nmi_deliver_pending();
	CHECK_EQ_U64(vmread(VM_ENTRY_INTR_INFO_FIELD) & 0xff, 13); /* the #GP goes first */
	CHECK(vmread(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_NMI_WINDOW_EXITING);
}

TEST(nmi_during_event_delivery_redelivers_the_event)
{
	u64 soft_int = 0x80 | INTR_TYPE_SOFT_INTR | INTR_INFO_VALID;

	guest_running(0);
	vmwrite(VM_EXIT_INTR_INFO, NMI_VECTOR | INTR_TYPE_NMI | INTR_INFO_VALID);
	vmwrite(IDT_VECTORING_INFO_FIELD, soft_int);
	vmwrite(VM_EXIT_INSTRUCTION_LEN, 2);
	handle_exception_nmi();
	CHECK_EQ_U64(vmread(VM_ENTRY_INTR_INFO_FIELD), soft_int);
	CHECK_EQ_U64(vmread(VM_ENTRY_INSTRUCTION_LEN), 2);
	nmi_deliver_pending(); /* the INT 0x80 first, the NMI after it */
	CHECK_EQ_U64(vmread(VM_ENTRY_INTR_INFO_FIELD), soft_int);
	CHECK(vmread(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_NMI_WINDOW_EXITING);
	/* A #PF being delivered keeps its error code. */
	guest_running(0);
	vmwrite(IDT_VECTORING_INFO_FIELD,
		14 | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_DELIVER_CODE | INTR_INFO_VALID);
	vmwrite(IDT_VECTORING_ERROR_CODE, 6);
	vcpu_redeliver_interrupted_event();
	CHECK_EQ_U64(vmread(VM_ENTRY_EXCEPTION_ERROR_CODE), 6);
}

/* What the guest is owed after VM entry: an NMI still pending must have the window open. */
static bool no_nmi_left_waiting(void)
{
	return nmi_pending == 0 ||
	       (vmread(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_NMI_WINDOW_EXITING);
}

static bool nmi_injected(void)
{
	return vmread(VM_ENTRY_INTR_INFO_FIELD) == NMI_INJECTION;
}

TEST(nmi_after_the_last_check_opens_the_nmi_window)
{
	guest_running(0);
	vmwrite(VM_EXIT_REASON, EXIT_REASON_NMI_WINDOW);
	vmexit_handler();
	CHECK_EQ_U64(vmread(VM_ENTRY_INTR_INFO_FIELD), 0);
	/* On the way to VMRESUME: the guest is to halt, and would wait for its next exit. */
	nmi_taken_in_root();
	CHECK_EQ_U64(nmi_pending, 1);
	CHECK_EQ_U64(vmread(CPU_BASED_VM_EXEC_CONTROL),
		     CPU_CONTROLS | CPU_BASED_NMI_WINDOW_EXITING);
	/* It exits before its first instruction, and the exit injects the NMI. */
	vmexit_handler();
	CHECK(nmi_injected());
	CHECK_EQ_U64(nmi_pending, 0);
	CHECK_EQ_U64(vmread(CPU_BASED_VM_EXEC_CONTROL), CPU_CONTROLS);
	/* While an exit is handled, an NMI is only counted: the check ahead delivers it. */
	vmexit_handler();
	nmi_after_exit();
	nmi_taken_in_root();
	CHECK_EQ_U64(vmread(CPU_BASED_VM_EXEC_CONTROL), CPU_CONTROLS);
	CHECK_EQ_U64(nmi_pending, 1);
}

static void strike(void *arg)
{
	*(bool *)arg = true;
	nmi_taken_in_root();
}

/* One state the last check may find, and an NMI at each point of it: none is left waiting. */
static void nmi_strikes_during_the_check(const char *what, u64 interruptibility, u32 pending,
					 bool window_open)
{
	bool during = true;

	for (unsigned at = 0; during; at++) {
		guest_running(interruptibility);
		nmi_pending = pending;
		if (window_open)
			vmwrite(CPU_BASED_VM_EXEC_CONTROL,
				CPU_CONTROLS | CPU_BASED_NMI_WINDOW_EXITING);
		during = false;
		model_vmcs_before_access(at, strike, &during);
		nmi_before_entry();
		model_vmcs_before_access(0, NULL, NULL);
		if (!during)
			nmi_taken_in_root(); /* after the check: on the way to VMRESUME */
		unit_check(no_nmi_left_waiting(), __FILE__, __LINE__,
			   "%s: an NMI before VMCS access %u of the check is left waiting", what,
			   at);
		CHECK_EQ_U64(nmi_pending + nmi_injected(), pending + 1);
	}
}

TEST(nmi_during_the_last_check_is_not_left_waiting)
{
	nmi_strikes_during_the_check("none pending", 0, 0, false);
	nmi_strikes_during_the_check("one pending", 0, 1, false);
	nmi_strikes_during_the_check("one pending, window open", 0, 1, true);
	nmi_strikes_during_the_check("guest blocks NMIs", GUEST_INTR_STATE_NMI, 1, true);
	nmi_strikes_during_the_check("two pending", 0, 2, false);
}

TEST(nmi_on_a_parked_processor_is_not_the_guests)
{
	guest_running(0);
	nmi_before_entry();
	/* The same handler runs on every processor; only the bootstrap one runs the guest. */
	model_msr_set(MSR_IA32_APICBASE, APIC_BASE_DEFAULT);
	nmi_taken_in_root();
	nmi_taken_in_root();
	CHECK_EQ_U64(nmi_parked, 2);
	CHECK_EQ_U64(nmi_pending, 0);
	CHECK_EQ_U64(vmread(CPU_BASED_VM_EXEC_CONTROL), CPU_CONTROLS);
}
