/*
 * Guest-linear memory for emulated instructions. Every byte is translated
 * before any is touched, so a fault leaves memory as it was. Memory that
 * is not guest RAM ends the guest (guest_stop()): hypervisor memory as a
 * crash (as the EPT violation would), device memory as a gap of the
 * emulation.
 */
#include "hv/exit/guest_mem.h"
#include "hv/exit/vmexit.h"
#include "hv/cpu/vcpu.h"
#include "hv/base/status.h"
#include "arch/x86/paging.h"
#include "arch/x86/paging_walk.h"
#include "arch/x86/vmx.h"

static bool guest_ram(u64 pa, u64 len)
{
	const struct guest_memory *m = &vcpu.mem;
	return guest_memory_is_ram(m->regions, m->nr_regions, m->hidden, m->nr_hidden, pa,
				   pa + len);
}

static bool read_table(u64 pa, unsigned size, u64 *value)
{
	if (!guest_ram(pa, size))
		return false;
	*value = size == 4 ? *(const u32 *)phys_to_virt(pa) : *(const u64 *)phys_to_virt(pa);
	return true;
}

static bool translate(u64 linear, u32 len, u32 access, u64 *pa)
{
	struct paging_regs r = { vmread(GUEST_CR0), vmread(GUEST_CR3), vmread(GUEST_CR4),
				 vmread(GUEST_IA32_EFER) };
	u32 error = 0;

	if (len > GUEST_MEM_MAX) {
		guest_stop(HV_STATUS_HV_FAULT, "emulated access of %u bytes: too long", len);
		return false;
	}
	for (u32 i = 0; i < len; i++) {
		enum walk_result res =
			paging_walk(&r, linear + i, access, read_table, &pa[i], &error);

		if (res == WALK_PAGE_FAULT) {
			vcpu_inject_page_fault(linear + i, error);
			return false;
		}
		if (res == WALK_BAD_TABLE || !guest_ram(pa[i], 1)) {
			guest_stop(guest_memory_is_hidden(vcpu.mem.hidden, vcpu.mem.nr_hidden,
							  pa[i], pa[i] + 1)
					   ? HV_STATUS_GUEST_CRASHED
					   : HV_STATUS_HV_FAULT,
				   "emulated access to guest-linear 0x%llx: its memory (or a page "
				   "table) is not guest RAM; guest RIP 0x%llx",
				   (unsigned long long)(linear + i),
				   (unsigned long long)vmread(GUEST_RIP));
			return false;
		}
	}
	return true;
}

bool guest_linear_probe(u64 linear, u32 len, u32 access)
{
	u64 pa[GUEST_MEM_MAX];
	return translate(linear, len, access, pa);
}

bool guest_linear_read(u64 linear, void *buf, u32 len, u32 access)
{
	u64 pa[GUEST_MEM_MAX];

	if (!translate(linear, len, access, pa))
		return false;
	for (u32 i = 0; i < len; i++)
		((u8 *)buf)[i] = *(const u8 *)phys_to_virt(pa[i]);
	return true;
}

bool guest_linear_write(u64 linear, const void *buf, u32 len, u32 access)
{
	u64 pa[GUEST_MEM_MAX];

	if (!translate(linear, len, access | PF_WRITE, pa))
		return false;
	for (u32 i = 0; i < len; i++)
		*(u8 *)phys_to_virt(pa[i]) = ((const u8 *)buf)[i];
	return true;
}
