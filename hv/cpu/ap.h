/* One application processor's own stacks and descriptor tables (hv/cpu/ap.c). */
#ifndef HV_CPU_AP_H
#define HV_CPU_AP_H

#include "hv/boot/multiboot2.h"

/* How many APs to make room for: every processor the MADT lists but this one. */
u32 ap_slots_needed(const struct boot_info *boot);
/* Before AP index starts: its stack, its GDT and TSS, its NMI, #DF and #MC stacks. */
void ap_prepare_slot(u32 index);
/* The first thing AP index does: load them, and enable machine-check exceptions. */
void ap_setup_cpu(u32 index);

#endif
