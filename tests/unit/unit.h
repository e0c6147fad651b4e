/*
 * A tiny host unit-test framework.
 *
 *	TEST(frame_exhaustion)
 *	{
 *		CHECK_EQ_U64(frame_alloc(), 0);
 *	}
 *
 * TEST() registers the function from a constructor, so a test file only
 * needs to be listed in UNIT_SRCS. Checks record a failure (file:line and
 * the values involved) and let the test go on, so one run shows every
 * broken expectation; each CHECK* evaluates to whether it held, for tests
 * that cannot go on after a failure:
 *
 *	if (!CHECK(p != NULL))
 *		return;
 *
 * unit_abort() ends the running test at once; the hardware model uses it
 * when the code under test does something the hardware would not survive.
 * A test passes when none of its checks failed and it was not aborted.
 */
#ifndef TESTS_UNIT_UNIT_H
#define TESTS_UNIT_UNIT_H

#include <stdbool.h>
#include <stdint.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	const char *file;
	struct unit_test *next;
};

void unit_register(struct unit_test *t);

#define TEST(name)                                                                  \
	static void test_##name(void);                                              \
	__attribute__((constructor)) static void unit_register_##name(void)         \
	{                                                                           \
		static struct unit_test t = { #name, test_##name, __FILE__, NULL }; \
		unit_register(&t);                                                  \
	}                                                                           \
	static void test_##name(void)

/* The check primitives; file and line are the caller's, for helpers. */
bool unit_check(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool unit_check_u64(uint64_t got, uint64_t want, const char *got_expr, const char *want_expr,
		    const char *file, int line);
bool unit_check_str(const char *got, const char *want, const char *got_expr, const char *file,
		    int line);
bool unit_check_contains(const char *haystack, const char *needle, const char *expr,
			 const char *file, int line);
__attribute__((noreturn, format(printf, 3, 4))) void unit_abort(const char *file, int line,
								const char *fmt, ...);

#define CHECK(cond) unit_check(!!(cond), __FILE__, __LINE__, "CHECK(%s)", #cond)
#define CHECK_EQ_U64(got, want) \
	unit_check_u64((uint64_t)(got), (uint64_t)(want), #got, #want, __FILE__, __LINE__)
#define CHECK_STR(got, want) unit_check_str((got), (want), #got, __FILE__, __LINE__)
/* got contains needle as a substring */
#define CHECK_CONTAINS(got, needle) unit_check_contains((got), (needle), #got, __FILE__, __LINE__)

#endif
