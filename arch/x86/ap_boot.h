/* Constants shared by the AP trampoline (ap_boot.S) and its C side. */
#ifndef ARCH_X86_AP_BOOT_H
#define ARCH_X86_AP_BOOT_H

#define AP_TRAMPOLINE_BASE \
	0x7000		/* below 1 MiB, page aligned: the STARTUP vector is its page number */
#define AP_MAX 4096	/* application processors; x2APIC IDs reach far beyond 255 */
#define AP_SLOT_SHIFT 4 /* sizeof(struct ap_slot), as a shift */

#ifndef __ASSEMBLY__
#include "lib/types.h"
#include "arch/x86/desc.h"

/*
 * What one AP starts with, prepared by the processor that starts it: each
 * AP takes the next index (ap_next_index) and, if it is below
 * ap_nr_slots, switches to that slot's stack and calls ap_main(index).
 * An AP without a slot halts.
 */
struct ap_slot {
	u64 stack_top; /* first: ap_boot.S loads it */
	struct cpu_desc *desc;
};
#ifdef __x86_64__ /* the 32-bit guests include this header for AP_TRAMPOLINE_BASE */
_Static_assert(sizeof(struct ap_slot) == 1 << AP_SLOT_SHIFT, "ap_boot.S indexes ap_slots");
#endif

extern const u8 ap_trampoline_start[], ap_trampoline_end[];
extern const u8 ap_trampoline_cr3[], ap_trampoline_entry[];
extern char ap_entry64[];
extern volatile u32 ap_next_index;
/* Implemented by the hypervisor (hv/cpu/smp.c). */
extern struct ap_slot ap_slots[AP_MAX];
extern volatile u32 ap_nr_slots;
void ap_main(u32 index);
#endif

#endif
