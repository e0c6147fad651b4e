/*
 * Task switches always exit (SDM Vol. 3C, "Task Switches"), before the
 * processor has changed anything: the switch is emulated here as SDM Vol.
 * 3A, "Task Switching" describes it, for 32-bit TSSs in protected mode.
 * JMP, CALL, IRET with NT and a task gate in the IDT are told apart by
 * the exit qualification ("Exit Qualification for Task Switches"). The
 * old task's state goes to its TSS, busy bits and the back link are
 * kept as the source demands, and the new task's registers, segments,
 * LDTR, CR3 and TR are loaded from its TSS into the VMCS. Faults found
 * before the switch are the guest's (#GP, #TS, #NP with the selector).
 */
#include "hv/exit/task.h"
#include "hv/exit/cr.h"
#include "hv/exit/guest_mem.h"
#include "hv/exit/nmi.h"
#include "hv/cpu/vcpu.h"
#include "hv/base/status.h"
#include "arch/x86/cr.h"
#include "arch/x86/trapnr.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx.h"

enum task_source { TASK_CALL, TASK_IRET, TASK_JMP, TASK_GATE };

#define TASK_QUAL_SELECTOR(q) ((u16)(q))
#define TASK_QUAL_SOURCE(q) ((enum task_source)(((q) >> 30) & 3))
#define DESC_TYPE(d) (((d) >> 40) & 0xf)
#define DESC_PRESENT (1ULL << 47)
#define DESC_TSS_BUSY (1ULL << 41)
#define TYPE_TSS32_AVAILABLE 9
#define TYPE_TSS32_BUSY 0xb
#define TYPE_ACCESSED 1
#define TYPE_LDT 2
#define TSS32_MIN_LIMIT 0x67
#define SEL_TI BIT(2)
#define AR_S BIT(4) /* code or data, not system */
#define RFLAGS_NT BIT(14)
#define RFLAGS_FIXED BIT(1)
#define NR_TASK_SEGS 6 /* ES, CS, SS, DS, FS, GS: the SDM's order, and the VMCS's */

/* A 32-bit TSS. SDM Vol. 3A, "32-Bit Task-State Segment (TSS)". */
struct tss32 {
	u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	u32 eax, ecx, edx, ebx, esp, ebp, esi, edi;
	u32 seg[NR_TASK_SEGS], ldt;
	u16 trap, iomap;
} __attribute__((packed));

struct seg_desc {
	u64 raw;
	u64 base;
	u32 limit, ar; /* ar in the VMCS access-rights format */
};

static void decode(u64 d, struct seg_desc *s)
{
	u32 limit = (u32)((d & 0xffff) | ((d >> 32) & 0xf0000));

	s->raw = d;
	s->base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
	s->limit = (d & (1ULL << 55)) ? (limit << 12) | 0xfff : limit;
	s->ar = (u32)(((d >> 40) & 0xff) | (((d >> 52) & 0xf) << 12));
}

static void inject(u32 vector, u16 error)
{
	vmwrite(VM_ENTRY_INTR_INFO_FIELD,
		vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_DELIVER_CODE | INTR_INFO_VALID);
	vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
}

/* The descriptor's linear address in the GDT or the current LDT, or 0 past its limit. */
static u64 desc_address(u16 sel)
{
	bool ldt = sel & SEL_TI;
	u64 base = vmread(ldt ? GUEST_LDTR_BASE : GUEST_GDTR_BASE);
	u64 limit = vmread(ldt ? GUEST_LDTR_LIMIT : GUEST_GDTR_LIMIT);

	if (ldt && (vmread(GUEST_LDTR_AR_BYTES) & VMX_AR_UNUSABLE))
		return 0;
	return (u64)(sel | 7) <= limit ? base + (sel & ~7u) : 0;
}

static bool read_desc(u16 sel, struct seg_desc *s)
{
	u64 at = desc_address(sel), d;

	if (!at || !guest_linear_read(at, &d, sizeof(d), 0))
		return false;
	decode(d, s);
	return true;
}

static bool write_desc(u16 sel, u64 d)
{
	return guest_linear_write(desc_address(sel), &d, sizeof(d), 0);
}

static void load_segment(u32 i, u16 sel, const struct seg_desc *s)
{
	vmwrite(GUEST_ES_SELECTOR + 2 * i, sel);
	vmwrite(GUEST_ES_BASE + 2 * i, s ? s->base : 0);
	vmwrite(GUEST_ES_LIMIT + 2 * i, s ? s->limit : 0);
	vmwrite(GUEST_ES_AR_BYTES + 2 * i, s ? s->ar : VMX_AR_UNUSABLE);
}

