#include "arch/x86/lapic.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"

#define MSR_X2APIC_ICR_ADDR 0x830

void lapic_broadcast_ipi(u32 icr_low)
{
	u64 base = rdmsr(MSR_IA32_APICBASE);
	volatile u32 *apic = phys_to_virt(base & APICBASE_ADDR_MASK);

	if (base & APICBASE_X2APIC) {
		wrmsr(MSR_X2APIC_ICR_ADDR, icr_low | ICR_ALL_EXCLUDING_SELF);
		return;
	}
	apic[APIC_ICR_HIGH / 4] = 0;
	apic[APIC_ICR_LOW / 4] = icr_low | ICR_ALL_EXCLUDING_SELF;
	for (int spin = 0; spin < 1000000 && (apic[APIC_ICR_LOW / 4] & ICR_DELIVERY_PENDING);
	     spin++)
		asm volatile("pause");
}
