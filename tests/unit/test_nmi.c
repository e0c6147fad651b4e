/*
 * hv/exit/nmi.c against the VMCS model: an NMI the hypervisor took is
 * injected when the guest can take it, waits for the NMI window when it
 * cannot, and an exit that interrupted event delivery delivers it again.
 */
#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "tests/model/vmcs_model.h"
#include "hv/exit/nmi.h"
#include "arch/x86/nmi.h"
#include "arch/x86/vmx.h"

#define NMI_INJECTION (NMI_VECTOR | INTR_TYPE_NMI | INTR_INFO_VALID)
#define CPU_CONTROLS 0x96006172ULL /* whatever the run chose; only bit 22 may change */

static void guest_running(u64 interruptibility)
{
	model_reset();
	nmi_pending = 0;
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
