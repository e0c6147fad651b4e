#include "arch/x86/platform.h"
#include "arch/x86/cr.h"
#include "arch/x86/io.h"
#include "arch/x86/serial.h"

void platform_exit(u32 status)
{
	serial_drain();
	outl(ISA_DEBUG_EXIT_PORT, status);
	for (const char *s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN_PORT, (u8)*s);
	cpu_halt_forever();
}
