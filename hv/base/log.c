#include "hv/base/log.h"
#include "hv/base/status.h"
#include "arch/x86/panic.h"
#include "arch/x86/io.h"
#include "arch/x86/serial.h"
#include "hv/base/machine.h"
#include "lib/printf.h"

static enum log_level current_level = LOG_INFO;
static bool have_e9;

/*
 * Until the console is chosen (log_set_console(), once the command line
 * and the ACPI tables are read) lines wait in the early buffer. Before
 * log_init() the console is COM1, as on the PC.
 */
enum console_state { CONSOLE_ON, CONSOLE_PENDING, CONSOLE_NONE };
static enum console_state state = CONSOLE_ON;
static struct uart console = { .base = COM1_BASE, .stride = 1 };
#define EARLY_MAX 16384
static char early[EARLY_MAX];
static size_t early_len, early_lost;

static const char *const level_prefix[] = {
	[LOG_ERR] = "error: ",
	[LOG_WARN] = "warning: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

void log_init(void)
{
	/* Bochs' port_e9_hack and QEMU's debugcon read back 0xe9. */
	have_e9 = inb(BOCHS_E9_PORT) == BOCHS_E9_PORT;
	state = CONSOLE_PENDING;
	early_len = early_lost = 0;
}

static void uart_out(char c)
{
	if (c == '\n')
		uart_putc(&console, '\r');
	uart_putc(&console, c);
}

void log_set_console(const struct uart *u)
{
	bool pending = state == CONSOLE_PENDING;

	state = u ? CONSOLE_ON : CONSOLE_NONE;
	if (!u)
		return;
	console = *u;
	uart_init(&console);
	if (!pending)
		return;
	for (size_t i = 0; i < early_len; i++)
		uart_out(early[i]);
	if (early_lost)
		console_printf("pmuvisor: warning: %llu bytes of early output lost\n",
			       (unsigned long long)early_lost);
}

/* Before any console was chosen: COM1 where a UART answers there. */
static void log_default_console(void)
{
	struct uart com1 = {
		.base = COM1_BASE, .stride = 1, .baud = UART_DEFAULT_BAUD, .clock = UART_CLOCK_HZ
	};

	log_set_console(uart_present(&com1) ? &com1 : NULL);
}

void log_set_level(enum log_level level)
{
	current_level = level;
}

static void console_putc(char c, void *arg)
{
	(void)arg;
	if (state == CONSOLE_ON)
		uart_out(c);
	else if (state == CONSOLE_PENDING && early_len < EARLY_MAX)
		early[early_len++] = c;
	else if (state == CONSOLE_PENDING)
		early_lost++;
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
	if (state == CONSOLE_PENDING)
		log_default_console();
	machine_announce_end();
	console_printf("pmuvisor: exit status %d\n", status);
	if (state == CONSOLE_ON)
		uart_drain(&console);
	machine_end((u32)status);
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
