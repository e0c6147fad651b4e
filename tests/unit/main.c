/*
 * The unit-test runner: runs every registered test (or those whose name
 * contains one of the arguments), prints one line per failed check (the
 * first MAX_LINES_PER_TEST of a test, then how many more) and closes with
 * "unit: N passed, M failed", counting tests. Exit status 1 when any test
 * failed, so make and scripts/test-all see it.
 *
 * `unit-tests --pmu-strategies` prints the table of PMU strategies the
 * hypervisor is built with instead (hv/pmu/strategy.c pmu_strategies[]): one
 * line per strategy, NAME TAB FLAGS TAB DESCRIPTION, FLAGS a comma list of
 * "default" (the first) and "no-guest-pmu" (every PMU MSR exits), or "-".
 * `make pmu-strategies` writes it to build/pmu-strategies.tsv, where the
 * scripts read the names from. Likewise `--stats-levels` prints the
 * stats= levels (hv/exit/stats.h stats_level_names[]), one name a line, and
 * `--statuses` the exit statuses (hv/base/status.h), STATUS TAB MEANING a line:
 * build/stats-levels.tsv and build/statuses.tsv.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "hv/pmu/strategy.h"
#include "hv/exit/stats.h"
#include "hv/base/status.h"

/* Beyond this many failed checks a test is clearly broken; keep the log readable. */
#define MAX_LINES_PER_TEST 20

static struct unit_test *first, **tail = &first;
static const struct unit_test *current;
static unsigned current_failures;
static jmp_buf abort_env;

void unit_register(struct unit_test *t)
{
	/* Append, so tests run in the order they appear in their file. */
	*tail = t;
	tail = &t->next;
}

static void vreport(const char *file, int line, const char *fmt, va_list ap)
{
	current_failures++;
	if (current_failures > MAX_LINES_PER_TEST)
		return;
	printf("FAIL %s: %s:%d: ", current ? current->name : "?", file, line);
	vprintf(fmt, ap);
	putchar('\n');
}

bool unit_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	va_start(ap, fmt);
	vreport(file, line, fmt, ap);
	va_end(ap);
	return false;
}

bool unit_check_u64(uint64_t got, uint64_t want, const char *got_expr, const char *want_expr,
		    const char *file, int line)
{
	return unit_check(got == want, file, line,
			  "%s == %s: got 0x%llx (%llu), want 0x%llx (%llu)", got_expr, want_expr,
			  (unsigned long long)got, (unsigned long long)got,
			  (unsigned long long)want, (unsigned long long)want);
}

/*
 * A string as a C literal, cut short if long: a failure line must stay one
 * line even when the value holds newlines.
 */
static const char *quoted(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	if (!s)
		return "NULL";
	buf[n++] = '"';
	for (; *s && n + 8 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n')
			n += (size_t)snprintf(buf + n, size - n, "\\n");
		else if (c == '\r')
			n += (size_t)snprintf(buf + n, size - n, "\\r");
		else if (c == '"' || c == '\\')
			n += (size_t)snprintf(buf + n, size - n, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	if (*s)
		n += (size_t)snprintf(buf + n, size - n, "...");
	snprintf(buf + n, size - n, "\"");
	return buf;
}

bool unit_check_str(const char *got, const char *want, const char *got_expr, const char *file,
		    int line)
{
	char a[320], b[320];
	bool ok = got && want ? strcmp(got, want) == 0 : got == want;

	return unit_check(ok, file, line, "%s: got %s, want %s", got_expr,
			  quoted(got, a, sizeof(a)), quoted(want, b, sizeof(b)));
}

bool unit_check_contains(const char *haystack, const char *needle, const char *expr,
			 const char *file, int line)
{
	char a[320], b[320];
	bool ok = haystack && needle && strstr(haystack, needle);

	return unit_check(ok, file, line, "%s: %s does not contain %s", expr,
			  quoted(haystack, a, sizeof(a)), quoted(needle, b, sizeof(b)));
}

void unit_abort(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(file, line, fmt, ap);
	va_end(ap);
	if (!current) {
		/* Outside any test (a constructor?): nothing to return to. */
		fflush(stdout);
		abort();
	}
	longjmp(abort_env, 1);
}

/* Kept apart from the loop so no local of the caller lives across setjmp. */
static bool run_one(const struct unit_test *t)
{
	current = t;
	current_failures = 0;
	model_reset();
	if (setjmp(abort_env) == 0)
		current->fn();
	if (current_failures > MAX_LINES_PER_TEST)
		printf("FAIL %s: %u more failed checks not shown\n", current->name,
		       current_failures - MAX_LINES_PER_TEST);
	current = NULL;
	return current_failures == 0;
}

static bool selected(const struct unit_test *t, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strstr(t->name, argv[i]))
			return true;
	return false;
}

static int print_pmu_strategies(void)
{
	for (unsigned i = 0; i < pmu_nr_strategies; i++) {
		const struct pmu_strategy *s = pmu_strategies[i];
		bool no_pmu = s->exits & PMU_EXIT_ALL;
		const char *flags = i == 0   ? (no_pmu ? "default,no-guest-pmu" : "default")
				    : no_pmu ? "no-guest-pmu"
					     : "-";

		printf("%s\t%s\t%s\n", s->name, flags, s->description);
	}
	return 0;
}

static int print_stats_levels(void)
{
	for (unsigned i = 0; stats_level_names[i]; i++)
		printf("%s\n", stats_level_names[i]);
	return 0;
}

/* The statuses are small numbers: every one below 256 that has a meaning. */
static int print_statuses(void)
{
	for (int i = 0; i < 256; i++) {
		const char *meaning = hv_status_meaning((enum hv_status)i);

		if (meaning)
			printf("%d\t%s\n", i, meaning);
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0;

	if (argc == 2 && !strcmp(argv[1], "--pmu-strategies"))
		return print_pmu_strategies();
	if (argc == 2 && !strcmp(argv[1], "--stats-levels"))
		return print_stats_levels();
	if (argc == 2 && !strcmp(argv[1], "--statuses"))
		return print_statuses();
	/* Failure lines and the sanitizers' reports must not interleave oddly. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (const struct unit_test *t = first; t; t = t->next) {
		if (!selected(t, argc, argv))
			continue;
		if (run_one(t))
			passed++;
		else
			failed++;
	}
	model_reset(); /* frees the modelled memory */
	/* A selection that matches nothing is a typo, not a success. */
	if (passed + failed == 0) {
		printf("unit: no test matches the selection\n");
		failed = 1;
	}
	printf("unit: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
