#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tc_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("tiemchung: fatal: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

void *tc_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		tc_die("out of memory (%zu bytes)", n);
	return p;
}

void *tc_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		tc_die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *tc_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		tc_die("out of memory (%zu bytes)", n);
	return p;
}

char *tc_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = tc_xmalloc(n);
	memcpy(d, s, n);
	return d;
}

void tc_buf_init(struct tc_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void tc_buf_cleanup(struct tc_buf *b)
{
	free(b->data);
	tc_buf_init(b);
}

void tc_buf_reset(struct tc_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void tc_buf_reserve(struct tc_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need < b->len)
		tc_die("buffer size overflow");
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	b->data = tc_xrealloc(b->data, cap);
	b->cap = cap;
}

void tc_buf_append(struct tc_buf *b, const void *p, size_t n)
{
	tc_buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void tc_buf_puts(struct tc_buf *b, const char *s)
{
	tc_buf_append(b, s, strlen(s));
}

void tc_buf_printf(struct tc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		tc_die("bad format '%s'", fmt);
	tc_buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

bool tc_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

#define FNV_PRIME 1099511628211ULL

uint64_t tc_fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * FNV_PRIME;
	return h * FNV_PRIME; /* the NUL */
}

uint64_t tc_fnv1a_u64(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		h = (h ^ (v & 0xff)) * FNV_PRIME;
	return h;
}

void tc_hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}
