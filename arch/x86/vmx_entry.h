/*
 * Entering and leaving the guest (arch/x86/vmx_entry.S): the guest's
 * general registers, which the VMCS does not hold, are loaded before
 * VMLAUNCH/VMRESUME and saved at every VM exit. The offsets the assembly
 * uses are generated from this struct (arch/x86/asm-offsets.c).
 */
#ifndef ARCH_X86_VMX_ENTRY_H
#define ARCH_X86_VMX_ENTRY_H

#include "lib/types.h"

struct guest_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

/* Defined by the hypervisor (hv/cpu/vcpu.c). */
extern struct guest_regs guest_regs;

/* Loads guest_regs and executes VMLAUNCH; returns only through vmx_entry_failed(). */
__attribute__((noreturn)) void vmx_launch_guest(void);
/* Where every VM exit lands (the VMCS HOST_RIP). */
extern char vmx_exit_entry[];

/* Implemented by the hypervisor (hv/exit/), called from vmx_entry.S: */
/*
 * on every VM exit, with guest_regs saved; the guest is resumed after it.
 * A pointer: the hypervisor picks the exit path of each run.
 */
extern void (*vmexit_handler)(void);
/* VMLAUNCH (resumed 0) or VMRESUME (resumed 1) failed (VMfail): report and end the run. */
__attribute__((noreturn)) void vmx_entry_failed(int resumed);

#endif
