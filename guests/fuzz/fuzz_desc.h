/* The fuzz guest's GDT selectors, shared by fuzz.c and fuzz_asm.S. */
#ifndef FUZZ_DESC_H
#define FUZZ_DESC_H

#define FZ_KERNEL_CS 0x08 /* the same flat descriptors as the runtime's GDT */
#define FZ_KERNEL_DS 0x10
#define FZ_USER_CS 0x18 /* flat 32-bit code, DPL 3 */
#define FZ_USER_DS 0x20 /* flat data, DPL 3 */
#define FZ_TSS_A 0x28	/* the guest's own task (TR) */
#define FZ_TSS_B 0x30	/* the task the task-switch operation jumps to */
#define FZ_GDT_ENTRIES 7

#endif
