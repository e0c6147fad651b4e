/*
 * triple-fault: loads an IDT with limit 0 and executes INT3. The #BP cannot
 * be delivered (#GP), nor can that #GP (#DF), nor the #DF: a triple fault,
 * which pmuvisor must catch and report as the guest's end. On bare QEMU
 * with -no-reboot the machine just stops.
 */
#include "guests/lib/guest.h"

const char guest_name[] = "triple-fault";

int guest_main(const char *cmdline)
{
	(void)cmdline;
	guest_printf(
		"triple-fault: loading an empty IDT and executing INT3: expect a triple fault\n");
	guest_flush(); /* the machine stops at the fault: let this line out first */
	lidt(NULL, 0);
	asm volatile("int3");
	guest_printf("triple-fault: still running after INT3 with an empty IDT\n");
	return GUEST_STATUS_FAIL;
}
