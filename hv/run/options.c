#include "hv/run/options.h"
#include "hv/exit/stats.h"
#include "hv/pmu/pmu.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmcs.h"

struct hv_options hv_opts;

enum option_kind { OPT_UINT, OPT_CHOICE, OPT_REASON_SET, OPT_RUNS, OPT_CONSOLE };

struct option_desc {
	const char *name;
	enum option_kind kind;
	size_t offset;			 /* of a u64 in struct hv_options */
	u64 min, max;			 /* OPT_UINT */
	const char *const *choices;	 /* OPT_CHOICE, NULL-terminated; value = index */
	const char *(*choice_at)(u64 i); /* OPT_CHOICE without choices: name i, NULL past the end */
	u64 def;
};

#define FIELD(f) offsetof(struct hv_options, f)

static const char *const global_ctrl_choices[] = { "lists", "vmcs", NULL };
static const char *const pmu_read_choices[] = { "auto", "rdpmc", "rdmsr", NULL };
static const char *const pmu_host_choices[] = { "fixed", "gp", NULL };
/* In the order of enum on_end. */
static const char *const on_end_choices[] = { "auto", "halt", "reboot", "poweroff", NULL };

/* Exit reasons pmu_lazy= may name. */
static const struct {
	const char *name;
	u8 reason;
} reason_names[] = {
	{ "init", EXIT_REASON_INIT_SIGNAL },  { "cpuid", EXIT_REASON_CPUID },
	{ "hlt", EXIT_REASON_HLT },	      { "vmcall", EXIT_REASON_VMCALL },
	{ "cr", EXIT_REASON_CR_ACCESS },      { "io", EXIT_REASON_IO_INSTRUCTION },
	{ "rdmsr", EXIT_REASON_MSR_READ },    { "wrmsr", EXIT_REASON_MSR_WRITE },
	{ "ept", EXIT_REASON_EPT_VIOLATION }, { "timer", EXIT_REASON_PREEMPTION_TIMER },
	{ "xsetbv", EXIT_REASON_XSETBV },
};

static const struct option_desc option_table[] = {
	{ "loglevel", OPT_UINT, FIELD(loglevel), 0, 3, NULL, NULL, 2 },
	{ "guest_limit", OPT_UINT, FIELD(guest_limit), 0, UINT64_MAX / 2, NULL, NULL, 0 },
	/* The strategies of hv/pmu/strategy.c's table; its first is the default. */
	{ "pmu", OPT_CHOICE, FIELD(pmu), 0, 0, NULL, pmu_strategy_name_at, 0 },
	{ "global_ctrl", OPT_CHOICE, FIELD(global_ctrl), 0, 0, global_ctrl_choices, NULL, 0 },
	{ "pmu_read", OPT_CHOICE, FIELD(pmu_read), 0, 0, pmu_read_choices, NULL, 0 },
	{ "pmu_host", OPT_CHOICE, FIELD(pmu_host), 0, 0, pmu_host_choices, NULL, 0 },
	{ "pmu_gp", OPT_UINT, FIELD(pmu_gp), 0, PMU_GP_ALL, NULL, NULL, PMU_GP_ALL },
	{ "pmu_lazy", OPT_REASON_SET, FIELD(pmu_lazy), 0, 0, NULL, NULL, 0 },
	{ "pmu_lazy_every", OPT_UINT, FIELD(pmu_lazy_every), 0, UINT32_MAX, NULL, NULL, 0 },
	{ "bench_primitives", OPT_UINT, FIELD(bench_primitives), 0, 1, NULL, NULL, 0 },
	{ "stats", OPT_CHOICE, FIELD(stats), 0, 0, stats_level_names, NULL, STATS_FULL },
	{ "repeat", OPT_UINT, FIELD(repeat), 1, OPTIONS_REPEAT_MAX, NULL, NULL, 1 },
	{ "runs", OPT_RUNS, FIELD(runs), 0, 0, NULL, NULL, 0 },
	{ "console", OPT_CONSOLE, FIELD(console), 0, 0, NULL, NULL, CONSOLE_AUTO },
	{ "on_end", OPT_CHOICE, FIELD(on_end), 0, 0, on_end_choices, NULL, ON_END_AUTO },
};

/* Options that hold for the whole boot: a runs= configuration cannot change them. */
static const char *const per_boot_options[] = { "runs", "repeat", "bench_primitives", "console",
						"on_end" };

static bool is_per_boot(const char *key, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(per_boot_options); i++)
		if (strlen(per_boot_options[i]) == len && !strncmp(per_boot_options[i], key, len))
			return true;
	return false;
}

