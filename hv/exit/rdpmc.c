/* The guest's RDPMC, where it exits (hv/exit/rdpmc.h). */
#include "hv/exit/rdpmc.h"
#include "hv/cpu/vcpu.h"
#include "hv/pmu/pmu.h"

/*
 * RDPMC exits where the guest has no PMU (pmu=off: #GP, as on a CPU without
 * one), where the hypervisor keeps counters of its own (pmu=partition:
 * the guest's counters are read for it, the others #GP) and where the
 * CPU's RDPMC does not read back what the counters hold (Bochs: emulated
 * from the counter MSRs). CPL and CR4.PCE
 * faults come before the VM exit (SDM Vol. 3C, "Relative Priority of
 * Faults and VM Exits").
 */
enum exit_action handle_rdpmc(void)
{
	u64 value;

	if (!pmu_guest_rdpmc((u32)vcpu.regs->rcx, &value)) {
		vcpu_inject_gp();
		return EXIT_RESUME;
	}
	vcpu.regs->rax = (u32)value;
	vcpu.regs->rdx = value >> 32;
	return EXIT_SKIP_INSN;
}
