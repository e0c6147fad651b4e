/*
 * Console output: a 16550 UART (console=, hv/console.c) and, when present,
 * the 0xE9 debug port. Every line starts with "pmuvisor: " so that scripts
 * can tell it from guest output.
 */
#ifndef HV_BASE_LOG_H
#define HV_BASE_LOG_H

#include "lib/types.h"

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

struct uart;

/* Output waits in a buffer (and goes to port 0xe9 where present) until log_set_console(). */
void log_init(void);
/* The console from now on (NULL: none), with everything written since log_init(). */
void log_set_console(const struct uart *u);
void log_set_level(enum log_level level);
void log_printf(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Raw output, no prefix and no level check: results blocks, fault dumps. */
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define pr_err(...) log_printf(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/*
 * End the run: the status line, then the end on_end= chooses (hv/base/machine.h).
 * Before a console is chosen it is COM1, where a UART answers there.
 */
__attribute__((noreturn)) void hv_exit(int status);
/* One line naming what is wrong, then hv_exit(status). */
__attribute__((noreturn, format(printf, 2, 3))) void hv_fail(int status, const char *fmt, ...);

#define panic(...) hv_fail(HV_STATUS_HV_FAULT, __VA_ARGS__)

#define HV_ASSERT(cond)                                                                         \
	do {                                                                                    \
		if (!(cond))                                                                    \
			panic("assertion '%s' failed in %s (%s:%d)", #cond, __func__, __FILE__, \
			      __LINE__);                                                        \
	} while (0)

#endif
