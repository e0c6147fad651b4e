/*
 * hv-write: writes into the hypervisor's own memory. pmuvisor is linked at
 * physical 64 MiB and hides itself from the guest with EPT, so the first
 * write must end in an EPT violation that the hypervisor reports: the
 * "wrote hypervisor memory" line must never appear under pmuvisor.
 * Natively there is nothing to stop the write, and the guest exits 0.
 */
#include "guests/lib/guest.h"

#define HV_LOAD_ADDR 0xc00000 /* linker.ld's HV_LOAD_ADDR */
#define PATTERN_WORDS 16
#define PATTERN 0xdeadbeef

const char guest_name[] = "hv-write";

int guest_main(const char *cmdline)
{
	volatile u32 *hv = (volatile u32 *)HV_LOAD_ADDR;

	(void)cmdline;
	guest_printf("hv-write: writing 0x%08x to %d words at 0x%08x (hypervisor memory)\n",
		     PATTERN, PATTERN_WORDS, HV_LOAD_ADDR);
	guest_flush(); /* the hypervisor ends us at the first write: let this line out first */
	for (int i = 0; i < PATTERN_WORDS; i++)
		hv[i] = PATTERN ^ (u32)i;
	guest_printf("guest: wrote hypervisor memory\n");
	return GUEST_STATUS_PASS;
}