#define CONSOLE_FORMS "auto, com1, com2, 0xPORT, mmio:ADDR or mmio32:ADDR"

static bool word_is(const char *v, size_t len, const char *word)
{
	return strlen(word) == len && !strncmp(v, word, len);
}

static bool has_prefix(const char *v, size_t len, const char *prefix)
{
	return len >= strlen(prefix) && !strncmp(v, prefix, strlen(prefix));
}

/* A hexadecimal number with its 0x, as console= takes addresses. */
static bool parse_hex(const char *v, size_t len, u64 *out)
{
	return has_prefix(v, len, "0x") && parse_u64(v, len, out);
}

static bool parse_console(struct hv_options *o, const char *v, size_t len, char *err, size_t errlen)
{
	u64 kind, base = 0;

	if (word_is(v, len, "auto"))
		kind = CONSOLE_AUTO;
	else if (word_is(v, len, "com1"))
		kind = CONSOLE_IO, base = 0x3f8;
	else if (word_is(v, len, "com2"))
		kind = CONSOLE_IO, base = 0x2f8;
	else if (parse_hex(v, len, &base)) {
		kind = CONSOLE_IO;
		/* The 16550's eight registers must fit below port 0x10000. */
		if (!base || base > 0xfff8) {
			snprintf_hv(err, errlen,
				    "option console: I/O port '%.*s' is not in 0x1..0xfff8",
				    (int)len, v);
			return false;
		}
	} else if (has_prefix(v, len, "mmio:") || has_prefix(v, len, "mmio32:")) {
		size_t skip = v[4] == ':' ? 5 : 7;
		u64 align = skip == 5 ? 1 : 4;

		kind = skip == 5 ? CONSOLE_MMIO : CONSOLE_MMIO32;
		if (!parse_hex(v + skip, len - skip, &base)) {
			snprintf_hv(err, errlen,
				    "option console: '%.*s' is not a hexadecimal address",
				    (int)(len - skip), v + skip);
			return false;
		}
		/* The hypervisor maps the first 4 GiB for itself: the UART must lie there. */
		if (!base || base + 8 * align > SIZE_4G || base % align) {
			snprintf_hv(err, errlen,
				    "option console: address '%.*s' is not a nonzero%s address "
				    "below 4 GiB",
				    (int)(len - skip), v + skip,
				    align == 4 ? ", 4-byte aligned" : "");
			return false;
		}
	} else {
		snprintf_hv(err, errlen, "option console: '%.*s' is not one of " CONSOLE_FORMS,
			    (int)len, v);
		return false;
	}
	o->console = kind;
	o->console_base = base;
	return true;
}

static void format_console(const struct hv_options *o, char *buf, size_t size)
{
	unsigned long long base = (unsigned long long)o->console_base;

	if (o->console == CONSOLE_IO && base == 0x3f8)
		snprintf_hv(buf, size, "com1");
	else if (o->console == CONSOLE_IO && base == 0x2f8)
		snprintf_hv(buf, size, "com2");
	else if (o->console == CONSOLE_IO)
		snprintf_hv(buf, size, "0x%llx", base);
	else if (o->console == CONSOLE_MMIO || o->console == CONSOLE_MMIO32)
		snprintf_hv(buf, size, "mmio%s:0x%llx", o->console == CONSOLE_MMIO32 ? "32" : "",
			    base);
	else
		snprintf_hv(buf, size, "auto");
}

/* "cpuid,vmcall,io" -> bit mask of exit reasons; "none" is the empty set. */
static bool parse_reason_set(const char *v, size_t len, u64 *out, char *err, size_t errlen)
{
	u64 set = 0;

	if (len == 4 && !strncmp(v, "none", 4)) {
		*out = 0;
		return true;
	}
	while (len) {
		const char *comma = memchr(v, ',', len);
		size_t n = comma ? (size_t)(comma - v) : len;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(reason_names); i++)
			if (strlen(reason_names[i].name) == n &&
			    !strncmp(reason_names[i].name, v, n))
				break;
		if (i == ARRAY_SIZE(reason_names)) {
			snprintf_hv(err, errlen,
				    "option pmu_lazy: unknown exit reason '%.*s' (known: "
				    "init cpuid hlt vmcall cr io rdmsr wrmsr ept timer xsetbv)",
				    (int)n, v);
			return false;
		}
		set |= BIT(reason_names[i].reason);
		v += n + (comma ? 1 : 0);
		len -= n + (comma ? 1 : 0);
	}
	*out = set;
	return true;
}

