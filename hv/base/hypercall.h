/*
 * The guest/hypervisor ABI, shared by pmuvisor and the guests in guests/.
 *
 * Hypercalls: VMCALL with EAX = number, EBX, ECX, EDX = arguments; the result
 * comes back in EAX (low 32 bits) and EDX (high 32 bits). An unknown number
 * returns HC_ERROR in EAX.
 */
#ifndef HV_BASE_HYPERCALL_H
#define HV_BASE_HYPERCALL_H

#define HC_PING 0 /* returns HC_PING_MAGIC: the cheapest VMCALL exit */
#define HC_PUTS 1 /* EBX = guest-physical address of a NUL-terminated string (<= 256 bytes) */
#define HC_EXIT 2 /* EBX = status: ends the guest like a write to port 0xf4 */
#define HC_READ_COUNTER 3 /* EBX = HC_COUNTER_*, ECX = argument: returns a 64-bit value */

#define HC_COUNTER_EXITS_TOTAL 0  /* VM exits so far */
#define HC_COUNTER_EXITS_REASON 1 /* VM exits so far with basic exit reason ECX */

#define HC_PING_MAGIC 0x564d5550 /* "PUMV" little-endian */
#define HC_ERROR 0xffffffffU

/* Guest exit port: a 32-bit write of the status ends the guest (isa-debug-exit convention). */
#define GUEST_EXIT_PORT 0xf4
/* An intercepted test port: writes are counted, 32-bit reads return HC_PING_MAGIC. */
#define HV_TEST_PORT 0x520

/* An intercepted MSR for benchmarks: RDMSR returns HC_PING_MAGIC, WRMSR is ignored. */
#define HV_BENCH_MSR 0x40000100

/* CPUID leaf 0x40000000: EAX = highest hypervisor leaf, EBX:ECX:EDX = signature. */
#define HV_CPUID_SIGNATURE "pmuvisor\0\0\0\0"

#endif
