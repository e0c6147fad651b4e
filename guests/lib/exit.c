/*
 * Ending the guest. Under pmuvisor (and QEMU's isa-debug-exit device) a
 * 32-bit write of the status to GUEST_EXIT_PORT ends the run. Without
 * either, fall back to Bochs' shutdown port, then stop this CPU.
 */
#include "guests/lib/guest.h"
#include "hv/base/hypercall.h"

#define BOCHS_SHUTDOWN_PORT 0x8900

static void bochs_shutdown(void)
{
	for (const char *s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN_PORT, (u8)*s);
}

void guest_exit(u32 status)
{
	guest_flush();
	outl(GUEST_EXIT_PORT, status);
	bochs_shutdown();
	for (;;)
		asm volatile("cli; hlt");
}
