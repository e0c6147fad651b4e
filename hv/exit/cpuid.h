/* CPUID exits (hv/exit/cpuid.c). */
#ifndef HV_EXIT_CPUID_H
#define HV_EXIT_CPUID_H

#include "hv/exit/vmexit.h"

enum exit_action handle_cpuid(void);

#endif
