/* hv/options.c: the hypervisor command line. */
#include <string.h>

#include "tests/unit/unit.h"
#include "hv/options.h"

static struct hv_options o;
static char err[160]; /* the size hv/main.c passes */

static bool parse(const char *cmdline)
{
	options_set_defaults(&o);
	strcpy(err, "(no message)");
	return options_parse(cmdline, &o, err, sizeof(err));
}

/* Rejected, with a one-line message containing needle. */
static void expect_error(const char *cmdline, const char *needle, const char *file, int line)
{
	unit_check(!parse(cmdline), file, line, "options_parse(\"%s\") accepted it", cmdline);
	unit_check_contains(err, needle, "err", file, line);
	unit_check(!strchr(err, '\n'), file, line, "err has a newline: %s", err);
}

#define EXPECT_ERROR(cmdline, needle) expect_error((cmdline), (needle), __FILE__, __LINE__)

TEST(options_defaults)
{
	memset(&o, 0xff, sizeof(o));
	options_set_defaults(&o);
	CHECK_EQ_U64(o.loglevel, 2);
	CHECK_EQ_U64(o.guest_limit, 0);
}

TEST(options_empty_cmdline_keeps_defaults)
{
	struct hv_options d;

	options_set_defaults(&d);
	CHECK(parse(""));
	CHECK(!memcmp(&o, &d, sizeof(o)));
	CHECK(parse(" \t  "));
	CHECK(!memcmp(&o, &d, sizeof(o)));
}

TEST(options_loglevel)
{
	CHECK(parse("loglevel=3"));
	CHECK_EQ_U64(o.loglevel, 3);
	CHECK(parse("loglevel=0"));
	CHECK_EQ_U64(o.loglevel, 0);
	/* tabs and runs of blanks separate words; the last word wins */
	CHECK(parse("\tloglevel=1 \t guest_limit=5  loglevel=3 "));
	CHECK_EQ_U64(o.loglevel, 3);
	CHECK_EQ_U64(o.guest_limit, 5);
}

TEST(options_hex_numbers)
{
	CHECK(parse("guest_limit=0x1000"));
	CHECK_EQ_U64(o.guest_limit, 0x1000);
	CHECK(parse("loglevel=0x3 guest_limit=0XfF"));
	CHECK_EQ_U64(o.loglevel, 3);
	CHECK_EQ_U64(o.guest_limit, 0xff);
}

TEST(options_unknown_key)
{
	EXPECT_ERROR("loglevel=1 bogus=1", "unknown option");
	EXPECT_ERROR("loglevelx=1", "unknown option");
	/* a prefix of a known key is not that key */
	EXPECT_ERROR("log=1", "unknown option");
}

TEST(options_missing_equals)
{
	EXPECT_ERROR("loglevel", "is not key=value");
	EXPECT_ERROR("loglevel=2 verbose", "is not key=value");
}

TEST(options_bad_numbers)
{
	EXPECT_ERROR("loglevel=4", "option loglevel:");
	EXPECT_ERROR("loglevel=", "option loglevel:");
	EXPECT_ERROR("loglevel=-1", "option loglevel:");
	EXPECT_ERROR("loglevel=two", "option loglevel:");
	EXPECT_ERROR("loglevel=0x", "option loglevel:");
	EXPECT_ERROR("guest_limit=18446744073709551616", "option guest_limit:");
	/* guest_limit tops out at half the range */
	CHECK(parse("guest_limit=9223372036854775807"));
	CHECK_EQ_U64(o.guest_limit, UINT64_MAX / 2);
	EXPECT_ERROR("guest_limit=9223372036854775808", "option guest_limit:");
}

TEST(options_image_path_skipped)
{
	CHECK(parse("/boot/pmuvisor.elf loglevel=3"));
	CHECK_EQ_U64(o.loglevel, 3);
	CHECK(parse("  /pmuvisor.elf"));
	CHECK_EQ_U64(o.loglevel, 2);
	/* only the first word may be the image path */
	EXPECT_ERROR("loglevel=3 /boot/pmuvisor.elf", "is not key=value");
	/* and only a word starting with '/' */
	EXPECT_ERROR("pmuvisor.elf loglevel=3", "is not key=value");
}

TEST(options_format_round_trip)
{
	struct hv_options back;
	char buf[512];

	options_set_defaults(&o);
	o.loglevel = 0;
	o.guest_limit = 123456789;
	options_format(&o, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "loglevel=0");
	CHECK_CONTAINS(buf, "guest_limit=123456789");
	CHECK(!strchr(buf, '\n'));

	options_set_defaults(&back);
	if (!CHECK(options_parse(buf, &back, err, sizeof(err))))
		CHECK_STR(err, "");
	CHECK(!memcmp(&back, &o, sizeof(o)));

	/* the defaults too, starting from different values */
	options_set_defaults(&o);
	options_format(&o, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "loglevel=2");
	back.loglevel = 3;
	back.guest_limit = 1;
	CHECK(options_parse(buf, &back, err, sizeof(err)));
	CHECK(!memcmp(&back, &o, sizeof(o)));
}

TEST(options_format_truncates)
{
	char buf[12];

	options_set_defaults(&o);
	memset(buf, 'X', sizeof(buf));
	options_format(&o, buf, 8);
	CHECK_STR(buf, "logleve");
	CHECK(buf[8] == 'X');
}

/* Every error names the offending word (formatted with "%.*s"). */
TEST(options_messages_name_the_offending_word)
{
	EXPECT_ERROR("bogus=1", "unknown option 'bogus'");
	EXPECT_ERROR("loglevel=1 verbose", "option 'verbose' is not key=value");
	EXPECT_ERROR("loglevel=9", "option loglevel: '9' is not a number in 0..3");
}
