#include "lib/printf.h"

struct spec {
	bool left;
	char pad;
	int width;
	int precision; /* %.Ns / %.*s: at most N characters; -1 for none */
	int longs;     /* 0: int, 1: long, 2: long long */
};

static int emit_padded(putc_fn out, void *arg, const struct spec *sp, const char *s, int len)
{
	int fill = sp->width > len ? sp->width - len : 0;
	int n = 0;

	if (!sp->left)
		for (; fill > 0; fill--, n++)
			out(sp->pad, arg);
	for (int i = 0; i < len; i++, n++)
		out(s[i], arg);
	for (; fill > 0; fill--, n++)
		out(' ', arg);
	return n;
}

static int emit_number(putc_fn out, void *arg, const struct spec *sp, u64 v, unsigned base,
		       bool upper, bool negative)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int i = sizeof(buf);

	do {
		buf[--i] = digits[v % base];
		v /= base;
	} while (v);
	if (negative) {
		if (sp->pad == '0' && !sp->left && sp->width > 0) {
			/* "-0042": the sign goes before the zeros. */
			struct spec inner = *sp;
			out('-', arg);
			inner.width--;
			return 1 + emit_padded(out, arg, &inner, buf + i, (int)sizeof(buf) - i);
		}
		buf[--i] = '-';
	}
	return emit_padded(out, arg, sp, buf + i, (int)sizeof(buf) - i);
}

static u64 fetch_unsigned(va_list *ap, int longs)
{
	if (longs == 2)
		return va_arg(*ap, unsigned long long);
	if (longs == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static s64 fetch_signed(va_list *ap, int longs)
{
	if (longs == 2)
		return va_arg(*ap, long long);
	if (longs == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .pad = ' ', .precision = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->pad = '0';
		else
			break;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		sp->width = sp->width * 10 + (*f - '0');
	if (*f == '.') {
		f++;
		sp->precision = 0;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			f++;
		}
		for (; *f >= '0' && *f <= '9'; f++)
			sp->precision = sp->precision * 10 + (*f - '0');
	}
	for (; *f == 'l' && sp->longs < 2; f++)
		sp->longs++;
	return f;
}

static int emit_conversion(putc_fn out, void *arg, char conv, const struct spec *sp, va_list *ap)
{
	switch (conv) {
	case 'd':
	case 'i': {
		s64 v = fetch_signed(ap, sp->longs);
		u64 mag = v < 0 ? (u64)0 - (u64)v : (u64)v;
		return emit_number(out, arg, sp, mag, 10, false, v < 0);
	}
	case 'u':
		return emit_number(out, arg, sp, fetch_unsigned(ap, sp->longs), 10, false, false);
	case 'x':
	case 'X':
		return emit_number(out, arg, sp, fetch_unsigned(ap, sp->longs), 16, conv == 'X',
				   false);
	case 'p': {
		struct spec p = { .pad = '0', .width = 16 };
		out('0', arg);
		out('x', arg);
		return 2 + emit_number(out, arg, &p, (u64)(uintptr_t)va_arg(*ap, void *), 16, false,
				       false);
	}
	case 'c': {
		char c = (char)va_arg(*ap, int);
		return emit_padded(out, arg, sp, &c, 1);
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);
		int len = 0;
		if (!s)
			s = "(null)";
		while ((sp->precision < 0 || len < sp->precision) && s[len])
			len++;
		return emit_padded(out, arg, sp, s, len);
	}
	case '%':
		out('%', arg);
		return 1;
	default: /* unknown conversion: show it rather than guess */
		out('%', arg);
		out(conv, arg);
		return 2;
	}
}

int vformat(putc_fn out, void *arg, const char *fmt, va_list ap)
{
	va_list args;
	int n = 0;

	va_copy(args, ap);
	while (*fmt) {
		struct spec sp;
		if (*fmt != '%') {
			out(*fmt++, arg);
			n++;
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &args);
		if (!*fmt)
			break;
		n += emit_conversion(out, arg, *fmt++, &sp, &args);
	}
	va_end(args);
	return n;
}

struct buf_sink {
	char *buf;
	size_t size, used;
};

static void buf_putc(char c, void *arg)
{
	struct buf_sink *b = arg;
	if (b->used + 1 < b->size)
		b->buf[b->used] = c;
	b->used++;
}

int vformat_to_buffer(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = { buf, size, 0 };
	int n = vformat(buf_putc, &b, fmt, ap);

	if (size)
		buf[b.used < size ? b.used : size - 1] = '\0';
	return n;
}

int snprintf_hv(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vformat_to_buffer(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
