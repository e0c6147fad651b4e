/*
 * A small printf: %s %c %d %i %u %x %X %p, length modifiers l and ll,
 * field width, '0' padding, '-' left alignment, and a precision for %s
 * (%.5s, %.*s: at most that many characters).
 */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H

#include <stdarg.h>
#include "lib/types.h"

typedef void (*putc_fn)(char c, void *arg);

int vformat(putc_fn out, void *arg, const char *fmt, va_list ap);
int vformat_to_buffer(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf_hv(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
