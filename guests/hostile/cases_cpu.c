/*
 * Processor-level hazards: NMIs, instructions at CPL 3, the AP
 * trampoline, physical addresses above 4 GiB, INIT to oneself and task
 * switches. The ring-3 and task cases bring their own GDT and TSS.
 */
#include "guests/hostile/cases.h"
#include "guests/hostile/hostile.h"
#include "guests/hostile/insn.h"
#include "arch/x86/ap_boot.h"
#include "hv/hypercall.h"

#define XAPIC_BASE 0xfee00000u
#define XAPIC_ID 0x20
#define XAPIC_ICR_LOW 0x300
#define XAPIC_ICR_HIGH 0x310
#define MSR_IA32_APIC_BASE 0x1b
#define APIC_BASE_X2APIC (1u << 10)
#define MSR_X2APIC_ID 0x802
#define MSR_X2APIC_ICR 0x830
#define ICR_DELIVERY_NMI (4u << 8)
#define ICR_DELIVERY_INIT (5u << 8)
#define ICR_LEVEL_ASSERT (1u << 14)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_XSAVE (1u << 26)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CPUID_80000001_EDX_SYSCALL (1u << 11)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)
#define CR4_OSXSAVE (1u << 18)
#define PTE_P 1u
#define PTE_RW 2u
#define PDE_PS 0x80u
#define ABOVE_4G 0x100000000ULL
#define ABOVE_4G_LINEAR 0x40000000u /* PDPT entry 1 */
#define NMI_POLLS 100000
#define NMI_ROUNDS 3 /* each NMI must come: none may stay blocked by the one before */
#define INIT_POLLS 10000000
#define STACK_SIZE 4096

struct tss32 {
	u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	u32 eax, ecx, edx, ebx, esp, ebp, esi, edi;
	u32 es, cs, ss, ds, fs, gs, ldt;
	u16 trap, iomap;
} __attribute__((packed));

static u64 gdt[7] __attribute__((aligned(8)));
static struct tss32 tss, task_tss;
static u8 ring0_stack[STACK_SIZE] __attribute__((aligned(16)));
static u8 ring3_stack[STACK_SIZE] __attribute__((aligned(16)));
static u8 task_stack[STACK_SIZE] __attribute__((aligned(16)));
volatile u32 nmi_count;

static u64 tss_descriptor(const struct tss32 *t)
{
	u64 base = (u32)(uintptr_t)t, limit = sizeof(*t) - 1;

	/* Present, DPL 0, type 9: available 32-bit TSS. */
	return (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ULL << 40 |
	       ((limit >> 16) & 0xf) << 48 | (base >> 24) << 56;
}

/* The runtime's flat kernel segments at the same selectors, user segments and TSSs added. */
static void load_gdt_with_tss(void)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) desc = { sizeof(gdt) - 1, (u32)(uintptr_t)gdt };

	gdt[KERNEL_CS / 8] = 0x00cf9b000000ffffULL;
	gdt[KERNEL_DS / 8] = 0x00cf93000000ffffULL;
	gdt[USER_CS / 8] = 0x00cffb000000ffffULL;
	gdt[USER_DS / 8] = 0x00cff3000000ffffULL;
	gdt[TSS_SEL / 8] = tss_descriptor(&tss);
	gdt[TSS_SEL / 8 + 1] = tss_descriptor(&task_tss);
	tss.esp0 = (u32)(uintptr_t)(ring0_stack + STACK_SIZE);
	tss.ss0 = KERNEL_DS;
	tss.iomap = sizeof(tss); /* no I/O bitmap: IOPL decides */
	asm volatile("lgdt %0" : : "m"(desc));
	asm volatile("ltr %w0" : : "r"(TSS_SEL));
}

static void install_nmi_gate(void)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) idtr;
	u16 *gate;
	u32 handler = (u32)(uintptr_t)nmi_stub;

	asm volatile("sidt %0" : "=m"(idtr));
	gate = (u16 *)(uintptr_t)(idtr.base + 2 * 8);
	gate[0] = (u16)handler;
	gate[3] = (u16)(handler >> 16);
}

