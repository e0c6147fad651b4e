/* Hypercalls (hv/exit/vmcall.c). */
#ifndef HV_EXIT_VMCALL_H
#define HV_EXIT_VMCALL_H

#include "hv/exit/vmexit.h"

enum exit_action handle_vmcall(void);

#endif