/* CS must be code, SS writable data, the others data or readable code (S = 1 for all). */
static bool segment_type_fits(u32 i, u32 ar)
{
	u32 type = ar & 0xf;
	bool code = type & 8;

	if (!(ar & AR_S))
		return false;
	if (i == 1)
		return code;
	if (i == 2)
		return !code && (type & 2);
	return !code || (type & 2);
}

/*
 * A segment of the new task. Checks made after the switch (SDM "Task
 * Switching", step 16) fault in the new task: true when one did.
 */
static bool load_task_segment(u32 i, u16 sel)
{
	struct seg_desc s;
	bool code_or_stack = i == 1 || i == 2;

	if (!(sel & ~3u) && !code_or_stack) {
		load_segment(i, sel, NULL);
		return false;
	}
	if (!(sel & ~3u) || !desc_address(sel)) {
		inject(X86_TRAP_TS, sel & ~3u);
		return true;
	}
	if (!read_desc(sel, &s))
		return true;
	if (!segment_type_fits(i, s.ar)) {
		inject(X86_TRAP_TS, sel & ~3u);
		return true;
	}
	if (!(s.raw & DESC_PRESENT)) {
		inject(i == 2 ? X86_TRAP_SS : X86_TRAP_NP, sel & ~3u);
		return true;
	}
	/* Loading a segment sets its accessed bit, in the descriptor and the register. */
	if (!(s.ar & TYPE_ACCESSED)) {
		s.raw |= (1ULL << 40);
		s.ar |= TYPE_ACCESSED;
		write_desc(sel, s.raw);
	}
	load_segment(i, sel, &s);
	return false;
}

/* False when a write reached memory that is not guest RAM: the guest is ending. */
static bool save_old_task(u64 tss_base, u32 eip, u32 eflags)
{
	struct guest_regs *g = vcpu.regs;
	struct tss32 t;
	u32 seg[NR_TASK_SEGS];

	for (u32 i = 0; i < NR_TASK_SEGS; i++)
		seg[i] = (u32)vmread(GUEST_ES_SELECTOR + 2 * i);
	t.eip = eip;
	t.eflags = eflags;
	t.eax = (u32)g->rax, t.ecx = (u32)g->rcx, t.edx = (u32)g->rdx, t.ebx = (u32)g->rbx;
	t.esp = (u32)vmread(GUEST_RSP);
	t.ebp = (u32)g->rbp, t.esi = (u32)g->rsi, t.edi = (u32)g->rdi;
	/* The dynamic fields only: EIP through GS. */
	guest_linear_write(tss_base + offsetof(struct tss32, eip), &t.eip,
			   offsetof(struct tss32, seg) - offsetof(struct tss32, eip), 0);
	if (guest_stop_requested())
		return false;
	guest_linear_write(tss_base + offsetof(struct tss32, seg), seg, sizeof(seg), 0);
	return !guest_stop_requested();
}

static void load_new_task(const struct tss32 *t, u16 sel, const struct seg_desc *tss, u32 eflags)
{
	struct guest_regs *g = vcpu.regs;
	struct seg_desc ldt;
	u64 cr0 = vmread(GUEST_CR0);

	load_segment(7, sel, tss); /* TR, type busy */
	g->rax = t->eax, g->rcx = t->ecx, g->rdx = t->edx, g->rbx = t->ebx;
	g->rbp = t->ebp, g->rsi = t->esi, g->rdi = t->edi;
	vmwrite(GUEST_RSP, t->esp);
	vmwrite(GUEST_RIP, t->eip);
	vmwrite(GUEST_RFLAGS, eflags | RFLAGS_FIXED);
	vmwrite(GUEST_CR0, cr0 | X86_CR0_TS);
	if ((cr0 & X86_CR0_PG) && !guest_set_cr3(t->cr3))
		return;
	if (!(t->ldt & ~3u))
		load_segment(6, (u16)t->ldt, NULL);
	else if (!(t->ldt & SEL_TI) && read_desc((u16)t->ldt, &ldt) &&
		 DESC_TYPE(ldt.raw) == TYPE_LDT && (ldt.raw & DESC_PRESENT))
		load_segment(6, (u16)t->ldt, &ldt);
	else {
		inject(X86_TRAP_TS, t->ldt & ~3u);
		return;
	}
	for (u32 i = 0; i < NR_TASK_SEGS; i++)
		if (load_task_segment(i, (u16)t->seg[i]))
			return;
}

