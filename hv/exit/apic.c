/*
 * The guest drives the physical local APIC directly; two of its MSRs are
 * intercepted. IA32_APIC_BASE: moving the APIC page over hypervisor memory
 * would turn the hypervisor's stack or data into APIC registers (the
 * physical APIC decodes the page in root operation too), so such a base
 * is refused with #GP; any other write goes to the processor, which makes
 * its own checks (reserved bits, mode transitions; SDM Vol. 3A, "x2APIC
 * State Transitions"). The x2APIC ICR: INIT and STARTUP to other
 * processors are dropped, since they would start them outside VMX.
 */
#include "hv/exit/apic.h"
#include "hv/cpu/vcpu.h"
#include "hv/base/log.h"
#include "arch/x86/lapic.h"
#include "arch/x86/msr.h"

/* x2APIC ICR: delivery mode 10:8, destination shorthand 19:18. SDM Vol. 3A, "Interrupt Command Register". */
#define ICR_DELIVERY_MODE(v) (((v) >> 8) & 7)
#define ICR_DM_INIT 5
#define ICR_DM_STARTUP 6
#define ICR_SHORTHAND(v) (((v) >> 18) & 3)
#define ICR_SHORTHAND_SELF 1
#define APIC_PAGE_SIZE 4096

bool apic_base_write(u32 msr, u64 value)
{
	u64 base = value & APICBASE_ADDR_MASK;

	if (guest_memory_is_hidden(vcpu.mem.hidden, vcpu.mem.nr_hidden, base,
				   base + APIC_PAGE_SIZE)) {
		pr_info("refused the guest's APIC base 0x%llx: hypervisor memory",
			(unsigned long long)base);
		return false;
	}
	return wrmsr_safe(msr, value);
}

/* In xAPIC mode the x2APIC MSRs do not exist: #GP, as the processor gives. */
bool x2apic_icr_write(u32 msr, u64 value)
{
	u32 mode = ICR_DELIVERY_MODE(value);

	if (!(rdmsr(MSR_IA32_APICBASE) & APICBASE_X2APIC))
		return false;
	if ((mode == ICR_DM_INIT || mode == ICR_DM_STARTUP) &&
	    ICR_SHORTHAND(value) != ICR_SHORTHAND_SELF) {
		if (!vcpu.dropped_init_sipi++)
			pr_info("dropped the guest's %s IPI (x2APIC ICR 0x%llx): other processors "
				"stay parked",
				mode == ICR_DM_INIT ? "INIT" : "STARTUP",
				(unsigned long long)value);
		return true;
	}
	return wrmsr_safe(msr, value);
}
