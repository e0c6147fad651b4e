/* The few libc string routines the hypervisor needs. */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include "lib/types.h"

/* memset, memcpy and memmove are these (lib/string.c); the host has them too, for tests. */
void *rep_memset(void *dst, int c, size_t n);
void *rep_memcpy(void *dst, const void *src, size_t n);
void *rep_memmove(void *dst, const void *src, size_t n);

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
 * Fields of firmware tables and boot-protocol headers sit at byte offsets
 * with no alignment guarantee: read and write them through memcpy.
 */
static inline u16 get_u16(const u8 *p, u32 off)
{
	u16 v;
	memcpy(&v, p + off, 2);
	return v;
}

static inline u32 get_u32(const u8 *p, u32 off)
{
	u32 v;
	memcpy(&v, p + off, 4);
	return v;
}

static inline u64 get_u64(const u8 *p, u32 off)
{
	u64 v;
	memcpy(&v, p + off, 8);
	return v;
}

static inline void put_u32(u8 *p, u32 off, u32 v)
{
	memcpy(p + off, &v, 4);
}

/*
 * Parse an unsigned number (decimal, or hex with 0x) spanning exactly
 * [s, s+len). Returns false on an empty, malformed or overflowing number.
 */
bool parse_u64(const char *s, size_t len, u64 *out);

#endif
