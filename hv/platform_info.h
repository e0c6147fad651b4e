/* What the hypervisor found on this machine: CPU, VMX, PMU. */
#ifndef HV_PLATFORM_INFO_H
#define HV_PLATFORM_INFO_H

#include "lib/types.h"

/* One line each for the CPU, VMX and the PMU. */
void platform_report(void);
/* meta,KEY,VALUE lines describing the machine, for the results block. */
void platform_print_meta(void);
/* Ends the run with one clear line if the CPU cannot do VMX. */
void platform_require_vmx(void);

#endif
