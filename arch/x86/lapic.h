/*
 * The local APIC, for what the hypervisor does with it: sending INIT and
 * STARTUP IPIs to the other processors, and telling the bootstrap
 * processor from the others. Intel SDM Vol. 3A, "Advanced Programmable
 * Interrupt Controller (APIC)".
 */
#ifndef ARCH_X86_LAPIC_H
#define ARCH_X86_LAPIC_H

#include "lib/types.h"
#include "arch/x86/msr.h"

#define MSR_IA32_APICBASE 0x0000001b
#define APICBASE_BSP BIT(8)
#define APICBASE_X2APIC BIT(10)
#define APICBASE_ENABLE BIT(11)
#define APICBASE_ADDR_MASK 0x000ffffffffff000ULL

#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define ICR_DELIVERY_INIT (5U << 8)
#define ICR_DELIVERY_STARTUP (6U << 8)
#define ICR_DELIVERY_PENDING BIT(12)
#define ICR_LEVEL_ASSERT BIT(14)
#define ICR_ALL_EXCLUDING_SELF (3U << 18)

/* IA32_APIC_BASE.BSP: set on the processor the platform started, clear on the others. */
static inline bool cpu_is_bsp(void)
{
	return rdmsr(MSR_IA32_APICBASE) & APICBASE_BSP;
}

/* Send an IPI with the given ICR low word to all processors but this one. */
void lapic_broadcast_ipi(u32 icr_low);

#endif
