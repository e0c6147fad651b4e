/* Constants shared by the AP trampoline (ap_boot.S) and its C side. */
#ifndef ARCH_X86_AP_BOOT_H
#define ARCH_X86_AP_BOOT_H

#define AP_TRAMPOLINE_BASE \
	0x7000 /* below 1 MiB, page aligned: the STARTUP vector is its page number */
#define AP_MAX 256
#define AP_STACK_SIZE 4096

#ifndef __ASSEMBLY__
#include "lib/types.h"
extern const u8 ap_trampoline_start[], ap_trampoline_end[];
extern const u8 ap_trampoline_cr3[], ap_trampoline_entry[];
extern char ap_entry64[];
extern volatile u32 ap_next_index;
/* Implemented by the hypervisor (hv/cpu/smp.c): each AP calls it on its own stack. */
void ap_main(void);
#endif

#endif
