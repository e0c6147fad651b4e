/*
 * The guests' GDT (SDM Vol. 3A, "Segment Descriptors"). entry.S loads the
 * runtime's: flat ring-0 code and data, which trap.c's IDT gates name. A
 * guest that runs code at CPL 3 or switches tasks calls gdt_load_with_tss
 * (desc.c) for a larger table: the same ring-0 descriptors at the same
 * selectors, flat ring-3 segments and two 32-bit TSS descriptors.
 */
#ifndef GUEST_DESC_H
#define GUEST_DESC_H

#define GUEST_CS 0x08 /* flat 32-bit code, ring 0 */
#define GUEST_DS 0x10 /* flat data, ring 0 */

/* Only in gdt_load_with_tss's table. User selectors carry RPL 3. */
#define GUEST_USER_CS (0x18 | 3) /* flat 32-bit code, DPL 3 */
#define GUEST_USER_DS (0x20 | 3) /* flat data, DPL 3 */
#define GUEST_TSS_A 0x28	 /* the guest's own task (TR) */
#define GUEST_TSS_B 0x30	 /* a second task, for guests that switch tasks */

#ifndef __ASSEMBLY__
#include "lib/types.h"

/* SDM Vol. 3A, "32-Bit Task-State Segment (TSS)"; selector fields are 16 bits, zero-extended. */
struct tss32 {
	u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	u32 eax, ecx, edx, ebx, esp, ebp, esi, edi;
	u32 es, cs, ss, ds, fs, gs, ldt;
	u16 trap, iomap;
} __attribute__((packed));

/*
 * Loads the larger GDT, reloads the segment registers from it and makes
 * task_a the current task: its TSS gets esp0 as the ring-0 stack for
 * interrupts at CPL 3 and no I/O bitmap. Once per boot: LTR marks task A busy.
 */
void gdt_load_with_tss(struct tss32 *task_a, u32 esp0);

/* Points GUEST_TSS_B at task_b, marked available (a JMP out of a task clears busy; be sure). */
void gdt_set_tss_b(const struct tss32 *task_b);

/* A ring-0 task on the flat segments and the current page tables, entered at eip with IF 0. */
struct tss32 tss_flat_task(void (*eip)(void), u32 esp);
#endif

#endif
