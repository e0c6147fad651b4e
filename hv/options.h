/*
 * The hypervisor command line: space-separated key=value words from the
 * multiboot2 command line tag. Unknown keys and bad values are errors: a
 * research run with a silently ignored option measures the wrong thing.
 */
#ifndef HV_OPTIONS_H
#define HV_OPTIONS_H

#include "../lib/types.h"

struct hv_options {
	u64 loglevel;      /* 0 errors .. 3 debug */
	u64 guest_limit;   /* guest time limit in TSC ticks/1000 (0: none) */
};

extern struct hv_options hv_opts;

void options_set_defaults(struct hv_options *o);
/* Parse cmdline into o; on failure a one-line reason in err. */
bool options_parse(const char *cmdline, struct hv_options *o, char *err,
		   size_t errlen);
/* "key=value key=value ..." of every option in force, for result records. */
void options_format(const struct hv_options *o, char *buf, size_t size);

#endif
