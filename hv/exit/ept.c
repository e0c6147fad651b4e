/*
 * EPT violations. The EPT maps all RAM and the MMIO holes below the top of
 * RAM (at least 4 GiB) at boot; above that lie only device ranges (PCI
 * BARs, the processor's own), mapped uncacheable the first time the guest
 * touches each 2 MiB, up to MAXPHYADDR, so that boot need not fill tables
 * for the whole physical address space. No INVEPT is needed: an EPT
 * violation invalidates the cached mappings for its address (SDM Vol. 3C,
 * "Operations that Invalidate Cached Mappings"). What remains is an access
 * to hypervisor memory, which ends the guest naming the range it hit.
 */
#include "hv/exit/ept.h"
#include "hv/exit/fatal.h"
#include "hv/exit/nmi.h"
#include "hv/cpu/vcpu.h"
#include "hv/base/log.h"
#include "hv/base/status.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/ept.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmx.h"

static const char *access_name(u64 q)
{
	return q & EPT_VIOL_WRITE ? "write" : q & EPT_VIOL_FETCH ? "instruction fetch" : "read";
}

static bool is_device_range(u64 gpa)
{
	return gpa >= vcpu.mem.top && !(gpa >> cpuid_phys_addr_bits());
}

/* The first access to the 2 MiB of device memory around gpa: map them, retry the access. */
static enum exit_action map_device_range(u64 gpa, u64 q)
{
	u64 start = ALIGN_DOWN(gpa, SIZE_2M);

	if (!ept_map_identity(&vcpu.ept, start, start + SIZE_2M, EPT_MT_UC))
		return guest_stop(HV_STATUS_HV_FAULT, "out of memory for EPT tables at 0x%llx",
				  (unsigned long long)gpa);
	pr_debug("ept: %016llx-%016llx MMIO UC (on first access)", (unsigned long long)start,
		 (unsigned long long)(start + SIZE_2M));
	/* The access is retried: what it interrupted must be too. */
	if (q & EPT_VIOL_NMI_UNBLOCK)
		vmwrite(GUEST_INTERRUPTIBILITY_INFO,
			vmread(GUEST_INTERRUPTIBILITY_INFO) | GUEST_INTR_STATE_NMI);
	vcpu_redeliver_interrupted_event();
	return EXIT_RESUME;
}

enum exit_action handle_ept_violation(void)
{
	u64 q = vcpu_exit_qualification(), gpa = vmread(GUEST_PHYSICAL_ADDRESS);
	const struct guest_memory *m = &vcpu.mem;

	if (is_device_range(gpa))
		return map_device_range(gpa, q);
	if (q & EPT_VIOL_GLA_VALID)
		console_printf("pmuvisor:   guest linear address 0x%llx\n",
			       (unsigned long long)vmread(GUEST_LINEAR_ADDRESS));
	for (int i = 0; i < m->nr_hidden; i++)
		if (guest_memory_is_hidden(&m->hidden[i], 1, gpa, gpa + 1))
			return guest_stop(
				HV_STATUS_GUEST_CRASHED,
				"EPT violation: guest %s of hypervisor memory at guest-physical "
				"0x%llx (hypervisor range 0x%llx-0x%llx), guest RIP 0x%llx",
				access_name(q), (unsigned long long)gpa,
				(unsigned long long)m->hidden[i].start,
				(unsigned long long)m->hidden[i].end,
				(unsigned long long)vmread(GUEST_RIP));
	print_exit_fields();
	return guest_stop(HV_STATUS_HV_FAULT,
			  "EPT violation: guest %s at guest-physical 0x%llx, which is not "
			  "hypervisor memory, guest RIP 0x%llx",
			  access_name(q), (unsigned long long)gpa,
			  (unsigned long long)vmread(GUEST_RIP));
}
