/* The exit statistics at guest end (hv/run/stats_report.c). */
#ifndef HV_RUN_STATS_REPORT_H
#define HV_RUN_STATS_REPORT_H

/* The human table and the machine-readable results block (docs/bench.md). */
void exit_stats_print(int guest_status);

#endif
