/* The end of every run: the host unit tests replace this file (tests/model/platform.c). */
#include "arch/x86/platform.h"
#include "arch/x86/cr.h"

void platform_stop(u32 status)
{
	(void)status;
	cpu_halt_forever();
}
