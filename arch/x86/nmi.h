/*
 * An NMI taken in VMX root operation. It is not the hypervisor's: NMIs
 * belong to the guest, so the trap handler hands each to the hypervisor,
 * which delivers it to the guest at the next VM entry.
 */
#ifndef ARCH_X86_NMI_H
#define ARCH_X86_NMI_H

/* Implemented by the hypervisor (hv/exit/nmi.c); called in NMI context, may not block. */
void nmi_taken_in_root(void);

#endif
