/*
 * Choosing the console (console=, hv/base/options.h): the UART the command line
 * names, else the one the ACPI SPCR table names where it is a 16550, else
 * COM1; a UART is used only where it answers (arch/x86/serial.h).
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include "hv/boot/multiboot2.h"
#include "hv/base/options.h"

/*
 * Choose the console for o (NULL: the default) from boot's ACPI tables,
 * hand it to hv/base/log.c, and say which it is. False with one line in err
 * when the UART o names does not answer: the default console, if any,
 * then carries the error.
 */
bool console_start(const struct hv_options *o, const struct boot_info *boot, char *err,
		   size_t errlen);

#endif
