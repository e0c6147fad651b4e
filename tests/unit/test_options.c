/* hv/run/options.c: the hypervisor command line. */
#include <stdio.h>
#include <string.h>

#include "tests/unit/unit.h"
#include "hv/run/options.h"

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
	CHECK_EQ_U64(back.pmu_given, 1); /* the record names the strategy */
	o.pmu_given = 1;
	CHECK(!memcmp(&back, &o, sizeof(o)));

	/* the defaults too, starting from different values */
	options_set_defaults(&o);
	options_format(&o, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "loglevel=2");
	back.loglevel = 3;
	back.guest_limit = 1;
	CHECK(options_parse(buf, &back, err, sizeof(err)));
	o.pmu_given = 1;
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

TEST(options_stats_levels)
{
	CHECK(parse(""));
	CHECK_EQ_U64(o.stats, 2); /* the default: full */
	CHECK(parse("stats=off"));
	CHECK_EQ_U64(o.stats, 0);
	CHECK(parse("stats=counts"));
	CHECK_EQ_U64(o.stats, 1);
	CHECK(parse("stats=full"));
	CHECK_EQ_U64(o.stats, 2);
	EXPECT_ERROR("stats=on", "option stats: 'on' is not one of off|counts|full");
	EXPECT_ERROR("stats=", "option stats: '' is not one of off|counts|full");
}

/* Configuration i of o as the run loop sees it. */
static void run_options(int i, struct hv_options *out, char *config, size_t size)
{
	const char *c;
	size_t len;

	options_for_run(&o, i, out, &c, &len);
	snprintf(config, size, "%.*s", (int)len, c);
}

/* The value pmu=name parses to (the strategy table decides the order). */
static u64 pmu_value(const char *name)
{
	struct hv_options v;
	char word[32], e[160];

	snprintf(word, sizeof(word), "pmu=%s", name);
	options_set_defaults(&v);
	if (!options_parse(word, &v, e, sizeof(e)))
		return ~0ULL;
	return v.pmu;
}

TEST(options_runs_one_config_per_slash)
{
	struct hv_options r;
	char config[64];

	CHECK(parse("pmu=rfc stats=off"));
	CHECK_EQ_U64(options_run_configs(&o), 0);
	CHECK(parse("runs=pmu:off/pmu:switch+global_ctrl:vmcs/stats:full+pmu_lazy:io,hlt+pmu:lazy "
		    "pmu=rfc stats=off repeat=3"));
	CHECK_EQ_U64(options_run_configs(&o), 3);
	CHECK_EQ_U64(o.repeat, 3);
	CHECK_EQ_U64(o.pmu, pmu_value("rfc"));

	run_options(0, &r, config, sizeof(config));
	CHECK_STR(config, "pmu:off");
	CHECK_EQ_U64(r.pmu, pmu_value("off"));
	CHECK_EQ_U64(r.stats, 0); /* the rest of the command line stays */
	CHECK_EQ_U64(r.repeat, 1);
	CHECK_STR(r.runs, "");

	run_options(1, &r, config, sizeof(config));
	CHECK_STR(config, "pmu:switch+global_ctrl:vmcs");
	CHECK_EQ_U64(r.pmu, pmu_value("switch"));
	CHECK_EQ_U64(r.global_ctrl, 1);

	run_options(2, &r, config, sizeof(config));
	CHECK_STR(config, "stats:full+pmu_lazy:io,hlt+pmu:lazy");
	CHECK_EQ_U64(r.pmu, pmu_value("lazy"));
	CHECK_EQ_U64(r.stats, 2);
	CHECK_EQ_U64(r.pmu_lazy, (1ULL << 30) | (1ULL << 12));
	CHECK_EQ_U64(r.global_ctrl, 0);
}

TEST(options_runs_round_trip)
{
	struct hv_options back;
	char buf[1024];

	CHECK(parse("runs=pmu:off/pmu:rfc repeat=2"));
	options_format(&o, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "repeat=2 runs=pmu:off/pmu:rfc");
	options_set_defaults(&back);
	CHECK(options_parse(buf, &back, err, sizeof(err)));
	o.pmu_given = 1;
	CHECK(!memcmp(&back, &o, sizeof(o)));
	/* an empty list is one run */
	CHECK(parse("runs="));
	CHECK_EQ_U64(options_run_configs(&o), 0);
}

TEST(options_runs_refusals)
{
	char longer[600] = "runs=";

	EXPECT_ERROR("runs=pmu:off//pmu:rfc", "option runs: configuration 2 is empty");
	EXPECT_ERROR("runs=pmu:off/", "option runs: configuration 2 is empty");
	EXPECT_ERROR("runs=/pmu:off", "option runs: configuration 1 is empty");
	EXPECT_ERROR("runs=pmu=off", "option runs: configuration 1: 'pmu=off' is not key:value");
	EXPECT_ERROR("runs=pmu:off/pmu:bogus",
		     "option runs: configuration 2: option pmu: 'bogus' is not one of");
	EXPECT_ERROR("runs=pmu:off+", "option runs: configuration 1 ends in '+'");
	EXPECT_ERROR("runs=pmu:off++stats:off", "configuration 1: '' is not key:value");
	EXPECT_ERROR("runs=colour:red", "option runs: configuration 1: unknown option 'colour'");
	EXPECT_ERROR("runs=stats:off/repeat:2",
		     "option runs: configuration 2: 'repeat' cannot differ between runs");
	EXPECT_ERROR("runs=runs:x", "configuration 1: 'runs' cannot differ between runs");
	EXPECT_ERROR("runs=bench_primitives:1", "'bench_primitives' cannot differ between runs");
	EXPECT_ERROR("repeat=0", "option repeat: '0' is not a number in 1..16");
	EXPECT_ERROR("repeat=17", "option repeat: '17' is not a number in 1..16");
	for (int i = 0; i < 33; i++)
		strcat(longer, i ? "/pmu:off" : "pmu:off");
	EXPECT_ERROR(longer, "option runs: more than 32 configurations");
	memset(longer + 5, 'x', 500);
	longer[505] = '\0';
	EXPECT_ERROR(longer, "option runs: longer than 479 characters");
}

