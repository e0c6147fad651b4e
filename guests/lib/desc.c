/*
 * The larger GDT of desc.h, for guests that run code at CPL 3 or switch
 * tasks, and the TSSs it points to.
 */
#include "guests/lib/desc.h"
#include "guests/lib/cpu.h"

#define GDT_ENTRIES (GUEST_TSS_B / 8 + 1)

/* Access byte: present, DPL, S (code or data), type; accessed preset, as in entry.S. */
#define ACCESS_CODE_RING0 0x9b
#define ACCESS_DATA_RING0 0x93
#define ACCESS_CODE_RING3 0xfb
#define ACCESS_DATA_RING3 0xf3
#define ACCESS_TSS_AVAILABLE 0x89 /* present, DPL 0, system type 9: available 32-bit TSS */
#define FLAGS_4K_32BIT 0xc	  /* G: limit in 4 KiB pages; D/B: 32-bit */
#define LIMIT_4G 0xfffff
#define EFLAGS_RESERVED1 0x2 /* bit 1 always reads 1 */

static u64 gdt[GDT_ENTRIES] __attribute__((aligned(8)));

/* SDM Vol. 3A, "Segment Descriptors": base and limit scattered over the 8 bytes. */
static u64 seg_descriptor(u32 base, u32 limit, u8 access, u8 flags)
{
	return (u64)(limit & 0xffff) | (u64)(base & 0xffffff) << 16 | (u64)access << 40 |
	       (u64)((limit >> 16) & 0xf) << 48 | (u64)(flags & 0xf) << 52 |
	       (u64)(base >> 24) << 56;
}

static u64 tss_descriptor(const struct tss32 *t)
{
	return seg_descriptor((u32)(uintptr_t)t, sizeof(*t) - 1, ACCESS_TSS_AVAILABLE, 0);
}

void gdt_set_tss_b(const struct tss32 *task_b)
{
	gdt[GUEST_TSS_B / 8] = tss_descriptor(task_b);
}

void gdt_load_with_tss(struct tss32 *task_a, u32 esp0)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (u32)(uintptr_t)gdt };

	gdt[GUEST_CS / 8] = seg_descriptor(0, LIMIT_4G, ACCESS_CODE_RING0, FLAGS_4K_32BIT);
	gdt[GUEST_DS / 8] = seg_descriptor(0, LIMIT_4G, ACCESS_DATA_RING0, FLAGS_4K_32BIT);
	gdt[GUEST_USER_CS / 8] = seg_descriptor(0, LIMIT_4G, ACCESS_CODE_RING3, FLAGS_4K_32BIT);
	gdt[GUEST_USER_DS / 8] = seg_descriptor(0, LIMIT_4G, ACCESS_DATA_RING3, FLAGS_4K_32BIT);
	*task_a = (struct tss32){
		.esp0 = esp0,
		.ss0 = GUEST_DS,
		.iomap = sizeof(struct tss32), /* no I/O bitmap: at CPL 3, IOPL alone decides */
	};
	gdt[GUEST_TSS_A / 8] = tss_descriptor(task_a);
	/* The selectors stay, but their hidden parts should come from the table now loaded. */
	asm volatile("lgdt %0\n\t"
		     "ljmp %1, $1f\n"
		     "1:\n\t"
		     "mov %2, %%ds\n\t"
		     "mov %2, %%es\n\t"
		     "mov %2, %%ss\n\t"
		     "mov %2, %%fs\n\t"
		     "mov %2, %%gs\n\t"
		     "ltr %w3"
		     :
		     : "m"(gdtr), "i"(GUEST_CS), "r"(GUEST_DS), "r"(GUEST_TSS_A)
		     : "memory");
}

struct tss32 tss_flat_task(void (*eip)(void), u32 esp)
{
	return (struct tss32){
		.cr3 = read_cr3(),
		.eip = (u32)(uintptr_t)eip,
		.eflags = EFLAGS_RESERVED1,
		.esp = esp,
		.cs = GUEST_CS,
		.ss = GUEST_DS,
		.ds = GUEST_DS,
		.es = GUEST_DS,
		.fs = GUEST_DS,
		.gs = GUEST_DS,
		.iomap = sizeof(struct tss32),
	};
}
