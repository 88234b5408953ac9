#include "jw.h"

#include <string.h>

#include "tctime.h"

void tc_jw_init(struct tc_jw *w, struct tc_buf *b)
{
	w->b = b;
	w->depth = 0;
	w->need_comma[0] = false;
}

/* Before a value: a comma unless it is the first in its container, or
 * the value of a key just written. */
static void before_value(struct tc_jw *w)
{
	if (w->need_comma[w->depth])
		tc_buf_append(w->b, ",", 1);
	w->need_comma[w->depth] = true;
}

static void open_container(struct tc_jw *w, char c, char close)
{
	before_value(w);
	tc_buf_append(w->b, &c, 1);
	if (w->depth + 1 >= TC_JW_DEPTH)
		tc_die("JSON nested too deep");
	w->depth++;
	w->need_comma[w->depth] = false;
	w->close[w->depth] = close;
}

void tc_jw_obj(struct tc_jw *w)
{
	open_container(w, '{', '}');
}

void tc_jw_arr(struct tc_jw *w)
{
	open_container(w, '[', ']');
}

void tc_jw_end(struct tc_jw *w)
{
	if (w->depth == 0)
		tc_die("JSON writer: end without a container");
	tc_buf_append(w->b, &w->close[w->depth], 1);
	w->depth--;
}

static void quoted(struct tc_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *run = p;

	/* most strings need no escape: one copy */
	while (*p >= 0x20 && *p != '"' && *p != '\\')
		p++;
	if (*p == '\0') {
		tc_buf_reserve(b, (size_t)(p - run) + 2);
		b->data[b->len++] = '"';
		memcpy(b->data + b->len, run, (size_t)(p - run));
		b->len += (size_t)(p - run);
		b->data[b->len++] = '"';
		b->data[b->len] = '\0';
		return;
	}
	p = run;
	tc_buf_append(b, "\"", 1);
	for (; *p; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		tc_buf_append(b, run, (size_t)(p - run));
		switch (*p) {
		case '"': tc_buf_append(b, "\\\"", 2); break;
		case '\\': tc_buf_append(b, "\\\\", 2); break;
		case '\n': tc_buf_append(b, "\\n", 2); break;
		case '\r': tc_buf_append(b, "\\r", 2); break;
		case '\t': tc_buf_append(b, "\\t", 2); break;
		default: {
			char u[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
			tc_buf_append(b, u, 6);
		}
		}
		run = p + 1;
	}
	tc_buf_append(b, run, (size_t)(p - run));
	tc_buf_append(b, "\"", 1);
}

void tc_jw_key(struct tc_jw *w, const char *key)
{
	before_value(w);
	quoted(w->b, key);
	tc_buf_append(w->b, ":", 1);
	w->need_comma[w->depth] = false; /* the value follows without one */
}

/* A key's value must not be preceded by a comma, yet the next key must.
 * tc_jw_key clears the flag; every value sets it again. */
void tc_jw_str(struct tc_jw *w, const char *s)
{
	before_value(w);
	if (s == NULL)
		tc_buf_append(w->b, "null", 4);
	else
		quoted(w->b, s);
}

void tc_jw_int(struct tc_jw *w, int64_t v)
{
	char digits[24];
	int n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	before_value(w);
	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		digits[n++] = '-';
	char out[24];
	for (int i = 0; i < n; i++)
		out[i] = digits[n - 1 - i];
	tc_buf_append(w->b, out, (size_t)n);
}

void tc_jw_bool(struct tc_jw *w, bool v)
{
	before_value(w);
	tc_buf_append(w->b, v ? "true" : "false", v ? 4 : 5);
}

void tc_jw_null(struct tc_jw *w)
{
	before_value(w);
	tc_buf_append(w->b, "null", 4);
}

void tc_jw_time(struct tc_jw *w, int64_t us)
{
	char t[TC_TIME_TEXT_LEN];

	if (us == 0) {
		tc_jw_null(w);
		return;
	}
	tc_time_format(us, t);
	before_value(w);
	tc_buf_append(w->b, "\"", 1);
	tc_buf_append(w->b, t, TC_TIME_TEXT_LEN - 1);
	tc_buf_append(w->b, "\"", 1);
}

void tc_jw_raw(struct tc_jw *w, const char *json)
{
	before_value(w);
	if (json == NULL)
		tc_buf_append(w->b, "null", 4);
	else
		tc_buf_puts(w->b, json);
}

void tc_jw_kstr(struct tc_jw *w, const char *key, const char *s)
{
	tc_jw_key(w, key);
	tc_jw_str(w, s);
}

void tc_jw_kint(struct tc_jw *w, const char *key, int64_t v)
{
	tc_jw_key(w, key);
	tc_jw_int(w, v);
}

void tc_jw_kbool(struct tc_jw *w, const char *key, bool v)
{
	tc_jw_key(w, key);
	tc_jw_bool(w, v);
}
