/* lib/string.c: the REP MOVS/STOS copies, and parse_u64, the number parser behind every option. */
#include <string.h>

#include "tests/unit/unit.h"
#include "lib/string.h"

/* Sentinel: a failed parse must not be mistaken for a parsed value. */
#define UNTOUCHED 0x5a5a5a5a5a5a5a5aULL

static bool parse(const char *s, u64 *v)
{
	*v = UNTOUCHED;
	return parse_u64(s, strlen(s), v);
}

TEST(parse_u64_decimal)
{
	u64 v;

	CHECK(parse("0", &v));
	CHECK_EQ_U64(v, 0);
	CHECK(parse("7", &v));
	CHECK_EQ_U64(v, 7);
	CHECK(parse("1234567890", &v));
	CHECK_EQ_U64(v, 1234567890);
	CHECK(parse("007", &v));
	CHECK_EQ_U64(v, 7);
}

TEST(parse_u64_hex)
{
	u64 v;

	CHECK(parse("0x0", &v));
	CHECK_EQ_U64(v, 0);
	CHECK(parse("0x1f", &v));
	CHECK_EQ_U64(v, 0x1f);
	CHECK(parse("0XABCdef", &v));
	CHECK_EQ_U64(v, 0xabcdef);
	CHECK(parse("0xffffffffffffffff", &v));
	CHECK_EQ_U64(v, UINT64_MAX);
	/* hex digits need the prefix */
	CHECK(!parse("1f", &v));
	CHECK(!parse("ff", &v));
}

TEST(parse_u64_rejects_empty_and_bare_prefix)
{
	u64 v;

	CHECK(!parse("", &v));
	CHECK(!parse("0x", &v));
	CHECK(!parse("0X", &v));
}

TEST(parse_u64_rejects_garbage)
{
	u64 v;

	CHECK(!parse("12a", &v));
	CHECK(!parse("a12", &v));
	CHECK(!parse("-1", &v));
	CHECK(!parse("+1", &v));
	CHECK(!parse(" 1", &v));
	CHECK(!parse("1 ", &v));
	CHECK(!parse("0x1g", &v));
	CHECK(!parse("0xx1", &v));
	CHECK(!parse("1.5", &v));
	CHECK(!parse("0b101", &v));
}

TEST(parse_u64_overflow_at_2_pow_64)
{
	u64 v;

	CHECK(parse("18446744073709551615", &v));
	CHECK_EQ_U64(v, UINT64_MAX);
	CHECK(!parse("18446744073709551616", &v));
	CHECK(!parse("18446744073709551620", &v));
	CHECK(!parse("99999999999999999999", &v));
	CHECK(!parse("0x10000000000000000", &v));
	/* leading zeros do not count towards overflow */
	CHECK(parse("0000000000000000000000018446744073709551615", &v));
	CHECK_EQ_U64(v, UINT64_MAX);
}

TEST(parse_u64_stops_at_len)
{
	u64 v = UNTOUCHED;

	/* The characters after len belong to the next option. */
	CHECK(parse_u64("12 34", 2, &v));
	CHECK_EQ_U64(v, 12);
	CHECK(parse_u64("0x10zz", 4, &v));
	CHECK_EQ_U64(v, 0x10);
	CHECK(!parse_u64("5", 0, &v));
	/* "0x1" cut to two characters is the bare prefix */
	CHECK(!parse_u64("0x1", 2, &v));
}

/*
 * The hypervisor's memset/memcpy/memmove (REP STOS/MOVS a word a step, then
 * the tail) against libc, for every length up to a few words, every
 * alignment, and overlap in both directions.
 */
#define BUF 96

static void fill_pattern(unsigned char *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(i * 7 + seed * 13 + 1);
}

TEST(rep_memset_matches_libc)
{
	unsigned char got[BUF], want[BUF];

	for (size_t off = 0; off < 9; off++)
		for (size_t n = 0; off + n <= 40; n++) {
			fill_pattern(got, BUF, 1);
			fill_pattern(want, BUF, 1);
			CHECK(rep_memset(got + off, 0xa5, n) == got + off);
			memset(want + off, 0xa5, n);
			if (!CHECK(memcmp(got, want, BUF) == 0))
				return;
		}
}

TEST(rep_memcpy_matches_libc)
{
	unsigned char src[BUF], got[BUF], want[BUF];

	fill_pattern(src, BUF, 2);
	for (size_t soff = 0; soff < 9; soff++)
		for (size_t doff = 0; doff < 9; doff++)
			for (size_t n = 0; n <= 40; n++) {
				fill_pattern(got, BUF, 3);
				fill_pattern(want, BUF, 3);
				CHECK(rep_memcpy(got + doff, src + soff, n) == got + doff);
				memcpy(want + doff, src + soff, n);
				if (!CHECK(memcmp(got, want, BUF) == 0))
					return;
			}
}

TEST(rep_memmove_overlapping_both_ways)
{
	unsigned char got[BUF], want[BUF];

	for (size_t soff = 0; soff < 24; soff++)
		for (size_t doff = 0; doff < 24; doff++)
			for (size_t n = 0; n <= 48; n++) {
				fill_pattern(got, BUF, 4);
				fill_pattern(want, BUF, 4);
				CHECK(rep_memmove(got + doff, got + soff, n) == got + doff);
				memmove(want + doff, want + soff, n);
				if (!CHECK(memcmp(got, want, BUF) == 0))
					return;
			}
}

/* The direction flag is clear again afterwards (the ABI's promise to callers). */
TEST(rep_memmove_leaves_direction_flag_clear)
{
	unsigned char b[BUF];
	unsigned long flags;

	fill_pattern(b, BUF, 5);
	rep_memmove(b + 5, b, 50);
	__asm__ volatile("pushf\n\tpop %0" : "=r"(flags));
	CHECK_EQ_U64(flags & (1UL << 10), 0);
}
