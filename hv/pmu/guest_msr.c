/*
 * The guest's intercepted PMU MSR accesses and its RDPMC where it exits:
 * what is emulated, what goes to the hardware, what #GPs.
 */
#include "hv/pmu/internal.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx.h"

/*
 * Of the GLOBAL_STATUS bits of no counter, what the guest may reset: all, as Linux acknowledges every bit
 * it read (KVM accepts them too); and set: not the freeze bits, whose
 * CTR_Frz would stop the counters the hypervisor keeps for itself.
 */
#define GLOBAL_STATUS_GUEST_RESETS GLOBAL_STATUS_NO_COUNTER
#define GLOBAL_STATUS_GUEST_SETS (GLOBAL_STATUS_BUFFER_OVF | GLOBAL_STATUS_COND_CHG)

bool pmu_emulates_rdpmc(void)
{
	return pmu_guest_has_pmu() && !pmu.ops->rdpmc && pmu.rdpmc_broken;
}

struct pmu_reg pmu_reg_of_msr(u32 msr)
{
	if (msr >= MSR_IA32_PMC0 && msr < MSR_IA32_PMC0 + PMU_MAX_GP)
		return (struct pmu_reg){ PMU_REG_GP, msr - MSR_IA32_PMC0 };
	if (msr >= MSR_IA32_PMC0_FW && msr < MSR_IA32_PMC0_FW + PMU_MAX_GP)
		return (struct pmu_reg){ PMU_REG_GP, msr - MSR_IA32_PMC0_FW };
	if (msr >= MSR_P6_EVNTSEL0 && msr < MSR_P6_EVNTSEL0 + PMU_MAX_GP)
		return (struct pmu_reg){ PMU_REG_EVTSEL, msr - MSR_P6_EVNTSEL0 };
	if (msr >= MSR_CORE_PERF_FIXED_CTR0 && msr < MSR_CORE_PERF_FIXED_CTR0 + PMU_MAX_FIXED)
		return (struct pmu_reg){ PMU_REG_FIXED, msr - MSR_CORE_PERF_FIXED_CTR0 };
	if ((msr >= MSR_CORE_PERF_FIXED_CTR_CTRL && msr <= MSR_CORE_PERF_GLOBAL_STATUS_SET) ||
	    msr == MSR_IA32_PERF_CAPABILITIES || msr == MSR_IA32_DS_AREA ||
	    msr == MSR_IA32_PEBS_ENABLE || msr == MSR_IA32_DEBUGCTLMSR)
		return (struct pmu_reg){ PMU_REG_OTHER, 0 };
	return (struct pmu_reg){ PMU_REG_NONE, 0 };
}

/*
 * Intel SDM Vol. 2B, "RDPMC": ECX bit 30 selects the fixed counters, the
 * low bits the counter. Any other bit set leaves an index no counter has,
 * which no one owns: RDPMC #GPs.
 */
struct pmu_reg pmu_reg_of_rdpmc(u32 ecx)
{
	if (ecx & RDPMC_FIXED)
		return (struct pmu_reg){ PMU_REG_FIXED, ecx & ~(u32)RDPMC_FIXED };
	return (struct pmu_reg){ PMU_REG_GP, ecx };
}

bool pmu_guest_owns_reg(struct pmu_reg r)
{
	if (r.kind == PMU_REG_GP || r.kind == PMU_REG_EVTSEL)
		return r.index < pmu.guest_gp;
	return r.kind == PMU_REG_FIXED && pmu_guest_owns_fixed(r.index);
}

u32 pmu_counter_msr(struct pmu_reg r)
{
	return r.kind == PMU_REG_FIXED ? msr_fixed_ctr(r.index) : msr_pmc(r.index, false);
}

/*
 * RDPMC emulated from the counter MSRs where the CPU's does not read back
 * (Bochs: GP counters read 0, fixed counters #GP); a counter the guest
 * does not own #GPs. The hardware holds the guest's counters:
 * pmu_vmexit() switched nothing for this exit.
 */
static bool emulate_rdpmc(u32 ecx, u64 *value)
{
	struct pmu_reg counter = pmu_reg_of_rdpmc(ecx);

	if (!pmu_guest_owns_reg(counter))
		return false;
	*value = rdmsr(pmu_counter_msr(counter));
	return true;
}

bool pmu_guest_rdpmc(u32 ecx, u64 *value)
{
	if (!pmu_guest_has_pmu())
		return false;
	if (pmu.ops->rdpmc)
		return pmu.ops->rdpmc(ecx, value);
	return pmu_emulates_rdpmc() && emulate_rdpmc(ecx, value);
}

