/*
 * machine-end: ends the machine the way an operating system does, as its
 * command line says: `kbc` pulses the reset line through the keyboard
 * controller (0xfe to port 0x64), `cf9` resets through port 0xcf9 after a
 * 32-bit write to 0xcf8 (PCI CONFIG_ADDRESS) that only overlaps it, `halt`
 * halts with interrupts disabled. pmuvisor must see each and end the run
 * with its report; on bare hardware the machine resets or stops.
 */
#include "guests/lib/cpu.h"
#include "guests/lib/guest.h"

#define KBC_COMMAND 0x64
#define KBC_PULSE_RESET 0xfe
#define PCI_CONFIG_ADDRESS 0xcf8
#define RESET_CONTROL 0xcf9
#define RESET_CONTROL_SYS_RST_CPU 0x06 /* full reset, then reset the CPU */

const char guest_name[] = "machine-end";

int guest_main(const char *cmdline)
{
	if (guest_cmdline_has(cmdline, "kbc")) {
		guest_printf("machine-end: reset through the keyboard controller\n");
		guest_flush();
		outb(KBC_COMMAND, KBC_PULSE_RESET);
	} else if (guest_cmdline_has(cmdline, "cf9")) {
		guest_printf("machine-end: PCI configuration address, then reset through port "
			     "0xcf9\n");
		guest_flush();
		outl(PCI_CONFIG_ADDRESS, 0x80000000); /* bus 0, device 0: no reset */
		guest_printf("machine-end: still running after the write to 0xcf8\n");
		guest_flush();
		outb(RESET_CONTROL, RESET_CONTROL_SYS_RST_CPU);
	} else if (guest_cmdline_has(cmdline, "halt")) {
		guest_printf("machine-end: halting with interrupts disabled\n");
		guest_flush();
		asm volatile("cli; hlt");
	} else {
		guest_printf("machine-end: say kbc, cf9 or halt\n");
		return GUEST_STATUS_FAIL;
	}
	guest_printf("machine-end: still running after the end\n");
	return GUEST_STATUS_FAIL;
}
