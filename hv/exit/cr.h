/* MOV to CR0/CR4 that exits (hv/exit/cr.c). */
#ifndef HV_EXIT_CR_H
#define HV_EXIT_CR_H

#include "hv/exit/vmexit.h"
#include "lib/types.h"

/* A CR3 load the hypervisor emulates (a task switch): PAE paging's PDPTEs with it; false after #GP. */
bool guest_set_cr3(u64 cr3);
enum exit_action handle_cr_access(void);

#endif
