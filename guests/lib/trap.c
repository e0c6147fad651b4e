/*
 * Exceptions: an IDT for vectors 0-31 (the stubs are in trap_stubs.S). A fault at
 * an address listed in guest_extable resumes at its fixup address; any other
 * exception is a crash: dump the state and exit with GUEST_STATUS_CRASH.
 * External interrupts stay masked (the loader leaves IF clear), so vectors
 * from 32 up need no gates.
 */
#include "guests/lib/guest.h"
#include "guests/lib/desc.h"
#include "guests/lib/runtime.h"

#define NR_EXCEPTIONS 32
#define IDT_GATE_INTERRUPT32 0x8e /* present, DPL 0, 32-bit interrupt gate */

struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 zero;
	u8 type;
	u16 offset_high;
} __attribute__((packed));

/* Pushed by trap_stubs.S: PUSHA's registers, the vector, the error code, then the CPU's frame. */
struct trap_frame {
	u32 edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
	u32 vector, error;
	u32 eip, cs, eflags; /* same privilege level: no ESP/SS */
};

extern const u32 trap_stubs[NR_EXCEPTIONS];
extern const struct guest_extable_entry __start_guest_extable[], __stop_guest_extable[];

volatile u32 guest_fault_vector;

static struct idt_gate idt[NR_EXCEPTIONS];

static const char *const exception_names[NR_EXCEPTIONS] = {
	[0] = "#DE",  [1] = "#DB",  [2] = "NMI",  [3] = "#BP",	[4] = "#OF",
	[5] = "#BR",  [6] = "#UD",  [7] = "#NM",  [8] = "#DF",	[10] = "#TS",
	[11] = "#NP", [12] = "#SS", [13] = "#GP", [14] = "#PF", [16] = "#MF",
	[17] = "#AC", [18] = "#MC", [19] = "#XM", [20] = "#VE", [21] = "#CP",
};

void trap_init(void)
{
	for (int v = 0; v < NR_EXCEPTIONS; v++)
		idt[v] = (struct idt_gate){
			.offset_low = (u16)trap_stubs[v],
			.selector = GUEST_CS,
			.type = IDT_GATE_INTERRUPT32,
			.offset_high = (u16)(trap_stubs[v] >> 16),
		};
	lidt(idt, sizeof(idt) - 1);
}

static const struct guest_extable_entry *find_fixup(u32 eip)
{
	for (const struct guest_extable_entry *e = __start_guest_extable; e < __stop_guest_extable;
	     e++)
		if (e->fault == eip)
			return e;
	return NULL;
}

static void dump(const struct trap_frame *f)
{
	const char *name = exception_names[f->vector];
	/* The CPU pushed EIP, CS, EFLAGS on the interrupted stack, just above our frame. */
	u32 esp = (u32)(uintptr_t)(&f->eflags + 1);

	guest_printf(
		"guest: unexpected exception %u (%s), error code 0x%x, at EIP 0x%08x, CR2 0x%08x\n",
		f->vector, name ? name : "reserved", f->error, f->eip, read_cr2());
	guest_printf("guest:   eax %08x ebx %08x ecx %08x edx %08x\n", f->eax, f->ebx, f->ecx,
		     f->edx);
	guest_printf("guest:   esi %08x edi %08x ebp %08x esp %08x\n", f->esi, f->edi, f->ebp, esp);
	guest_printf("guest:   cs %04x eflags %08x cr0 %08x cr3 %08x cr4 %08x\n", f->cs, f->eflags,
		     read_cr0(), read_cr3(), read_cr4());
}

/* Called by trap_stubs.S; returning resumes at f->eip. */
void trap_handler(struct trap_frame *f);
void trap_handler(struct trap_frame *f)
{
	static bool crashing;
	const struct guest_extable_entry *fix = find_fixup(f->eip);

	if (fix) {
		guest_fault_vector = f->vector;
		f->eip = fix->resume;
		return;
	}
	/* A fault while dumping: the console or the stack is broken, say no more. */
	if (crashing)
		guest_exit(GUEST_STATUS_CRASH);
	crashing = true;
	dump(f);
	guest_exit(GUEST_STATUS_CRASH);
}
