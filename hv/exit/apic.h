/* The guest's local APIC MSRs the hypervisor intercepts (hv/exit/apic.c). */
#ifndef HV_EXIT_APIC_H
#define HV_EXIT_APIC_H

#include "lib/types.h"

bool apic_base_write(u32 msr, u64 value);
bool x2apic_icr_write(u32 msr, u64 value);

#endif
