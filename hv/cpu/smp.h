/* The other processors (hv/cpu/smp.c). */
#ifndef HV_CPU_SMP_H
#define HV_CPU_SMP_H

#include "hv/boot/multiboot2.h"

/* Keep the other processors in VMX root operation, where INIT is blocked. */
void smp_park_application_processors(const struct boot_info *boot);

#endif
