/* Console output: lib/printf.c's formatter writing to the UART. */
#include "guests/lib/guest.h"
#include "guests/lib/runtime.h"
#include "lib/printf.h"

static void uart_sink(char c, void *arg)
{
	(void)arg;
	serial_putc(c);
}

void guest_vprintf(const char *fmt, va_list ap)
{
	vformat(uart_sink, NULL, fmt, ap);
}

void guest_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	guest_vprintf(fmt, ap);
	va_end(ap);
}

void guest_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
	serial_putc('\n');
}

void guest_flush(void)
{
	serial_drain();
}
