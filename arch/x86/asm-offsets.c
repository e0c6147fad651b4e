/*
 * The offsets of C structures that assembly uses, generated so that they
 * cannot drift from the structures. The Makefile compiles this file to
 * assembly only and turns every "->NAME value" line in it into
 * "#define NAME value" in generated/asm-offsets.h; it is never linked.
 */
#include "arch/x86/vmx_entry.h"

#define DEFINE(name, value) asm volatile("\n.ascii \"->" #name " %c0\"" : : "i"(value))
#define OFFSET(name, type, member) DEFINE(name, offsetof(struct type, member))

void asm_offsets(void);

void asm_offsets(void)
{
	/* arch/x86/vmx_entry.S */
	OFFSET(GUEST_REGS_RAX, guest_regs, rax);
	OFFSET(GUEST_REGS_RBX, guest_regs, rbx);
	OFFSET(GUEST_REGS_RCX, guest_regs, rcx);
	OFFSET(GUEST_REGS_RDX, guest_regs, rdx);
	OFFSET(GUEST_REGS_RSI, guest_regs, rsi);
	OFFSET(GUEST_REGS_RDI, guest_regs, rdi);
	OFFSET(GUEST_REGS_RBP, guest_regs, rbp);
	OFFSET(GUEST_REGS_R8, guest_regs, r8);
	OFFSET(GUEST_REGS_R9, guest_regs, r9);
	OFFSET(GUEST_REGS_R10, guest_regs, r10);
	OFFSET(GUEST_REGS_R11, guest_regs, r11);
	OFFSET(GUEST_REGS_R12, guest_regs, r12);
	OFFSET(GUEST_REGS_R13, guest_regs, r13);
	OFFSET(GUEST_REGS_R14, guest_regs, r14);
	OFFSET(GUEST_REGS_R15, guest_regs, r15);
}
