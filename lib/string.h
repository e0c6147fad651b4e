/* The few libc string routines the hypervisor needs. */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include "lib/types.h"

#ifdef HOST_MODEL
#include <string.h>
#else
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
#endif

/*
 * Parse an unsigned number (decimal, or hex with 0x) spanning exactly
 * [s, s+len). Returns false on an empty, malformed or overflowing number.
 */
bool parse_u64(const char *s, size_t len, u64 *out);

#endif
