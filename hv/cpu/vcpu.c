/*
 * The VMCS of the one vCPU: controls, host state, and the guest state a
 * multiboot loader leaves a kernel in (Multiboot Specification, "Machine
 * state": 32-bit protected mode, flat segments, paging off, EAX = magic,
 * EBX = boot information). Needs the unrestricted-guest control, since
 * paging is off.
 */
#include "arch/x86/frame.h"
#include "hv/base/log.h"
#include "hv/base/status.h"
#include "hv/cpu/vcpu.h"
#include "hv/cpu/vmx_enable.h"
#include "arch/x86/lapic.h"
#include "arch/x86/cr.h"
#include "arch/x86/desc.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/trapnr.h"
#include "arch/x86/vmx.h"

#define EXIT_STACK_SIZE 16384
#define GUEST_PAT_DEFAULT 0x0007040600070406ULL /* the power-on PAT */
#define GUEST_RFLAGS_FIXED BIT(1)
#define GUEST_DR7_DEFAULT 0x400
#define AR_CODE32 0xc09b /* G, D/B, present, code execute/read, accessed */
#define AR_DATA32 0xc093 /* G, D/B, present, data read/write, accessed */
#define AR_TSS32_BUSY 0x008b

struct guest_regs guest_regs;
struct vcpu vcpu;

static u8 exit_stack[EXIT_STACK_SIZE] __attribute__((aligned(16)));

/*
 * The guest's CPUID is derived from what is written here (cpuid_controls.c).
 * XSAVES and XRSTORS exit for the bits set in the XSS-exiting bitmap, which
 * only the 1-setting of "enable XSAVES/XRSTORS" brings into existence: 0,
 * they never exit (SDM Vol. 3C, "Instructions That Cause VM Exits
 * Conditionally"), and IA32_XSS is the guest's.
 */
void vcpu_write_exec_controls(const struct vmx_controls *c)
{
	vmwrite(PIN_BASED_VM_EXEC_CONTROL, c->pin);
	vmwrite(CPU_BASED_VM_EXEC_CONTROL, c->cpu);
	vmwrite(SECONDARY_VM_EXEC_CONTROL, c->secondary);
	vmwrite(VM_EXIT_CONTROLS, c->exit);
	vmwrite(VM_ENTRY_CONTROLS, c->entry);
	if (c->secondary & SECONDARY_EXEC_XSAVES)
		vmwrite(XSS_EXIT_BITMAP, 0);
}

