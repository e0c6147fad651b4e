/* lib/printf.c: every conversion the hypervisor's messages use. */
#include <stdarg.h>
#include <string.h>

#include "tests/unit/unit.h"
#include "lib/printf.h"

/* Format into a static buffer; CHECK_STR shows the whole result on failure. */
static char out[256];

#define FMT(...) (snprintf_hv(out, sizeof(out), __VA_ARGS__), out)

/* Formats gcc's format check rejects but lib/printf.c defines. */
static const char *fmt_unchecked(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat_to_buffer(out, sizeof(out), fmt, ap);
	va_end(ap);
	return out;
}

TEST(printf_strings_and_chars)
{
	CHECK_STR(FMT("%s", "abc"), "abc");
	CHECK_STR(FMT("<%s>", ""), "<>");
	CHECK_STR(FMT("%s|%s", "a", "bc"), "a|bc");
	CHECK_STR(FMT("%c%c", 'x', 'Y'), "xY");
	CHECK_STR(fmt_unchecked("%s", (const char *)NULL), "(null)");
	CHECK_STR(FMT("100%%"), "100%");
	CHECK_STR(FMT("plain"), "plain");
}

TEST(printf_signed)
{
	CHECK_STR(FMT("%d", 0), "0");
	CHECK_STR(FMT("%d", 42), "42");
	CHECK_STR(FMT("%i", -42), "-42");
	CHECK_STR(FMT("%d", INT32_MIN), "-2147483648");
	CHECK_STR(FMT("%d", INT32_MAX), "2147483647");
	CHECK_STR(FMT("%ld", -1234567890123L), "-1234567890123");
	CHECK_STR(FMT("%lld", (long long)INT64_MIN), "-9223372036854775808");
	CHECK_STR(FMT("%lld", (long long)INT64_MAX), "9223372036854775807");
}

TEST(printf_unsigned_and_hex)
{
	CHECK_STR(FMT("%u", 4000000000U), "4000000000");
	CHECK_STR(FMT("%x", 0xdeadbeefU), "deadbeef");
	CHECK_STR(FMT("%X", 0xdeadbeefU), "DEADBEEF");
	CHECK_STR(FMT("%x", 0U), "0");
	/* A negative int through %x is its 32-bit pattern, not 64. */
	CHECK_STR(FMT("%x", (unsigned)-1), "ffffffff");
	CHECK_STR(FMT("%lx", 0x123456789abcUL), "123456789abc");
	CHECK_STR(FMT("%llx", (unsigned long long)UINT64_MAX), "ffffffffffffffff");
	CHECK_STR(FMT("%lu", (unsigned long)UINT64_MAX), "18446744073709551615");
	CHECK_STR(FMT("%llu", (unsigned long long)UINT64_MAX), "18446744073709551615");
}

TEST(printf_pointer)
{
	CHECK_STR(FMT("%p", (void *)0x1234), "0x0000000000001234");
	CHECK_STR(FMT("%p", (void *)0), "0x0000000000000000");
	CHECK_STR(FMT("%p", (void *)UINTPTR_MAX), "0xffffffffffffffff");
}

TEST(printf_width_and_padding)
{
	CHECK_STR(FMT("[%5d]", 42), "[   42]");
	CHECK_STR(FMT("[%05d]", 42), "[00042]");
	CHECK_STR(FMT("[%-5d]", 42), "[42   ]");
	CHECK_STR(FMT("[%08x]", 0xbeefU), "[0000beef]");
	CHECK_STR(FMT("[%016llx]", 0x1000ULL), "[0000000000001000]");
	CHECK_STR(FMT("[%6s]", "ab"), "[    ab]");
	CHECK_STR(FMT("[%-6s]", "ab"), "[ab    ]");
	CHECK_STR(FMT("[%3c]", 'z'), "[  z]");
	/* Width is a minimum: never truncates. */
	CHECK_STR(FMT("[%2d]", 12345), "[12345]");
	CHECK_STR(FMT("[%2s]", "abcd"), "[abcd]");
}

TEST(printf_negative_with_padding)
{
	/* The sign goes before the zeros, and counts towards the width. */
	CHECK_STR(FMT("[%05d]", -42), "[-0042]");
	CHECK_STR(FMT("[%5d]", -42), "[  -42]");
	CHECK_STR(FMT("[%-5d]", -42), "[-42  ]");
	/* '-' wins over '0': a left-aligned number is padded with spaces. */
	CHECK_STR(fmt_unchecked("[%-05d]", -42), "[-42  ]");
	CHECK_STR(FMT("[%03d]", -12345), "[-12345]");
	CHECK_STR(FMT("[%022lld]", (long long)INT64_MIN), "[-009223372036854775808]");
}

TEST(printf_unknown_conversion_shown)
{
	CHECK_STR(fmt_unchecked("a%qb"), "a%qb");
	/* A lone '%' at the end is dropped, not read past. */
	CHECK_STR(fmt_unchecked("end%"), "end");
}

TEST(printf_truncation)
{
	char buf[8];
	int n;

	memset(buf, 'X', sizeof(buf));
	n = snprintf_hv(buf, 5, "hello world");
	CHECK_EQ_U64(n, 11);
	CHECK_STR(buf, "hell");
	CHECK(buf[5] == 'X'); /* nothing written past size */

	n = snprintf_hv(buf, sizeof(buf), "%d", -1234567);
	CHECK_EQ_U64(n, 8);
	CHECK_STR(buf, "-123456");

	memset(buf, 'X', sizeof(buf));
	n = snprintf_hv(buf, 1, "abc");
	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(buf[0], '\0');
	CHECK(buf[1] == 'X');

	/* size 0: nothing at all is written, the length still comes back */
	memset(buf, 'X', sizeof(buf));
	n = snprintf_hv(buf, 0, "%s", "abc");
	CHECK_EQ_U64(n, 3);
	CHECK(buf[0] == 'X');

	/* exactly fitting: all characters and the NUL */
	n = snprintf_hv(buf, sizeof(buf), "%s", "1234567");
	CHECK_EQ_U64(n, 7);
	CHECK_STR(buf, "1234567");
}

struct count_sink {
	char text[64];
	int n;
};

static void count_putc(char c, void *arg)
{
	struct count_sink *s = arg;

	if (s->n < (int)sizeof(s->text) - 1)
		s->text[s->n] = c;
	s->n++;
}

static int format_to_sink(struct count_sink *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vformat(count_putc, s, fmt, ap);
	va_end(ap);
	return n;
}

TEST(printf_vformat_counts_what_it_emits)
{
	struct count_sink s = { { 0 }, 0 };
	int n = format_to_sink(&s, "%s=%05d %p", "key", -7, (void *)0x10);

	CHECK_EQ_U64(n, s.n);
	CHECK_STR(s.text, "key=-0007 0x0000000000000010");
}

/* Precision for %s, which hv/run/options.c uses for every error message. */
TEST(printf_precision_limits_strings)
{
	CHECK_STR(FMT("'%.*s'", 3, "abcdef"), "'abc'");
	CHECK_STR(FMT("'%.3s'", "abcdef"), "'abc'");
	CHECK_STR(FMT("'%.*s' %s", 2, "xyz", "next"), "'xy' next");
	CHECK_STR(FMT("'%.*s'", 10, "ab"), "'ab'");
}