static void format_reason_set(u64 set, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(reason_names) && used < size; i++)
		if (set & BIT(reason_names[i].reason))
			used += (size_t)snprintf_hv(buf + used, size - used, "%s%s",
						    used ? "," : "", reason_names[i].name);
	if (!set)
		snprintf_hv(buf, size, "none");
}

static u64 *option_slot(struct hv_options *o, const struct option_desc *d)
{
	return (u64 *)((u8 *)o + d->offset);
}

void options_set_defaults(struct hv_options *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(option_table); i++)
		if (option_table[i].kind != OPT_RUNS)
			*option_slot(o, &option_table[i]) = option_table[i].def;
	memset(o->runs, 0, sizeof(o->runs));
	o->console_base = 0;
	o->help = NULL;
	o->pmu_given = 0;
}

static bool parse_runs(struct hv_options *o, const char *v, size_t len, char *err, size_t errlen);

static const struct option_desc *find_option(const char *key, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(option_table); i++) {
		const char *name = option_table[i].name;
		if (strlen(name) == len && !strncmp(name, key, len))
			return &option_table[i];
	}
	return NULL;
}

/* The name of choice i, NULL past the last. */
static const char *choice(const struct option_desc *d, u64 i)
{
	return d->choices ? d->choices[i] : d->choice_at(i);
}

static bool parse_choice(const struct option_desc *d, const char *v, size_t len, u64 *out)
{
	for (u64 i = 0; choice(d, i); i++)
		if (strlen(choice(d, i)) == len && !strncmp(choice(d, i), v, len)) {
			*out = i;
			return true;
		}
	return false;
}

static void describe_choices(const struct option_desc *d, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (u64 i = 0; choice(d, i) && used < size; i++)
		used += (size_t)snprintf_hv(buf + used, size - used, "%s%s", i ? "|" : "",
					    choice(d, i));
}

/* key (klen bytes) set to the value that follows eq. */
static bool set_option(struct hv_options *o, const char *w, size_t klen, const char *eq,
		       size_t vlen, char *err, size_t errlen)
{
	const struct option_desc *d = find_option(w, klen);
	u64 v;

	if (!d) {
		snprintf_hv(err, errlen, "unknown option '%.*s'", (int)klen, w);
		return false;
	}
	if (d->kind == OPT_RUNS)
		return parse_runs(o, eq + 1, vlen, err, errlen);
	if (d->kind == OPT_CONSOLE)
		return parse_console(o, eq + 1, vlen, err, errlen);
	if (d->kind == OPT_REASON_SET) {
		if (!parse_reason_set(eq + 1, vlen, &v, err, errlen))
			return false;
		goto ok;
	}
	if (d->kind == OPT_CHOICE) {
		char allowed[128];
		if (parse_choice(d, eq + 1, vlen, &v))
			goto ok;
		if (d->choice_at && vlen == 4 && !strncmp(eq + 1, "help", 4)) {
			o->help = d->name;
			return true;
		}
		describe_choices(d, allowed, sizeof(allowed));
		snprintf_hv(err, errlen, "option %s: '%.*s' is not one of %s", d->name, (int)vlen,
			    eq + 1, allowed);
		return false;
	}
	if (!parse_u64(eq + 1, vlen, &v) || v < d->min || v > d->max) {
		snprintf_hv(err, errlen, "option %s: '%.*s' is not a number in %llu..%llu", d->name,
			    (int)vlen, eq + 1, (unsigned long long)d->min,
			    (unsigned long long)d->max);
		return false;
	}
ok:
	*option_slot(o, d) = v;
	o->pmu_given |= d->offset == FIELD(pmu);
	return true;
}

static bool parse_word(struct hv_options *o, const char *w, size_t len, char *err, size_t errlen)
{
	const char *eq = memchr(w, '=', len);
	size_t klen;

	if (!eq) {
		snprintf_hv(err, errlen, "option '%.*s' is not key=value", (int)len, w);
		return false;
	}
	klen = (size_t)(eq - w);
	return set_option(o, w, klen, eq, len - klen - 1, err, errlen);
}

/* The length of the part of s (len bytes) before the first sep, or len. */
static size_t part_length(const char *s, size_t len, char sep)
{
	const char *at = memchr(s, sep, len);
	return at ? (size_t)(at - s) : len;
}

