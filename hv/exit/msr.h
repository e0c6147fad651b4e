/* RDMSR and WRMSR exits (hv/exit/msr.c). */
#ifndef HV_EXIT_MSR_H
#define HV_EXIT_MSR_H

#include "hv/exit/vmexit.h"

enum exit_action handle_rdmsr(void);
enum exit_action handle_wrmsr(void);

#endif
