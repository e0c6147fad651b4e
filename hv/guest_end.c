/*
 * The end of the guest: why it ended, the exit statistics, then the
 * platform exit with the run's status.
 */
#include "log.h"
#include "status.h"
#include "vcpu.h"
#include "../lib/printf.h"
#include <stdarg.h>

static void print_exit_statistics(void)
{
	pr_info("exit statistics:");
	pr_info("  %-22s %10s", "reason", "count");
	for (u32 r = 0; r < EXIT_REASON_MAX; r++)
		if (vcpu.exit_counts[r])
			pr_info("  %-17s (%2u) %10llu", exit_reason_name(r), r,
				(unsigned long long)vcpu.exit_counts[r]);
	pr_info("  %-22s %10llu", "total", (unsigned long long)vcpu.exits_total);
	if (vcpu.dropped_init_sipi)
		pr_info("  INIT/SIPI dropped: %llu",
			(unsigned long long)vcpu.dropped_init_sipi);
	if (vcpu.test_port_writes)
		pr_info("  test port writes: %llu",
			(unsigned long long)vcpu.test_port_writes);
}

void guest_end(int status, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vformat_to_buffer(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (status == HV_STATUS_OK || status == HV_STATUS_GUEST_FAILED)
		pr_info("guest ended: %s", why);
	else
		pr_err("guest stopped: %s", why);
	print_exit_statistics();
	hv_exit(status);
}
