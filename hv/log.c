#include "hv/log.h"
#include "hv/status.h"
#include "arch/x86/panic.h"
#include "arch/x86/io.h"
#include "arch/x86/platform.h"
#include "arch/x86/serial.h"
#include "lib/printf.h"

static enum log_level current_level = LOG_INFO;
static bool have_e9;

static const char *const level_prefix[] = {
	[LOG_ERR] = "error: ",
	[LOG_WARN] = "warning: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

void log_init(void)
{
	serial_init();
	/* Bochs' port_e9_hack and QEMU's debugcon read back 0xe9. */
	have_e9 = inb(BOCHS_E9_PORT) == BOCHS_E9_PORT;
}

void log_set_level(enum log_level level)
{
	current_level = level;
}

static void console_putc(char c, void *arg)
{
	(void)arg;
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
	if (have_e9)
		outb(BOCHS_E9_PORT, (u8)c);
}

static void console_vprintf(const char *fmt, va_list ap)
{
	vformat(console_putc, NULL, fmt, ap);
}

void console_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

static void log_vline(enum log_level level, const char *fmt, va_list ap)
{
	console_printf("pmuvisor: %s", level_prefix[level]);
	console_vprintf(fmt, ap);
	console_putc('\n', NULL);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	if (level > current_level)
		return;
	va_start(ap, fmt);
	log_vline(level, fmt, ap);
	va_end(ap);
}

void hv_exit(int status)
{
	console_printf("pmuvisor: exit status %d\n", status);
	platform_exit((u32)status);
}

void hv_fail(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vline(LOG_ERR, fmt, ap);
	va_end(ap);
	hv_exit(status);
}

/* arch/x86/panic.h: a fatal error in the mechanism ends the run like hv_fail(). */
void arch_panic_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

void arch_panic_end(void)
{
	hv_exit(HV_STATUS_HV_FAULT);
}

void arch_panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vline(LOG_ERR, fmt, ap);
	va_end(ap);
	arch_panic_end();
}
