/*
 * Leaving the current stack for good: what runs next starts on a fresh
 * stack, and everything on the old one is abandoned.
 */
#ifndef ARCH_X86_STACK_H
#define ARCH_X86_STACK_H

#include "lib/types.h"

/* Call fn with RSP at top (16-byte aligned); fn never returns. */
__attribute__((noreturn)) static inline void call_on_stack(void *top, void (*fn)(void))
{
	asm volatile("mov %0, %%rsp\n\t"
		     "xor %%ebp, %%ebp\n\t"
		     "call *%1\n\t"
		     "ud2"
		     :
		     : "r"(top), "r"(fn)
		     : "memory");
	__builtin_unreachable();
}

#endif
