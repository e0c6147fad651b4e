/*
 * hv/base/log.c over the real arch/x86/serial.c: what reaches COM1, and how a
 * run ends. log.c keeps its level across tests, so each test sets it.
 */
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "hv/base/log.h"
#include "hv/run/options.h"
#include "hv/base/status.h"
#include "arch/x86/serial.h"

static const struct uart com1 = {
	.base = COM1_BASE, .stride = 1, .baud = 115200, .clock = UART_CLOCK_HZ
};
static const struct uart com2 = {
	.base = COM2_BASE, .stride = 1, .baud = 115200, .clock = UART_CLOCK_HZ
};

/* A fresh console at the level hv/main.c uses when no loglevel= is given. */
static void console_at_default_level(void)
{
	struct hv_options o;

	options_set_defaults(&o);
	log_init();
	log_set_console(&com1);
	log_set_level((enum log_level)o.loglevel);
	model_com1_clear();
}

static void fail_bad_input(void *arg)
{
	hv_fail(HV_STATUS_BAD_INPUT, "multiboot2: %s", (const char *)arg);
}

TEST(log_hv_fail_prints_error_then_exit_status)
{
	console_at_default_level();
	CHECK(model_expect_exit(fail_bad_input, "no memory map tag"));
	CHECK_EQ_U64(model_platform.exits, 1);
	CHECK_EQ_U64(model_platform.exit_status, HV_STATUS_BAD_INPUT);
	CHECK_STR(model_com1_output(), "pmuvisor: error: multiboot2: no memory map tag\r\n"
				       "pmuvisor: exit status 3\r\n");
}

TEST(log_hv_fail_shown_at_lowest_level)
{
	console_at_default_level();
	log_set_level(LOG_ERR);
	CHECK(model_expect_exit(fail_bad_input, "x"));
	CHECK_STR(model_com1_output(),
		  "pmuvisor: error: multiboot2: x\r\npmuvisor: exit status 3\r\n");
	log_set_level(LOG_INFO);
}

static void exit_ok(void *arg)
{
	(void)arg;
	hv_exit(HV_STATUS_OK);
}

static void assert_equal(void *arg)
{
	int v = *(const int *)arg;

	HV_ASSERT(v == 1);
}

TEST(log_hv_exit_and_assert)
{
	int one = 1, two = 2;

	console_at_default_level();
	CHECK(model_expect_exit(exit_ok, NULL));
	CHECK_EQ_U64(model_platform.exit_status, HV_STATUS_OK);
	CHECK_STR(model_com1_output(), "pmuvisor: exit status 0\r\n");

	model_com1_clear();
	CHECK(!model_expect_exit(assert_equal, &one));
	CHECK_STR(model_com1_output(), "");
	CHECK(model_expect_exit(assert_equal, &two));
	CHECK_EQ_U64(model_platform.exit_status, HV_STATUS_HV_FAULT);
	CHECK_CONTAINS(model_com1_output(),
		       "pmuvisor: error: assertion 'v == 1' failed in assert_equal (");
	CHECK_CONTAINS(model_com1_output(), ")\r\npmuvisor: exit status 4\r\n");
}

TEST(log_debug_hidden_at_default_level)
{
	console_at_default_level();
	pr_debug("hidden %d", 1);
	CHECK_STR(model_com1_output(), "");
	pr_info("shown %d", 2);
	CHECK_STR(model_com1_output(), "pmuvisor: shown 2\r\n");

	log_set_level(LOG_DEBUG);
	model_com1_clear();
	pr_debug("now shown %d", 3);
	CHECK_STR(model_com1_output(), "pmuvisor: debug: now shown 3\r\n");
	log_set_level(LOG_INFO);
}

TEST(log_levels_filter)
{
	static const char *const want[] = {
		"pmuvisor: error: m0\r\n",
		"pmuvisor: warning: m1\r\n",
		"pmuvisor: m2\r\n",
		"pmuvisor: debug: m3\r\n",
	};

	console_at_default_level();
	for (int level = LOG_ERR; level <= LOG_DEBUG; level++) {
		log_set_level((enum log_level)level);
		for (int m = LOG_ERR; m <= LOG_DEBUG; m++) {
			model_com1_clear();
			log_printf((enum log_level)m, "m%d", m);
			unit_check(!strcmp(model_com1_output(), m <= level ? want[m] : ""),
				   __FILE__, __LINE__, "message level %d at log level %d: got '%s'",
				   m, level, model_com1_output());
		}
	}
	log_set_level(LOG_INFO);
}

TEST(log_console_printf_is_raw)
{
	console_at_default_level();
	log_set_level(LOG_ERR); /* no level applies to it */
	console_printf("a=%d\nb", 5);
	CHECK_STR(model_com1_output(), "a=5\r\nb");
	log_set_level(LOG_INFO);
}

TEST(log_mirrors_to_port_e9)
{
	console_at_default_level();
	CHECK_STR(model_e9_output(), "");
	model_e9_enable(true);
	log_init();
	log_set_console(&com1);
	pr_info("both %s", "ports");
	CHECK_STR(model_com1_output(), "pmuvisor: both ports\r\n");
	/* the debug console gets no carriage returns */
	CHECK_STR(model_e9_output(), "pmuvisor: both ports\n");
	model_e9_enable(false);
	log_init();
	log_set_console(&com1);
}

/*
 * Until the console is chosen, lines wait: the chosen console gets all of
 * them, the others none; port 0xe9 has them at once.
 */
TEST(log_early_lines_reach_the_console_chosen_later)
{
	model_uart_enable(COM2_BASE, true);
	model_e9_enable(true);
	log_init();
	log_set_level(LOG_INFO);
	pr_info("starting");
	CHECK_STR(model_com1_output(), "");
	CHECK_STR(model_com2_output(), "");
	CHECK_STR(model_e9_output(), "pmuvisor: starting\n");
	log_set_console(&com2);
	pr_info("after");
	CHECK_STR(model_com2_output(), "pmuvisor: starting\r\npmuvisor: after\r\n");
	CHECK_STR(model_com1_output(), "");
	log_set_console(&com1);
}

/* A run that ends before any console was chosen still shows its lines, on COM1. */
TEST(log_exit_before_console_chosen_uses_com1)
{
	log_init();
	pr_info("starting");
	CHECK(model_expect_exit(fail_bad_input, "bad tag"));
	CHECK_STR(model_com1_output(),
		  "pmuvisor: starting\r\npmuvisor: error: multiboot2: bad tag\r\n"
		  "pmuvisor: exit status 3\r\n");
	log_set_console(&com1);
}

/* A machine without a UART (no console): lines go only to port 0xe9, and the run still ends. */
TEST(log_no_console_still_ends_the_run)
{
	model_uart_enable(COM1_BASE, false);
	model_e9_enable(true);
	log_init();
	log_set_console(NULL);
	pr_info("nowhere");
	CHECK(model_expect_exit(fail_bad_input, "x"));
	CHECK_EQ_U64(model_platform.exit_status, HV_STATUS_BAD_INPUT);
	CHECK_STR(model_com1_output(), "");
	CHECK_STR(model_e9_output(), "pmuvisor: nowhere\npmuvisor: error: multiboot2: x\n"
				     "pmuvisor: exit status 3\n");
	model_uart_enable(COM1_BASE, true);
	log_set_console(&com1);
}
