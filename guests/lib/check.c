/* TAP-style checks and the closing "N passed, M failed" line the test runners count. */
#include "guests/lib/guest.h"

static unsigned checks_passed, checks_failed;

bool guest_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		checks_passed++;
	else
		checks_failed++;
	guest_printf("%sok %u - ", ok ? "" : "not ", checks_passed + checks_failed);
	va_start(ap, fmt);
	guest_vprintf(fmt, ap);
	va_end(ap);
	guest_printf("\n");
	return ok;
}

void guest_finish(void)
{
	guest_printf("%u passed, %u failed\n", checks_passed, checks_failed);
	guest_exit(checks_failed ? GUEST_STATUS_FAIL : GUEST_STATUS_PASS);
}
