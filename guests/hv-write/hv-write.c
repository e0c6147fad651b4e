/*
 * hv-write: writes into the hypervisor's own memory, which the guest's
 * memory map shows as the reserved range that ends its RAM from 1 MiB.
 * pmuvisor hides itself from the guest with EPT, so the first write must
 * end in an EPT violation that the hypervisor reports: the "wrote
 * hypervisor memory" line must never appear under pmuvisor.
 */
#include "guests/lib/guest.h"

#define PATTERN_WORDS 16
#define PATTERN 0xdeadbeef

const char guest_name[] = "hv-write";

int guest_main(const char *cmdline)
{
	volatile u32 *hv;
	u64 start, end;

	(void)cmdline;
	if (!guest_hypervisor_range(&start, &end)) {
		guest_printf("hv-write: no reserved range ends the RAM from 1 MiB\n");
		return GUEST_STATUS_FAIL;
	}
	hv = (volatile u32 *)(uintptr_t)start;
	guest_printf("hv-write: writing 0x%08x to %d words at 0x%08llx (hypervisor memory)\n",
		     PATTERN, PATTERN_WORDS, (unsigned long long)start);
	guest_flush(); /* the hypervisor ends us at the first write: let this line out first */
	for (int i = 0; i < PATTERN_WORDS; i++)
		hv[i] = PATTERN ^ (u32)i;
	guest_printf("guest: wrote hypervisor memory\n");
	return GUEST_STATUS_PASS;
}