static void wait_for_nmi(u32 n)
{
	for (int i = 0; i < NMI_POLLS && nmi_count < n; i++)
		asm volatile("pause");
	CHECK(nmi_count == n, "NMI %u was delivered to the guest (count %u)", n, nmi_count);
}

static volatile u32 *xapic(u32 reg)
{
	return (volatile u32 *)(uintptr_t)(XAPIC_BASE + reg);
}

void case_nmi_self_xapic(void)
{
	/* NMI allows no "self" shorthand: address this APIC by its ID. */
	install_nmi_gate();
	for (u32 n = 1; n <= NMI_ROUNDS; n++) {
		*xapic(XAPIC_ICR_HIGH) = *xapic(XAPIC_ID);
		*xapic(XAPIC_ICR_LOW) = ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT;
		wait_for_nmi(n);
	}
}

void case_nmi_self_x2apic(void)
{
	if (!CHECK(cpuid(1, 0).ecx & CPUID_1_ECX_X2APIC, "the CPU offers x2APIC"))
		return;
	install_nmi_gate();
	wrmsr(MSR_IA32_APIC_BASE, rdmsr(MSR_IA32_APIC_BASE) | APIC_BASE_X2APIC);
	for (u32 n = 1; n <= NMI_ROUNDS; n++) {
		wrmsr(MSR_X2APIC_ICR,
		      rdmsr(MSR_X2APIC_ID) << 32 | ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT);
		wait_for_nmi(n);
	}
}

static void vmcall_at_cpl3(void)
{
	u32 ok = 0, eax = HC_EXIT, edx = 0;

	guest_fault_vector = 0;
	asm volatile("1: vmcall\n\t"
		     "movl $1, %[ok]\n"
		     "2:\n\t" GUEST_EXTABLE_ENTRY("1b", "2b")
		     : [ok] "+r"(ok), "+a"(eax), "+d"(edx)
		     : "b"(7)
		     : "memory");
	CHECK(faulted_with(ok, VECTOR_UD), "VMCALL HC_EXIT at CPL 3: #UD (vector %u)",
	      ok ? 0 : guest_fault_vector);
	guest_finish();
}

void case_vmcall_cpl3(void)
{
	load_gdt_with_tss();
	enter_ring3(vmcall_at_cpl3, (u32)(uintptr_t)(ring3_stack + STACK_SIZE));
}

static void xsetbv_at_cpl3(void)
{
	u32 ok = 0;

	guest_fault_vector = 0;
	asm volatile("1: xsetbv\n\t"
		     "movl $1, %[ok]\n"
		     "2:\n\t" GUEST_EXTABLE_ENTRY("1b", "2b")
		     : [ok] "+r"(ok)
		     : "c"(0), "a"(1), "d"(0)
		     : "memory");
	CHECK(faulted_with(ok, VECTOR_GP), "XSETBV XCR0 <- 1 at CPL 3: #GP (vector %u)",
	      ok ? 0 : guest_fault_vector);
	guest_finish();
}

void case_xsetbv_cpl3(void)
{
	if (!CHECK(cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE, "the CPU offers XSAVE"))
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	load_gdt_with_tss();
	enter_ring3(xsetbv_at_cpl3, (u32)(uintptr_t)(ring3_stack + STACK_SIZE));
}

/* The hypervisor's AP start-up code held its page-table root and entry point. */
void case_ap_trampoline_cleared(void)
{
	const volatile u8 *page = (const volatile u8 *)AP_TRAMPOLINE_BASE;
	int nonzero = 0;

	for (int i = 0; i < 4096; i++)
		nonzero += page[i] != 0;
	CHECK(nonzero == 0, "AP trampoline page 0x%x is clear (%d non-zero bytes)",
	      AP_TRAMPOLINE_BASE, nonzero);
}

