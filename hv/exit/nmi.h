/* NMIs: all are the guest's (hv/exit/nmi.c). */
#ifndef HV_EXIT_NMI_H
#define HV_EXIT_NMI_H

#include "hv/exit/vmexit.h"
#include "lib/types.h"

/* NMIs taken (in the guest or in root operation) and not yet delivered to the guest. */
extern volatile u32 nmi_pending;
/* NMIs the parked processors took: counted, and otherwise ignored. */
extern volatile u32 nmi_parked;

enum exit_action handle_exception_nmi(void);
enum exit_action handle_nmi_window(void);
/* Before VM entry with an NMI pending: inject it, or ask for an exit when the guest can take it. */
void nmi_deliver_pending(void);
/* From the last check before VM entry to the next VM exit (hv/exit/nmi.c). */
extern volatile bool nmi_after_check;
/* nmi_before_entry() with an NMI pending: the check, run again while NMIs arrive during it. */
void nmi_deliver_before_entry(void);

/*
 * The last thing before VM entry: delivers what is pending, and from here
 * to the next VM exit an NMI sets NMI-window exiting as it arrives. With
 * nothing pending the check touches no VMCS field, so an NMI at any point
 * after the flag is set finds the check nothing to interrupt and opens
 * the window itself: one test on the exit path.
 */
static inline void nmi_before_entry(void)
{
	/* The handler's view: set before the check, which it may interrupt from here on. */
	nmi_after_check = true;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (__builtin_expect(__atomic_load_n(&nmi_pending, __ATOMIC_RELAXED) != 0, 0))
		nmi_deliver_before_entry();
}

/* The first thing after a VM exit: NMIs are only counted again, for the exit path to deliver. */
static inline void nmi_after_exit(void)
{
	nmi_after_check = false;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}
/* An exit that interrupted the delivery of an event (IDT-vectoring information) delivers it again. */
void vcpu_redeliver_interrupted_event(void);

#endif
