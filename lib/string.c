#include "lib/string.h"

/*
 * REP STOS/MOVS a machine word a step, then the tail a byte a step. The
 * loaders copy and clear tens of megabytes (a Linux vmlinux is 40 MB): a
 * byte loop makes that seconds of emulated time in Bochs, which counts one
 * step per element; on hardware the fast-string microcode makes this the
 * quick way too (SDM Vol. 1, "Fast-String Operation"). CLD first: a test
 * guest's trap handler may run with the direction flag its code set.
 * Compiled on the host as well, under these names, for the unit tests.
 */
#ifdef __x86_64__
#define REP_STOS_WORD "rep stosq"
#define REP_MOVS_WORD "rep movsq"
#else
#define REP_STOS_WORD "rep stosl"
#define REP_MOVS_WORD "rep movsl"
#endif
#define WORD_SIZE sizeof(unsigned long)

void *rep_memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t words = n / WORD_SIZE, bytes = n % WORD_SIZE;
	unsigned long pattern = (unsigned long)0x0101010101010101ULL * (u8)c;

	__asm__ volatile("cld\n\t" REP_STOS_WORD : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(bytes) : "a"(pattern) : "memory");
	return dst;
}

void *rep_memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t words = n / WORD_SIZE, bytes = n % WORD_SIZE;

	__asm__ volatile("cld\n\t" REP_MOVS_WORD : "+D"(d), "+S"(src), "+c"(words) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(bytes) : : "memory");
	return dst;
}

/* Overlapping with the destination above: from the top down (DF set), the tail first. */
void *rep_memmove(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;
	size_t words = n / WORD_SIZE, bytes = n % WORD_SIZE;
	void *dlast, *slast;

	if (d <= s || d >= s + n)
		return rep_memcpy(dst, src, n);
	dlast = d + n - 1;
	slast = (void *)(s + n - 1);
	__asm__ volatile("std\n\trep movsb\n\tcld"
			 : "+D"(dlast), "+S"(slast), "+c"(bytes)
			 :
			 : "memory");
	if (words) {
		dlast = d + (words - 1) * WORD_SIZE;
		slast = (void *)(s + (words - 1) * WORD_SIZE);
		__asm__ volatile("std\n\t" REP_MOVS_WORD "\n\tcld"
				 : "+D"(dlast), "+S"(slast), "+c"(words)
				 :
				 : "memory");
	}
	return dst;
}

#ifndef HOST_MODEL
void *memset(void *dst, int c, size_t n) __attribute__((alias("rep_memset")));
void *memcpy(void *dst, const void *src, size_t n) __attribute__((alias("rep_memcpy")));
void *memmove(void *dst, const void *src, size_t n) __attribute__((alias("rep_memmove")));

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const u8 *p = s;
	for (; n; n--, p++)
		if (*p == (u8)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			return 0;
	}
	return 0;
}
#endif

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

bool parse_u64(const char *s, size_t len, u64 *out)
{
	unsigned base = 10;
	u64 v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = digit_value(s[i]);
		if (d >= (int)base)
			return false;
		if (v > (UINT64_MAX - (u64)d) / base)
			return false;
		v = v * base + (u64)d;
	}
	*out = v;
	return true;
}
