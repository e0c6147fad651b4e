/* Exits that need a line or two each. */
#include "hv/exit/misc.h"
#include "hv/cpu/vcpu.h"
#include "hv/log.h"
#include "hv/options.h"
#include "hv/pmu/pmu.h"
#include "hv/status.h"
#include "hv/guest/end.h"
#include "arch/x86/cr.h"
#include "arch/x86/extable.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx.h"

/*
 * One vCPU: an INIT or SIPI meant for this processor is dropped and
 * counted; the guest keeps running.
 */
enum exit_action handle_init_sipi(void)
{
	vcpu.dropped_init_sipi++;
	return EXIT_RESUME;
}

/* Only reached if HLT exiting is forced on: the guest continues after its HLT. */
enum exit_action handle_hlt(void)
{
	return EXIT_SKIP_INSN;
}

/* INVD would throw away the hypervisor's dirty cache lines too: write them back instead. */
enum exit_action handle_invd(void)
{
	asm volatile("wbinvd" ::: "memory");
	return EXIT_SKIP_INSN;
}

/* XSETBV always exits; an invalid XCR0 value #GPs here and is passed on as #GP. */
enum exit_action handle_xsetbv(void)
{
	struct guest_regs *g = vcpu.regs;
	u8 ok = 1;

	asm volatile("1: xsetbv\n\t"
		     "jmp 3f\n"
		     "2: movb $0, %0\n"
		     "3:\n\t" ASM_EXTABLE(1b, 2b)
		     : "+r"(ok)
		     : "c"((u32)g->rcx), "a"((u32)g->rax), "d"((u32)g->rdx));
	if (!ok) {
		vcpu_inject_gp();
		return EXIT_RESUME;
	}
	return EXIT_SKIP_INSN;
}

/*
 * RDPMC exits where the guest has no PMU (pmu=off: #GP, as on a CPU without
 * one) or where the hypervisor keeps counters of its own (pmu=partition:
 * the guest's counters are read for it, the others #GP). CPL and CR4.PCE
 * faults come before the VM exit (SDM Vol. 3C, "Relative Priority of
 * Faults and VM Exits").
 */
enum exit_action handle_rdpmc(void)
{
	u64 value;

	if (!pmu_guest_rdpmc((u32)vcpu.regs->rcx, &value)) {
		vcpu_inject_gp();
		return EXIT_RESUME;
	}
	vcpu.regs->rax = (u32)value;
	vcpu.regs->rdx = value >> 32;
	return EXIT_SKIP_INSN;
}

/* The guest sees no VMX: its VMX instructions are undefined opcodes. */
enum exit_action handle_vmx_instruction(void)
{
	vcpu_inject_ud();
	return EXIT_RESUME;
}

enum exit_action handle_preemption_timer(void)
{
	/* vcpu_arm_time_limit() ends the guest once the deadline has passed. */
	return EXIT_RESUME;
}

/*
 * MOV to CR0/CR4 changing a bit the hypervisor owns (CR0.NE, CR4.VMXE):
 * the guest's value goes to the read shadow, the real register keeps the
 * bits VMX operation needs. Exit qualification per SDM Vol. 3C, "Exit
 * Qualification for Control-Register Accesses".
 */
#define CR_QUAL_NUMBER(q) ((q)&0xf)
#define CR_QUAL_ACCESS(q) (((q) >> 4) & 3)
#define CR_QUAL_GPR(q) (((q) >> 8) & 0xf)
#define CR_ACCESS_MOV_TO 0
#define CR_GPR_RSP 4

static void update_long_mode(u64 cr0)
{
	u64 efer = vmread(GUEST_IA32_EFER);
	u64 entry = vmread(VM_ENTRY_CONTROLS);

	/* With paging toggled by an exit, LMA must be emulated. SDM Vol. 3C, "Unrestricted Guests". */
	if ((cr0 & X86_CR0_PG) && (efer & EFER_LME)) {
		efer |= EFER_LMA;
		entry |= VM_ENTRY_IA32E_MODE;
	} else {
		efer &= ~EFER_LMA;
		entry &= ~(u64)VM_ENTRY_IA32E_MODE;
	}
	vmwrite(GUEST_IA32_EFER, efer);
	vmwrite(VM_ENTRY_CONTROLS, entry);
}

enum exit_action handle_cr_access(void)
{
	u64 q = vcpu.exit_qualification;
	u32 cr = CR_QUAL_NUMBER(q), gpr = CR_QUAL_GPR(q);
	u64 value;

	if (CR_QUAL_ACCESS(q) != CR_ACCESS_MOV_TO || (cr != 0 && cr != 4))
		guest_end(HV_STATUS_HV_FAULT,
			  "unexpected control-register exit, qualification 0x%llx",
			  (unsigned long long)q);
	value = gpr == CR_GPR_RSP ? vmread(GUEST_RSP) : *vcpu_gpr(gpr);
	if (cr == 0) {
		u64 fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0) & ~(X86_CR0_PE | X86_CR0_PG);
		vmwrite(CR0_READ_SHADOW, value);
		vmwrite(GUEST_CR0, value | fixed0);
		update_long_mode(value);
	} else {
		vmwrite(CR4_READ_SHADOW, value);
		vmwrite(GUEST_CR4, value | rdmsr(MSR_IA32_VMX_CR4_FIXED0));
	}
	return EXIT_SKIP_INSN;
}