/* console=: each form, what it sets, and how options_format() writes it back. */
static void expect_console(const char *word, u64 kind, u64 base, const char *formatted,
			   const char *file, int line)
{
	char cmdline[80], buf[1024];

	snprintf(cmdline, sizeof(cmdline), "console=%s", word);
	if (!unit_check(parse(cmdline), file, line, "options_parse(\"%s\"): %s", cmdline, err))
		return;
	unit_check_u64(o.console, kind, "o.console", "kind", file, line);
	unit_check_u64(o.console_base, base, "o.console_base", "base", file, line);
	options_format(&o, buf, sizeof(buf));
	unit_check_contains(buf, formatted, "options_format()", file, line);
}

#define EXPECT_CONSOLE(word, kind, base, formatted) \
	expect_console((word), (kind), (base), (formatted), __FILE__, __LINE__)

TEST(options_console_forms)
{
	char buf[1024];

	CHECK(parse(""));
	CHECK_EQ_U64(o.console, CONSOLE_AUTO);
	options_format(&o, buf, sizeof(buf));
	CHECK_CONTAINS(buf, " console=auto on_end=auto");
	EXPECT_CONSOLE("auto", CONSOLE_AUTO, 0, "console=auto");
	EXPECT_CONSOLE("com1", CONSOLE_IO, 0x3f8, "console=com1");
	EXPECT_CONSOLE("com2", CONSOLE_IO, 0x2f8, "console=com2");
	EXPECT_CONSOLE("0x2e8", CONSOLE_IO, 0x2e8, "console=0x2e8");
	EXPECT_CONSOLE("0x3f8", CONSOLE_IO, 0x3f8, "console=com1");
	EXPECT_CONSOLE("0xfff8", CONSOLE_IO, 0xfff8, "console=0xfff8");
	EXPECT_CONSOLE("mmio:0xfe030000", CONSOLE_MMIO, 0xfe030000, "console=mmio:0xfe030000");
	EXPECT_CONSOLE("mmio32:0xfe032000", CONSOLE_MMIO32, 0xfe032000,
		       "console=mmio32:0xfe032000");
	EXPECT_CONSOLE("mmio:0xfffffff8", CONSOLE_MMIO, 0xfffffff8, "console=mmio:0xfffffff8");
}

TEST(options_console_errors)
{
	EXPECT_ERROR("console=com3",
		     "option console: 'com3' is not one of auto, com1, com2, 0xPORT, mmio:ADDR or "
		     "mmio32:ADDR");
	EXPECT_ERROR("console=", "option console: '' is not one of");
	EXPECT_ERROR("console=1016", "option console: '1016' is not one of"); /* no 0x */
	EXPECT_ERROR("console=0x0", "option console: I/O port '0x0' is not in 0x1..0xfff8");
	EXPECT_ERROR("console=0xfff9", "I/O port '0xfff9' is not in 0x1..0xfff8");
	EXPECT_ERROR("console=0x3g8", "option console: '0x3g8' is not one of");
	EXPECT_ERROR("console=mmio:", "option console: '' is not a hexadecimal address");
	EXPECT_ERROR("console=mmio:fe030000", "'fe030000' is not a hexadecimal address");
	EXPECT_ERROR("console=mmio:0x0", "address '0x0' is not a nonzero address below 4 GiB");
	EXPECT_ERROR("console=mmio:0x100000000",
		     "address '0x100000000' is not a nonzero address below 4 GiB");
	EXPECT_ERROR("console=mmio32:0xfe030002",
		     "address '0xfe030002' is not a nonzero, 4-byte aligned address below 4 GiB");
	EXPECT_ERROR("console=mmio16:0xfe030000",
		     "option console: 'mmio16:0xfe030000' is not one of");
}

TEST(options_on_end)
{
	static const char *const names[] = { "auto", "halt", "reboot", "poweroff" };
	char cmdline[40], buf[1024], want[40];

	for (unsigned i = 0; i < 4; i++) {
		snprintf(cmdline, sizeof(cmdline), "on_end=%s", names[i]);
		if (!CHECK(parse(cmdline)))
			continue;
		CHECK_EQ_U64(o.on_end, i);
		options_format(&o, buf, sizeof(buf));
		snprintf(want, sizeof(want), " on_end=%s", names[i]);
		CHECK_CONTAINS(buf, want);
	}
	CHECK_EQ_U64(ON_END_POWEROFF, 3);
	EXPECT_ERROR("on_end=shutdown",
		     "option on_end: 'shutdown' is not one of auto|halt|reboot|poweroff");
	EXPECT_ERROR("on_end=", "option on_end: '' is not one of");
	EXPECT_ERROR("on_end=help", "option on_end: 'help' is not one of");
}

/* The console and the end hold for the whole boot: no runs= configuration changes them. */
TEST(options_console_and_on_end_are_per_boot)
{
	EXPECT_ERROR("runs=pmu:off/console:com2",
		     "option runs: configuration 2: 'console' cannot differ between runs");
	EXPECT_ERROR("runs=on_end:reboot", "configuration 1: 'on_end' cannot differ between runs");
	CHECK(parse("console=com2 on_end=reboot runs=pmu:off/pmu:switch"));
	CHECK_EQ_U64(o.console_base, 0x2f8);
	CHECK_EQ_U64(o.on_end, ON_END_REBOOT);
}
