/*
 * The end of the guest: why it ended, the host's PMU state put back and
 * checked, the exit statistics and results block, then the platform exit
 * with the run's status.
 */
#include "hv/run/stats_report.h"
#include "hv/base/log.h"
#include "hv/pmu/pmu.h"
#include "hv/base/status.h"
#include "hv/cpu/vcpu.h"
#include "hv/exit/vmexit.h"
#include "hv/run/runs.h"
#include "lib/printf.h"
#include <stdarg.h>

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
	/* The PMU is the host's again before anything is reported. */
	if (!pmu_restore_host())
		status = HV_STATUS_HV_FAULT;
	exit_stats_print(status);
	runs_guest_ended(status);
}
