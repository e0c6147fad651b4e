/*
 * The hypervisor command line: space-separated key=value words from the
 * multiboot2 command line tag. Unknown keys and bad values are errors: a
 * research run with a silently ignored option measures the wrong thing.
 */
#ifndef HV_RUN_OPTIONS_H
#define HV_RUN_OPTIONS_H

#include "hv/base/options.h"

void options_set_defaults(struct hv_options *o);
/* Parse cmdline into o; on failure a one-line reason in err. KEY=help sets o->help. */
bool options_parse(const char *cmdline, struct hv_options *o, char *err, size_t errlen);
/* "key=value key=value ..." of every option in force, for result records. */
void options_format(const struct hv_options *o, char *buf, size_t size);

/* The configurations in o->runs (0 when runs= is not given: one run of o itself). */
int options_run_configs(const struct hv_options *o);
/*
 * The options of configuration i (0-based) of o->runs: o with that
 * configuration applied, runs= and repeat= cleared. *config gets the
 * configuration's text and *config_len its length. Cannot fail for a
 * configuration options_parse() accepted.
 */
void options_for_run(const struct hv_options *o, int i, struct hv_options *out, const char **config,
		     size_t *config_len);

#endif
