/* One VM round trip for measurement and self-tests (arch/x86/vmx_probe.S). */
#ifndef ARCH_X86_VMX_PROBE_H
#define ARCH_X86_VMX_PROBE_H

#include "lib/types.h"

/*
 * VMLAUNCH (launch != 0) or VMRESUME the current VMCS, whose guest exits
 * at once; back through HOST_RIP, which this sets, as HOST_RSP. Returns the
 * TSC ticks from just before the VM entry to just after the VM exit, or ~0
 * if the VM entry failed (VMfail).
 */
u64 vmx_probe_roundtrip(int launch);

#endif
