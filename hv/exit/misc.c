/* Exits that need a line or two each. */
#include "hv/exit/misc.h"
#include "hv/cpu/vcpu.h"
#include "hv/base/log.h"
#include "hv/base/status.h"
#include "arch/x86/extable.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx.h"

/*
 * INIT to the guest's own processor (the only one it has: the others are
 * parked with INIT blocked) resets it, which the hypervisor does not
 * emulate: end the guest, as a triple fault does. Resuming would take
 * the same INIT again forever.
 */
enum exit_action handle_init_signal(void)
{
	return guest_stop(HV_STATUS_GUEST_CRASHED,
			  "guest sent INIT to its own processor: a processor reset, which is not "
			  "emulated (guest RIP 0x%llx)",
			  (unsigned long long)vmread(GUEST_RIP));
}

/* A STARTUP IPI outside wait-for-SIPI is ignored by the processor: so here. */
enum exit_action handle_sipi(void)
{
	vcpu.dropped_init_sipi++;
	return EXIT_RESUME;
}

/*
 * HLT with interrupts disabled is the guest halting for good (Linux's
 * `halt`): the run ends. Otherwise the guest idles: it re-enters in the
 * HLT activity state, which the next interrupt ends as on hardware
 * (SDM Vol. 3C, "Guest Non-Register State").
 */
enum exit_action handle_hlt(void)
{
	if (!(vmread(GUEST_RFLAGS) & X86_EFLAGS_IF))
		return guest_stop(HV_STATUS_OK,
				  "guest halted with interrupts disabled at RIP 0x%llx",
				  (unsigned long long)vmread(GUEST_RIP));
	vcpu_skip_instruction();
	vmwrite(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
	return EXIT_RESUME;
}

/* INVD would throw away the hypervisor's dirty cache lines too: write them back instead. */
enum exit_action handle_invd(void)
{
	asm volatile("wbinvd" ::: "memory");
	return EXIT_SKIP_INSN;
}

/*
 * XSETBV always exits; an invalid XCR0 value #GPs here and is passed on
 * as #GP, as is XSETBV at CPL > 0 (SDM Vol. 2, "XSETBV", #GP(0) "If the
 * current privilege level is not 0").
 */
enum exit_action handle_xsetbv(void)
{
	struct guest_regs *g = vcpu.regs;
	u8 ok = 1;

	if (vcpu_cpl() != 0) {
		vcpu_inject_gp();
		return EXIT_RESUME;
	}
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

/* The guest sees no VMX: its VMX instructions are undefined opcodes. */
enum exit_action handle_vmx_instruction(void)
{
	vcpu_inject_ud();
	return EXIT_RESUME;
}

enum exit_action handle_preemption_timer(void)
{
	/* The dispatcher's time-limit check ends the guest once the deadline has passed. */
	return EXIT_RESUME;
}
