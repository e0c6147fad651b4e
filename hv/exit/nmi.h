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
/*
 * The last thing before VM entry: delivers what is pending, and from here
 * to the next VM exit an NMI sets NMI-window exiting as it arrives.
 */
void nmi_before_entry(void);
/* The first thing after a VM exit: NMIs are only counted again, for the exit path to deliver. */
void nmi_after_exit(void);
/* An exit that interrupted the delivery of an event (IDT-vectoring information) delivers it again. */
void vcpu_redeliver_interrupted_event(void);

#endif