/* Where the old task resumes: after the instruction, or at the event's return address. */
static u32 old_task_eip(enum task_source src)
{
	u64 rip = vmread(GUEST_RIP), info = vmread(IDT_VECTORING_INFO_FIELD);
	u32 type = info & INTR_INFO_TYPE_MASK;

	if (src != TASK_GATE)
		return (u32)(rip + vmread(VM_EXIT_INSTRUCTION_LEN));
	if ((info & INTR_INFO_VALID) &&
	    (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	     type == INTR_TYPE_SOFT_EXCEPTION))
		return (u32)(rip + vmread(VM_EXIT_INSTRUCTION_LEN));
	return (u32)rip;
}

/* The checks made before anything changes; false when the guest got its fault or is ending. */
static bool check_new_tss(u16 sel, enum task_source src, struct seg_desc *tss)
{
	u32 type;

	if ((sel & SEL_TI) || !desc_address(sel)) {
		inject(src == TASK_IRET ? X86_TRAP_TS : X86_TRAP_GP, sel & ~3u);
		return false;
	}
	if (!read_desc(sel, tss))
		return false;
	type = DESC_TYPE(tss->raw);
	if (type != TYPE_TSS32_AVAILABLE && type != TYPE_TSS32_BUSY) {
		guest_stop(HV_STATUS_HV_FAULT,
			   "task switch to selector 0x%x of descriptor type %u: only 32-bit TSSs "
			   "are emulated",
			   sel, type);
		return false;
	}
	if ((src == TASK_IRET) != (type == TYPE_TSS32_BUSY)) {
		inject(src == TASK_IRET ? X86_TRAP_TS : X86_TRAP_GP, sel & ~3u);
		return false;
	}
	if (!(tss->raw & DESC_PRESENT)) {
		inject(X86_TRAP_NP, sel & ~3u);
		return false;
	}
	if (tss->limit < TSS32_MIN_LIMIT) {
		inject(X86_TRAP_TS, sel & ~3u);
		return false;
	}
	return true;
}

/* A gate for an exception with an error code pushes it on the new task's stack. */
static void push_error_code(void)
{
	u64 info = vmread(IDT_VECTORING_INFO_FIELD);
	u32 code = (u32)vmread(IDT_VECTORING_ERROR_CODE);
	u64 esp = (u32)(vmread(GUEST_RSP) - 4);

	if (!(info & INTR_INFO_VALID) || !(info & INTR_INFO_DELIVER_CODE))
		return;
	if (guest_linear_write(vmread(GUEST_SS_BASE) + esp, &code, sizeof(code), 0))
		vmwrite(GUEST_RSP, esp);
}

enum exit_action handle_task_switch(void)
{
	u64 q = vcpu_exit_qualification();
	u16 sel = TASK_QUAL_SELECTOR(q), old_sel = (u16)vmread(GUEST_TR_SELECTOR);
	enum task_source src = TASK_QUAL_SOURCE(q);
	u32 eflags = (u32)vmread(GUEST_RFLAGS);
	struct seg_desc tss, old_tss;
	struct tss32 t;

	if (vmread(GUEST_IA32_EFER) & EFER_LMA)
		return guest_stop(HV_STATUS_HV_FAULT, "task switch exit in IA-32e mode");
	if (!check_new_tss(sel, src, &tss) || !guest_linear_read(tss.base, &t, sizeof(t), 0) ||
	    !read_desc(old_sel, &old_tss))
		return guest_stop_requested() ? EXIT_END : EXIT_RESUME;
	if (!save_old_task(vmread(GUEST_TR_BASE), old_task_eip(src),
			   src == TASK_IRET ? eflags & ~RFLAGS_NT : eflags))
		return EXIT_END;
	if (src == TASK_JMP || src == TASK_IRET)
		write_desc(old_sel, old_tss.raw & ~DESC_TSS_BUSY);
	if (src == TASK_CALL || src == TASK_GATE) {
		t.link = old_sel;
		guest_linear_write(tss.base, &t.link, sizeof(t.link), 0);
		t.eflags |= RFLAGS_NT;
	}
	if (src != TASK_IRET) {
		tss.raw |= DESC_TSS_BUSY;
		write_desc(sel, tss.raw);
	}
	/* Those writes went where reads just succeeded: checked once, not after each. */
	if (guest_stop_requested())
		return EXIT_END;
	decode(tss.raw, &tss);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO,
		vmread(GUEST_INTERRUPTIBILITY_INFO) &
			~(u64)(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
	load_new_task(&t, sel, &tss, t.eflags);
	if (guest_stop_requested())
		return EXIT_END;
	if (src == TASK_GATE)
		push_error_code();
	return guest_stop_requested() ? EXIT_END : EXIT_RESUME;
}
