#include "hv/options.h"
#include "hv/pmu/pmu.h"
#include "lib/printf.h"
#include "lib/string.h"

struct hv_options hv_opts;

enum option_kind { OPT_UINT, OPT_CHOICE, OPT_REASON_SET };

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

/* Exit reasons pmu_lazy= may name, with their basic exit reason numbers. */
static const struct {
	const char *name;
	u8 reason;
} reason_names[] = {
	{ "init", 3 }, { "cpuid", 10 }, { "hlt", 12 },	  { "vmcall", 18 },
	{ "cr", 28 },  { "io", 30 },	{ "rdmsr", 31 },  { "wrmsr", 32 },
	{ "ept", 48 }, { "timer", 52 }, { "xsetbv", 55 },
};

static const struct option_desc option_table[] = {
	{ "loglevel", OPT_UINT, FIELD(loglevel), 0, 3, NULL, NULL, 2 },
	{ "guest_limit", OPT_UINT, FIELD(guest_limit), 0, UINT64_MAX / 2, NULL, NULL, 0 },
	/* The strategies of hv/pmu/pmu.c's table; its first is the default. */
	{ "pmu", OPT_CHOICE, FIELD(pmu), 0, 0, NULL, pmu_strategy_name_at, 0 },
	{ "global_ctrl", OPT_CHOICE, FIELD(global_ctrl), 0, 0, global_ctrl_choices, NULL, 0 },
	{ "pmu_read", OPT_CHOICE, FIELD(pmu_read), 0, 0, pmu_read_choices, NULL, 0 },
	{ "pmu_host", OPT_CHOICE, FIELD(pmu_host), 0, 0, pmu_host_choices, NULL, 0 },
	{ "pmu_gp", OPT_UINT, FIELD(pmu_gp), 0, PMU_GP_ALL, NULL, NULL, PMU_GP_ALL },
	{ "pmu_lazy", OPT_REASON_SET, FIELD(pmu_lazy), 0, 0, NULL, NULL, 0 },
	{ "pmu_lazy_every", OPT_UINT, FIELD(pmu_lazy_every), 0, UINT32_MAX, NULL, NULL, 0 },
	{ "bench_primitives", OPT_UINT, FIELD(bench_primitives), 0, 1, NULL, NULL, 0 },
};

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
		*option_slot(o, &option_table[i]) = option_table[i].def;
	o->help = NULL;
}

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

static bool parse_word(struct hv_options *o, const char *w, size_t len, char *err, size_t errlen)
{
	const char *eq = memchr(w, '=', len);
	const struct option_desc *d;
	size_t klen, vlen;
	u64 v;

	if (!eq) {
		snprintf_hv(err, errlen, "option '%.*s' is not key=value", (int)len, w);
		return false;
	}
	klen = (size_t)(eq - w);
	vlen = len - klen - 1;
	d = find_option(w, klen);
	if (!d) {
		snprintf_hv(err, errlen, "unknown option '%.*s'", (int)klen, w);
		return false;
	}
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
	return true;
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

		if (d->kind == OPT_CHOICE) {
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
