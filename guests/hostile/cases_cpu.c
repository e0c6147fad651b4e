/*
 * Processor-level hazards: NMIs, instructions at CPL 3, the AP
 * trampoline, physical addresses above 4 GiB, INIT to oneself and task
 * switches. The ring-3 and task cases load the runtime's GDT with ring-3
 * segments and TSSs (guests/lib/desc.h).
 */
#include "guests/hostile/cases.h"
#include "guests/hostile/hostile.h"
#include "guests/hostile/insn.h"
#include "guests/lib/desc.h"
#include "arch/x86/ap_boot.h"
#include "hv/base/hypercall.h"

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

static struct tss32 tss, task_tss;
static u8 ring0_stack[STACK_SIZE] __attribute__((aligned(16)));
static u8 ring3_stack[STACK_SIZE] __attribute__((aligned(16)));
static u8 task_stack[STACK_SIZE] __attribute__((aligned(16)));
volatile u32 nmi_count;

/* desc.h's GDT, with task_tss (case_task_switch's task B) in the second TSS slot. */
static void load_gdt_with_tss(void)
{
	gdt_set_tss_b(&task_tss);
	gdt_load_with_tss(&tss, (u32)(uintptr_t)(ring0_stack + STACK_SIZE));
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
		CHECK(tr == GUEST_TSS_B, "running in the new task (TR 0x%x)", tr);
		CHECK(task_tss.link == 0, "JMP leaves the back link clear");
		task_b_runs++;
		asm volatile("ljmp %0, $0" : : "i"(GUEST_TSS_A) : "memory");
	}
}

/* JMP to a TSS and back: task switches, which always exit under VMX; then a JMP to the busy TSS. */
void case_task_switch(void)
{
	u32 ebx = 0x12345678, esi = 0x9abcdef0;
	u16 tr;
	bool done;

	load_gdt_with_tss();
	task_tss = tss_flat_task(task_entry, (u32)(uintptr_t)(task_stack + STACK_SIZE));
	asm volatile("ljmp %2, $0" : "+b"(ebx), "+S"(esi) : "i"(GUEST_TSS_B) : "memory");
	asm volatile("str %0" : "=r"(tr));
	CHECK(task_b_runs == 1 && tr == GUEST_TSS_A,
	      "back in task A (TR 0x%x) after task B ran %u time(s)", tr, task_b_runs);
	CHECK(ebx == 0x12345678 && esi == 0x9abcdef0,
	      "task A's registers survived (EBX 0x%x ESI 0x%x)", ebx, esi);
	done = SAFE_INSN("ljmp %[sel], $0", : [sel] "i"(GUEST_TSS_A));
	CHECK(faulted_with(done, VECTOR_GP),
	      "JMP to the busy TSS of the current task: #GP (vector %u)",
	      done ? 0 : guest_fault_vector);
}
