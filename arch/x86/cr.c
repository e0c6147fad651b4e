/*
 * The architectural checks of MOV to CR0 and CR4, for emulating a write
 * that exited. SDM Vol. 3A, "MOV—Move to/from Control Registers"
 * (Protected Mode and 64-Bit Mode Exceptions) and "Control Registers".
 */
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"

/* The CR0 bits that exist; writes to the reserved bits of CR0[31:0] are ignored. */
#define CR0_DEFINED                                                                    \
	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_ET | X86_CR0_NE | \
	 X86_CR0_WP | X86_CR0_AM | X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)

u64 cr0_normalize(u64 v)
{
	return (v & CR0_DEFINED) | X86_CR0_ET;
}

static bool in_64bit_mode(const struct cr_state *s)
{
	return (s->efer & EFER_LMA) && s->cs_long;
}

bool cr0_write_faults(const struct cr_state *s, u64 v)
{
	bool enables_paging = (v & X86_CR0_PG) && !(s->cr0 & X86_CR0_PG);

	if (v >> 32)
		return true; /* CR0[63:32] are reserved */
	if ((v & X86_CR0_PG) && !(v & X86_CR0_PE))
		return true;
	if ((v & X86_CR0_NW) && !(v & X86_CR0_CD))
		return true;
	/* Paging with EFER.LME = 1 activates IA-32e mode, which needs PAE. */
	if (enables_paging && (s->efer & EFER_LME) && !(s->cr4 & X86_CR4_PAE))
		return true;
	/* Leaving IA-32e mode is allowed only from compatibility mode, never with PCIDE on. */
	if (!(v & X86_CR0_PG) && (in_64bit_mode(s) || (s->cr4 & X86_CR4_PCIDE)))
		return true;
	return !(v & X86_CR0_WP) && (s->cr4 & X86_CR4_CET);
}

bool cr4_write_faults(const struct cr_state *s, u64 v, u64 cr4_allowed)
{
	u64 changed = v ^ s->cr4;

	if (v & ~cr4_allowed)
		return true;
	if ((v & X86_CR4_PCIDE) &&
	    (!(s->efer & EFER_LMA) || ((changed & X86_CR4_PCIDE) && (s->cr3 & X86_CR3_PCID_MASK))))
		return true;
	if ((s->efer & EFER_LMA) && (changed & (X86_CR4_PAE | X86_CR4_LA57)))
		return true;
	return (v & X86_CR4_CET) && !(s->cr0 & X86_CR0_WP);
}
