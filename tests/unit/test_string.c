/* lib/string.c: parse_u64, the number parser behind every option. */
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
