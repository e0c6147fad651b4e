/*
 * An NMI taken in VMX root operation. It is not the hypervisor's: NMIs
 * belong to the guest, so the trap handler hands each to the hypervisor,
 * which delivers it to the guest at the next VM entry.
 */
#ifndef ARCH_X86_NMI_H
#define ARCH_X86_NMI_H

#include "lib/types.h"

/*
 * An NMI that caused a VM exit leaves NMIs blocked in root operation until
 * the next IRET (SDM Vol. 3C, "Information for VM Exits Due to Vectored
 * Events"); without one, every later NMI would stay pending for good.
 * IRET to the next instruction on the same stack ends the blocking.
 */
#ifdef HOST_MODEL
void nmi_unblock(void);
#else
static inline void nmi_unblock(void)
{
	u64 scratch;

	/* 64-bit mode has no PUSH of a segment register: through a scratch register. */
	asm volatile("mov %%ss, %k0\n\t"
		     "pushq %0\n\t"
		     "leaq 8(%%rsp), %0\n\t"
		     "pushq %0\n\t"
		     "pushfq\n\t"
		     "mov %%cs, %k0\n\t"
		     "pushq %0\n\t"
		     "leaq 1f(%%rip), %0\n\t"
		     "pushq %0\n\t"
		     "iretq\n"
		     "1:"
		     : "=&r"(scratch)
		     :
		     : "memory", "cc");
}
#endif

/* Implemented by the hypervisor (hv/exit/nmi.c); called in NMI context, may not block. */
void nmi_taken_in_root(void);

#endif