/* Apply one configuration, "key:value+key:value", to o. */
static bool apply_config(struct hv_options *o, int index, const char *c, size_t len, char *err,
			 size_t errlen)
{
	char why[160];

	if (!len) {
		snprintf_hv(err, errlen, "option runs: configuration %d is empty", index + 1);
		return false;
	}
	while (len) {
		size_t n = part_length(c, len, '+');
		const char *colon = memchr(c, ':', n);
		size_t klen = colon ? (size_t)(colon - c) : n;
		bool ok = false;

		if (!colon)
			snprintf_hv(why, sizeof(why), "'%.*s' is not key:value", (int)n, c);
		else if (is_per_boot(c, klen))
			snprintf_hv(why, sizeof(why), "'%.*s' cannot differ between runs",
				    (int)klen, c);
		else
			ok = set_option(o, c, klen, colon, n - klen - 1, why, sizeof(why));
		if (!ok) {
			snprintf_hv(err, errlen, "option runs: configuration %d: %s", index + 1,
				    why);
			return false;
		}
		c += n + (n < len);
		len -= n + (n < len);
		if (!len && c[-1] == '+') {
			snprintf_hv(err, errlen, "option runs: configuration %d ends in '+'",
				    index + 1);
			return false;
		}
	}
	return true;
}

/* Check every configuration now, so that a bad one stops the boot before the first run. */
static bool parse_runs(struct hv_options *o, const char *v, size_t len, char *err, size_t errlen)
{
	struct hv_options scratch = *o;
	int n = 0;

	if (len >= sizeof(o->runs)) {
		snprintf_hv(err, errlen, "option runs: longer than %u characters",
			    (unsigned)sizeof(o->runs) - 1);
		return false;
	}
	for (size_t at = 0; len && at <= len; n++) {
		size_t part = part_length(v + at, len - at, '/');
		if (n == OPTIONS_RUNS_MAX) {
			snprintf_hv(err, errlen, "option runs: more than %d configurations",
				    OPTIONS_RUNS_MAX);
			return false;
		}
		if (!apply_config(&scratch, n, v + at, part, err, errlen))
			return false;
		at += part + 1;
	}
	memset(o->runs, 0, sizeof(o->runs));
	memcpy(o->runs, v, len);
	return true;
}

int options_run_configs(const struct hv_options *o)
{
	int n = 0;

	if (!o->runs[0])
		return 0;
	for (const char *p = o->runs; *p; p++)
		n += *p == '/';
	return n + 1;
}

void options_for_run(const struct hv_options *o, int i, struct hv_options *out, const char **config,
		     size_t *config_len)
{
	const char *c = o->runs;
	size_t len = strlen(c), n;
	char err[160];

	for (; i > 0; i--) {
		n = part_length(c, len, '/');
		c += n + 1;
		len -= n + 1;
	}
	n = part_length(c, len, '/');
	*out = *o;
	memset(out->runs, 0, sizeof(out->runs));
	out->repeat = 1;
	/* Accepted by options_parse(), so it applies again. */
	(void)apply_config(out, 0, c, n, err, sizeof(err));
	*config = c;
	*config_len = n;
}

bool options_parse(const char *cmdline, struct hv_options *o, char *err, size_t errlen)
{
	const char *p = cmdline;
	bool first = true;

	while (*p) {
		size_t len = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		while (p[len] && p[len] != ' ' && p[len] != '\t')
			len++;
		if (!len)
			break;
		/* Some loaders pass the image path as the first word. */
		if (!(first && p[0] == '/') && !parse_word(o, p, len, err, errlen))
			return false;
		first = false;
		p += len;
	}
	return true;
}

void options_format(const struct hv_options *o, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(option_table) && used < size; i++) {
		const struct option_desc *d = &option_table[i];
		u64 v = *option_slot((struct hv_options *)o, d);
		const char *sep = i ? " " : "";

		if (d->kind == OPT_RUNS) {
			used += (size_t)snprintf_hv(buf + used, size - used, "%s%s=%s", sep,
						    d->name, o->runs);
		} else if (d->kind == OPT_CONSOLE) {
			char console[40];
			format_console(o, console, sizeof(console));
			used += (size_t)snprintf_hv(buf + used, size - used, "%s%s=%s", sep,
						    d->name, console);
		} else if (d->kind == OPT_CHOICE) {
			used += (size_t)snprintf_hv(buf + used, size - used, "%s%s=%s", sep,
						    d->name, choice(d, v));
		} else if (d->kind == OPT_REASON_SET) {
			char set[96];
			format_reason_set(v, set, sizeof(set));
			used += (size_t)snprintf_hv(buf + used, size - used, "%s%s=%s", sep,
						    d->name, set);
		} else
			used += (size_t)snprintf_hv(buf + used, size - used, "%s%s=%llu", sep,
						    d->name, (unsigned long long)v);
	}
}