/* The controls beyond the intercepts, and what the exits need of IA32_VMX_MISC. */
static void setup_controls(void)
{
	vmwrite(EXCEPTION_BITMAP, 0);
	vmwrite(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmwrite(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmwrite(CR3_TARGET_COUNT, 0);
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmwrite(EPT_POINTER, ept_pointer(&vcpu.ept));
	vmwrite(VMCS_LINK_POINTER, ~0ULL);
	vcpu.preemption_timer_rate = VMX_MISC_PREEMPTION_TIMER_RATE(rdmsr(MSR_IA32_VMX_MISC));
}

u64 vcpu_cr0_forced_bits(void)
{
	/* Unrestricted guest: PE and PG may be 0 although FIXED0 names them. */
	return rdmsr(MSR_IA32_VMX_CR0_FIXED0) & ~(X86_CR0_PE | X86_CR0_PG);
}

u64 vcpu_cr0_owned_bits(void)
{
	return vcpu_cr0_forced_bits() | X86_CR0_CD | X86_CR0_NW;
}

/*
 * The guest must run with CR0.NE and CR4.VMXE set (IA32_VMX_CRx_FIXED0);
 * owning those bits and shadowing them hides that from the guest. CR0.CD
 * and NW are owned too (VM entry does not load them, hv/exit/cr.c): the
 * guest starts with the processor's.
 */
static void setup_control_registers(void)
{
	u64 cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	u64 cr0 = X86_CR0_PE | X86_CR0_ET | (read_cr0() & (X86_CR0_CD | X86_CR0_NW));

	vmwrite(CR0_GUEST_HOST_MASK, vcpu_cr0_owned_bits());
	vmwrite(CR0_READ_SHADOW, cr0);
	vmwrite(GUEST_CR0, cr0 | vcpu_cr0_forced_bits());
	vmwrite(CR4_GUEST_HOST_MASK, cr4_fixed0);
	vmwrite(CR4_READ_SHADOW, 0);
	vmwrite(GUEST_CR4, cr4_fixed0);
	vmwrite(GUEST_CR3, 0);
}

static void setup_host_state(void)
{
	vmwrite(HOST_CR0, read_cr0());
	vmwrite(HOST_CR3, read_cr3());
	vmwrite(HOST_CR4, read_cr4());
	vmwrite(HOST_CS_SELECTOR, GDT_SEL_CODE);
	vmwrite(HOST_SS_SELECTOR, GDT_SEL_DATA);
	vmwrite(HOST_DS_SELECTOR, GDT_SEL_DATA);
	vmwrite(HOST_ES_SELECTOR, GDT_SEL_DATA);
	vmwrite(HOST_FS_SELECTOR, 0);
	vmwrite(HOST_GS_SELECTOR, 0);
	vmwrite(HOST_TR_SELECTOR, GDT_SEL_TSS);
	vmwrite(HOST_FS_BASE, 0);
	vmwrite(HOST_GS_BASE, 0);
	vmwrite(HOST_TR_BASE, tss_base());
	vmwrite(HOST_GDTR_BASE, gdt_base());
	vmwrite(HOST_IDTR_BASE, idt_base());
	vmwrite(HOST_IA32_SYSENTER_CS, 0);
	vmwrite(HOST_IA32_SYSENTER_ESP, 0);
	vmwrite(HOST_IA32_SYSENTER_EIP, 0);
	vmwrite(HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmwrite(HOST_IA32_PAT, rdmsr(MSR_IA32_CR_PAT));
	vmwrite(HOST_RSP, virt_to_phys(exit_stack + EXIT_STACK_SIZE));
	vmwrite(HOST_RIP, virt_to_phys(vmx_exit_entry));
}

static void set_guest_segment(enum vmcs_field selector, u16 sel, u32 ar)
{
	/* Selector, base, limit and access rights are laid out in parallel groups. */
	u32 i = (selector - GUEST_ES_SELECTOR) / 2;

	vmwrite(selector, sel);
	vmwrite(GUEST_ES_BASE + 2 * i, 0);
	vmwrite(GUEST_ES_LIMIT + 2 * i, 0xffffffff);
	vmwrite(GUEST_ES_AR_BYTES + 2 * i, ar);
}

static void setup_guest_state(const struct guest_image *image, const struct guest_boot *boot)
{
	set_guest_segment(GUEST_CS_SELECTOR, boot->cs, AR_CODE32);
	set_guest_segment(GUEST_SS_SELECTOR, boot->ds, AR_DATA32);
	set_guest_segment(GUEST_DS_SELECTOR, boot->ds, AR_DATA32);
	set_guest_segment(GUEST_ES_SELECTOR, boot->ds, AR_DATA32);
	set_guest_segment(GUEST_FS_SELECTOR, boot->ds, AR_DATA32);
	set_guest_segment(GUEST_GS_SELECTOR, boot->ds, AR_DATA32);
	vmwrite(GUEST_LDTR_SELECTOR, 0);
	vmwrite(GUEST_LDTR_BASE, 0);
	vmwrite(GUEST_LDTR_LIMIT, 0);
	vmwrite(GUEST_LDTR_AR_BYTES, VMX_AR_UNUSABLE);
	/* VM entry requires a usable busy TSS even though the guest has none yet. */
	vmwrite(GUEST_TR_SELECTOR, 0);
	vmwrite(GUEST_TR_BASE, 0);
	vmwrite(GUEST_TR_LIMIT, 0xff);
	vmwrite(GUEST_TR_AR_BYTES, AR_TSS32_BUSY);
	vmwrite(GUEST_GDTR_BASE, boot->gdt_base);
	vmwrite(GUEST_GDTR_LIMIT, boot->gdt_limit);
	vmwrite(GUEST_IDTR_BASE, 0);
	vmwrite(GUEST_IDTR_LIMIT, 0x3ff);

	vmwrite(GUEST_IA32_EFER, 0);
	vmwrite(GUEST_IA32_PAT, GUEST_PAT_DEFAULT);
	vmwrite(GUEST_IA32_DEBUGCTL, 0);
	vmwrite(GUEST_SYSENTER_CS, 0);
	vmwrite(GUEST_SYSENTER_ESP, 0);
	vmwrite(GUEST_SYSENTER_EIP, 0);
	vmwrite(GUEST_DR7, GUEST_DR7_DEFAULT);
	vmwrite(GUEST_RFLAGS, GUEST_RFLAGS_FIXED);
	vmwrite(GUEST_RIP, image->entry);
	vmwrite(GUEST_RSP, GUEST_BOOT_AREA_START);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmwrite(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	setup_control_registers();

	vcpu.regs = &guest_regs;
	guest_regs.rax = boot->eax;
	guest_regs.rbx = boot->ebx;
	guest_regs.rsi = boot->esi;
}

void vcpu_create(const struct guest_image *image, const struct guest_boot *boot)
{
	u64 vmcs = frame_alloc_zeroed();

	if (!vmcs)
		hv_fail(HV_STATUS_HV_FAULT, "out of memory for the VMCS");
	*(u32 *)phys_to_virt(vmcs) = vmx_revision_id();
	vmx_check(vmclear_safe(vmcs), "VMCLEAR", vmcs);
	vmx_check(vmptrld_safe(vmcs), "VMPTRLD", vmcs);
	vcpu.vmcs_phys = vmcs;
	setup_controls();
	setup_host_state();
	setup_guest_state(image, boot);
}

/*
 * Emulating the instruction ends any STI or MOV SS shadow it was in (SDM
 * Vol. 3C, "Interruptibility State"). An emulated instruction under
 * EFLAGS.TF owes the guest the single-step trap the real one would have
 * raised (unless DEBUGCTL.BTF limits it to branches): VM entry delivers it
 * from the pending debug exceptions, as KVM's
 * kvm_skip_emulated_instruction() arranges.
 */
void vcpu_skip_side_effects(u64 interruptibility, u64 rflags)
{
	const u64 shadow = GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS;

	if (interruptibility & shadow)
		vmwrite(GUEST_INTERRUPTIBILITY_INFO, interruptibility & ~shadow);
	if ((rflags & X86_EFLAGS_TF) && !(vmread(GUEST_IA32_DEBUGCTL) & DEBUGCTLMSR_BTF))
		vmwrite(GUEST_PENDING_DBG_EXCEPTIONS,
			vmread(GUEST_PENDING_DBG_EXCEPTIONS) | PENDING_DBG_BS);
}

u64 vcpu_exits_total(void)
{
	u64 total = 0;

	for (u32 r = 0; r < EXIT_REASON_MAX; r++)
		total += vcpu.exit_counts[r];
	return total;
}

static void inject_exception(u32 vector, bool has_error_code)
{
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, vector | INTR_TYPE_HARD_EXCEPTION |
						  (has_error_code ? INTR_INFO_DELIVER_CODE : 0) |
						  INTR_INFO_VALID);
	if (has_error_code)
		vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
}

void vcpu_inject_gp(void)
{
	inject_exception(X86_TRAP_GP, true);
}

/* VM entry does not load CR2: the guest's is the processor's own. */
void vcpu_inject_page_fault(u64 linear, u32 error)
{
	write_cr2(linear);
	vmwrite(VM_ENTRY_INTR_INFO_FIELD,
		X86_TRAP_PF | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_DELIVER_CODE | INTR_INFO_VALID);
	vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
}

void vcpu_inject_ud(void)
{
	inject_exception(X86_TRAP_UD, false);
}

/* CPL is SS.DPL (SDM Vol. 3C, "Checks on Guest Segment Registers"): 3 in virtual-8086 mode, 0 in real mode. */
unsigned vcpu_cpl(void)
{
	return (vmread(GUEST_SS_AR_BYTES) >> 5) & 3;
}

u64 *vcpu_gpr(unsigned index)
{
	/* SDM numbering: RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15. RSP lives in the VMCS. */
	static u64 *const slots[16] = {
		&guest_regs.rax, &guest_regs.rcx, &guest_regs.rdx, &guest_regs.rbx, NULL,
		&guest_regs.rbp, &guest_regs.rsi, &guest_regs.rdi, &guest_regs.r8,  &guest_regs.r9,
		&guest_regs.r10, &guest_regs.r11, &guest_regs.r12, &guest_regs.r13, &guest_regs.r14,
		&guest_regs.r15,
	};
	return slots[index & 15];
}