bool pmu_msr_claims(u32 msr)
{
	return pmu_reg_of_msr(msr).kind != PMU_REG_NONE;
}

bool pmu_msr_read(u32 msr, u64 *value)
{
	u64 caps;

	if (msr == MSR_CORE_PERF_FIXED_CTR_CTRL && pmu_guest_has_pmu() &&
	    pmu.ops->read_fixed_ctr_ctrl)
		return pmu.ops->read_fixed_ctr_ctrl(value);
	/* Everything else that exits here is not the guest's: #GP. */
	if (msr != MSR_IA32_PERF_CAPABILITIES || !pmu_guest_has_pmu() || !rdmsr_safe(msr, &caps))
		return false;
	*value = caps & PERF_CAP_FW_WRITE; /* no LBR format, no PEBS */
	return true;
}

/*
 * A register the strategy switched out for this exit lives in pmu.guest
 * until VM entry; otherwise the hardware holds it. The value is tried on
 * the hardware first so that reserved bits #GP the guest, as they would
 * natively, and never the hypervisor at VM entry.
 */
static bool write_guest_register(u32 msr, u64 value, u64 *saved)
{
	u64 current = rdmsr(msr);

	if (!wrmsr_safe(msr, value))
		return false;
	*saved = value;
	if (pmu.switched)
		wrmsr(msr, current);
	return true;
}

/*
 * GLOBAL_OVF_CTRL (STATUS_RESET) and STATUS_SET: the bits of the guest's
 * counters and the bits of no counter it may write (GLOBAL_STATUS_GUEST_*),
 * where the CPU takes them; any other bit #GPs, as natively.
 */
static bool write_global_status_bits(u32 msr, u64 value)
{
	bool saved_out = pmu.switched && pmu.ops->status_held_outside;
	bool reset = msr == MSR_CORE_PERF_GLOBAL_OVF_CTRL;
	u64 cpu_bits = reset ? pmu.status_reset_bits : pmu.status_set_bits;
	u64 guest_bits = pmu.guest_global_mask |
			 (reset ? GLOBAL_STATUS_GUEST_RESETS : GLOBAL_STATUS_GUEST_SETS);

	if ((!reset && !pmu.has_status_set) || (value & ~(cpu_bits & guest_bits)))
		return false;
	if (!saved_out) {
		pmu_wrmsr(msr, value); /* a PMU access of this (MSR_WRITE) exit */
		return true;
	}
	if (reset)
		pmu.guest.global_status &= ~value;
	else
		pmu.guest.global_status |= value;
	return true;
}

bool pmu_msr_write(u32 msr, u64 value)
{
	struct pmu_reg reg = pmu_reg_of_msr(msr);

	if (!pmu_guest_has_pmu())
		return false;
	if (msr == MSR_IA32_DEBUGCTLMSR) {
		if (value & ~DEBUGCTL_GUEST_ALLOWED)
			return false; /* LBR, BTS and trace are not offered */
		/* As natively: #GP without DEBUGCTL (its RDMSR #GPs too) or on a bit it refuses. */
		if (!pmu.has_debugctl || (value & ~pmu.debugctl_bits))
			return false;
		vmwrite(GUEST_IA32_DEBUGCTL, value);
		return true;
	}
	if (reg.kind == PMU_REG_EVTSEL && pmu_guest_owns_reg(reg))
		return write_guest_register(msr, value, &pmu.guest.evtsel[reg.index]);
	if (msr == MSR_CORE_PERF_FIXED_CTR_CTRL && pmu.ops->write_fixed_ctr_ctrl)
		return pmu.ops->write_fixed_ctr_ctrl(value);
	if (msr == MSR_CORE_PERF_FIXED_CTR_CTRL)
		return write_guest_register(msr, value, &pmu.guest.fixed_ctr_ctrl);
	if (msr == MSR_CORE_PERF_GLOBAL_CTRL && pmu.ops->write_global_ctrl)
		return pmu.ops->write_global_ctrl(value);
	if (msr == MSR_CORE_PERF_GLOBAL_CTRL) {
		if (value & ~pmu.guest_global_mask)
			return false;
		pmu_set_guest_global_ctrl(value);
		return true;
	}
	if (msr == MSR_CORE_PERF_GLOBAL_OVF_CTRL || msr == MSR_CORE_PERF_GLOBAL_STATUS_SET)
		return write_global_status_bits(msr, value);
	return false;
}
