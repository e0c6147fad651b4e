/* Where smp-start's real-mode trampoline lives, shared by the C and assembly halves. */
#ifndef SMP_START_TRAMPOLINE_H
#define SMP_START_TRAMPOLINE_H

/*
 * Page aligned and below 1 MiB: the STARTUP IPI's vector is its page
 * number. Not the customary 0x8000: pmuvisor builds the guest's boot
 * information at 0x8000-0xffff.
 */
#define TRAMPOLINE_BASE 0x10000
#define MARKER_OFFSET 0xff0	/* within the trampoline page */
#define AP_COUNT_OFFSET 0xff4	/* how many processors ran the trampoline */
#define MARKER_VALUE 0x41505354 /* "TSPA" in memory: a processor ran the trampoline */

#endif