/* PAE paging maps linear 1 GiB to physical 4 GiB: read one word there. */
void case_read_above_4g(void)
{
	static u64 pdpt[4] __attribute__((aligned(32)));
	static u64 pd_low[512] __attribute__((aligned(4096)));
	static u64 pd_high[512] __attribute__((aligned(4096)));
	u32 v;

	for (u32 i = 0; i < 512; i++)
		pd_low[i] = ((u64)i << 21) | PDE_PS | PTE_RW | PTE_P;
	pd_high[0] = ABOVE_4G | PDE_PS | PTE_RW | PTE_P;
	pdpt[0] = (u32)(uintptr_t)pd_low | PTE_P;
	pdpt[1] = (u32)(uintptr_t)pd_high | PTE_P;
	write_cr3((u32)(uintptr_t)pdpt);
	write_cr4(read_cr4() | CR4_PAE);
	write_cr0(read_cr0() | CR0_PG);
	v = *(volatile u32 *)(uintptr_t)ABOVE_4G_LINEAR;
	write_cr0(read_cr0() & ~CR0_PG);
	write_cr4(read_cr4() & ~CR4_PAE);
	CHECK(1, "read physical 0x%llx: 0x%08x", ABOVE_4G, v);
}

/* CPUID bits that describe the processor running it describe the guest. */
void case_cpuid_reflects_guest_state(void)
{
	u32 cr4 = read_cr4();

	CHECK(!(cpuid(0x80000001, 0).edx & CPUID_80000001_EDX_SYSCALL),
	      "CPUID.80000001H:EDX.SYSCALL is 0 outside 64-bit mode");
	write_cr4(cr4 & ~CR4_OSXSAVE);
	CHECK(!(cpuid(1, 0).ecx & CPUID_1_ECX_OSXSAVE),
	      "CPUID.1:ECX.OSXSAVE is 0 with CR4.OSXSAVE 0");
	if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE) {
		write_cr4(cr4 | CR4_OSXSAVE);
		CHECK(cpuid(1, 0).ecx & CPUID_1_ECX_OSXSAVE,
		      "CPUID.1:ECX.OSXSAVE is 1 with CR4.OSXSAVE 1");
	}
	write_cr4(cr4);
}

/* INIT to the processor itself: a reset, which must end the guest, not livelock. */
void case_self_init(void)
{
	*xapic(XAPIC_ICR_HIGH) = *xapic(XAPIC_ID);
	*xapic(XAPIC_ICR_LOW) = ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT;
	for (int i = 0; i < INIT_POLLS; i++)
		asm volatile("pause");
	CHECK(0, "still running after an INIT to this processor");
}

static volatile u32 task_b_runs;

/* Task B: checks where it is, then JMPs back to task A, which resumes after its own JMP. */
static void task_entry(void)
{
	for (;;) {
		u16 tr;

		asm volatile("str %0" : "=r"(tr));
		CHECK(tr == TSS_SEL + 8, "running in the new task (TR 0x%x)", tr);
		CHECK(task_tss.link == 0, "JMP leaves the back link clear");
		task_b_runs++;
		asm volatile("ljmp %0, $0" : : "i"(TSS_SEL) : "memory");
	}
}

/* JMP to a TSS and back: task switches, which always exit under VMX; then a JMP to the busy TSS. */
void case_task_switch(void)
{
	u32 ebx = 0x12345678, esi = 0x9abcdef0;
	u16 tr;
	bool done;

	load_gdt_with_tss();
	task_tss.eip = (u32)(uintptr_t)task_entry;
	task_tss.esp = (u32)(uintptr_t)(task_stack + STACK_SIZE);
	task_tss.eflags = 2;
	task_tss.cs = KERNEL_CS;
	task_tss.ss = task_tss.ds = task_tss.es = task_tss.fs = task_tss.gs = KERNEL_DS;
	task_tss.cr3 = read_cr3();
	task_tss.iomap = sizeof(task_tss);
	asm volatile("ljmp %2, $0" : "+b"(ebx), "+S"(esi) : "i"(TSS_SEL + 8) : "memory");
	asm volatile("str %0" : "=r"(tr));
	CHECK(task_b_runs == 1 && tr == TSS_SEL,
	      "back in task A (TR 0x%x) after task B ran %u time(s)", tr, task_b_runs);
	CHECK(ebx == 0x12345678 && esi == 0x9abcdef0,
	      "task A's registers survived (EBX 0x%x ESI 0x%x)", ebx, esi);
	done = SAFE_INSN("ljmp %[sel], $0", : [sel] "i"(TSS_SEL));
	CHECK(faulted_with(done, VECTOR_GP),
	      "JMP to the busy TSS of the current task: #GP (vector %u)",
	      done ? 0 : guest_fault_vector);
}
