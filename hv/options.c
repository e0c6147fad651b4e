#include "options.h"
#include "../lib/printf.h"
#include "../lib/string.h"

struct hv_options hv_opts;

enum option_kind { OPT_UINT, OPT_CHOICE };

struct option_desc {
	const char *name;
	enum option_kind kind;
	size_t offset;               /* of a u64 in struct hv_options */
	u64 min, max;                /* OPT_UINT */
	const char *const *choices;  /* OPT_CHOICE, NULL-terminated; value = index */
	u64 def;
};

#define FIELD(f) offsetof(struct hv_options, f)

static const struct option_desc option_table[] = {
	{ "loglevel", OPT_UINT, FIELD(loglevel), 0, 3, NULL, 2 },
	{ "guest_limit", OPT_UINT, FIELD(guest_limit), 0, UINT64_MAX / 2, NULL, 0 },
};

static u64 *option_slot(struct hv_options *o, const struct option_desc *d)
{
	return (u64 *)((u8 *)o + d->offset);
}

void options_set_defaults(struct hv_options *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(option_table); i++)
		*option_slot(o, &option_table[i]) = option_table[i].def;
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

static bool parse_choice(const struct option_desc *d, const char *v, size_t len,
			 u64 *out)
{
	for (u64 i = 0; d->choices[i]; i++)
		if (strlen(d->choices[i]) == len && !strncmp(d->choices[i], v, len)) {
			*out = i;
			return true;
		}
	return false;
}

static void describe_choices(const struct option_desc *d, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; d->choices[i] && used < size; i++)
		used += (size_t)snprintf_hv(buf + used, size - used, "%s%s",
					    i ? "|" : "", d->choices[i]);
}

static bool parse_word(struct hv_options *o, const char *w, size_t len,
		       char *err, size_t errlen)
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
	if (d->kind == OPT_CHOICE) {
		char allowed[128];
		if (parse_choice(d, eq + 1, vlen, &v))
			goto ok;
		describe_choices(d, allowed, sizeof(allowed));
		snprintf_hv(err, errlen, "option %s: '%.*s' is not one of %s",
			    d->name, (int)vlen, eq + 1, allowed);
		return false;
	}
	if (!parse_u64(eq + 1, vlen, &v) || v < d->min || v > d->max) {
		snprintf_hv(err, errlen, "option %s: '%.*s' is not a number in %llu..%llu",
			    d->name, (int)vlen, eq + 1, (unsigned long long)d->min,
			    (unsigned long long)d->max);
		return false;
	}
ok:
	*option_slot(o, d) = v;
	return true;
}

bool options_parse(const char *cmdline, struct hv_options *o, char *err,
		   size_t errlen)
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

		if (d->kind == OPT_CHOICE)
			used += (size_t)snprintf_hv(buf + used, size - used, "%s%s=%s",
						    sep, d->name, d->choices[v]);
		else
			used += (size_t)snprintf_hv(buf + used, size - used, "%s%s=%llu",
						    sep, d->name, (unsigned long long)v);
	}
}
