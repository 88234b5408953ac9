/* `x IN (list)` in stored table definitions as comparisons (checklists.h). */
#include "checklists.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "../core/util.h"

#define MAX_ITEMS 64

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* The end of the quoted text starting at p (its closing quote included),
 * or NULL if it does not close. A doubled quote is an escaped one. */
static const char *quoted_end(const char *p)
{
	char q = *p++;
	for (; *p; p++) {
		if (*p != q)
			continue;
		if (p[1] != q)
			return p + 1;
		p++;
	}
	return NULL;
}

/* A literal at p: 'text' or an optionally signed integer or decimal;
 * the end, or NULL. */
static const char *literal_end(const char *p)
{
	if (*p == '\'')
		return quoted_end(p);
	if (*p == '-' || *p == '+')
		p++;
	const char *digits = p;
	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	if (p == digits || ident_char(*p))
		return NULL;
	return p;
}

struct item {
	const char *at;
	size_t len;
};

/* The list "(lit, lit, ...)" at p (just past the opening parenthesis):
 * its items and the end (past ')'), or NULL if it is anything else. */
static const char *parse_list(const char *p, struct item *items, size_t *n)
{
	*n = 0;
	for (;;) {
		p = skip_space(p);
		const char *end = literal_end(p);
		if (end == NULL || *n == MAX_ITEMS)
			return NULL;
		items[(*n)++] = (struct item){ p, (size_t)(end - p) };
		p = skip_space(end);
		if (*p == ')')
			return p + 1;
		if (*p != ',')
			return NULL;
		p++;
	}
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *back_space(const char *start, const char *p)
{
	while (p > start && is_space(p[-1]))
		p--;
	return p;
}

/* Whether [w, e) is one of the words, in any case. */
static bool word_in(const char *w, const char *e, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == (size_t)(e - w) &&
		    strncasecmp(w, *words, (size_t)(e - w)) == 0)
			return true;
	return false;
}

/* Words that may stand right before `name IN (...)` and right after it
 * without binding tighter than IN (or, for NOT, while meaning the same
 * over the comparisons); and words that are never a column's name. */
static const char *const before_words[] = { "AND",  "OR",   "NOT", "WHEN",
	                                    "THEN", "ELSE", NULL };
static const char *const after_words[] = { "AND",  "OR",  "WHEN", "THEN",
	                                   "ELSE", "END", NULL };
static const char *const not_names[] = { "NOT",    "AND",    "OR",      "END",
	                                 "NULL",   "NOCASE", "BINARY",  "RTRIM",
	                                 "CASE",   "ELSE",   "THEN",    "WHEN",
	                                 "ESCAPE", "IS",     "COLLATE", NULL };

/* The column name alone on the left of the IN that starts at `end`: a
 * plain word or a "quoted" name (without doubled quotes), itself after
 * '(' or ',' or one of before_words; its start, or NULL for anything
 * else (an expression, a qualified name, a comment in between). */
static const char *name_before(const char *start, const char *end)
{
	const char *e = back_space(start, end), *p = e;

	if (p > start && p[-1] == '"') {
		for (p--; p > start && p[-1] != '"'; p--)
			;
		if (p == start)
			return NULL;
		p--; /* the opening quote */
		if (p > start && p[-1] == '"')
			return NULL; /* a doubled quote: not read backwards */
	} else {
		while (p > start && ident_char(p[-1]))
			p--;
		if (p == e || isdigit((unsigned char)*p) || word_in(p, e, not_names))
			return NULL;
	}
	const char *q = back_space(start, p);
	if (q == start)
		return NULL;
	if (q[-1] == '(' || q[-1] == ',')
		return p;
	const char *w = q;
	while (w > start && ident_char(w[-1]))
		w--;
	if (w == q || (w > start && !is_space(w[-1]) && w[-1] != ')'))
		return NULL;
	return word_in(w, q, before_words) ? p : NULL;
}

/* Whether what follows the list (at end) leaves it alone: ')' or ',' or
 * one of after_words. */
static bool after_ok(const char *end)
{
	const char *p = skip_space(end), *w = p;

	if (*p == ')' || *p == ',')
		return true;
	while (ident_char(*p))
		p++;
	return p > w && !ident_char(*p) && word_in(w, p, after_words);
}

char *tc_check_lists_rewrite(const char *sql, struct tc_arena *a)
{
	struct tc_buf out;
	const char *p = sql, *copied = sql;
	bool changed = false;

	tc_buf_init(&out);
	while (*p) {
		if (*p == '\'' || *p == '"' || *p == '`' || *p == '[') {
			const char *e = *p == '[' ? strchr(p, ']') : quoted_end(p);
			if (e == NULL)
				break;
			p = *p == '[' ? e + 1 : e;
			continue;
		}
		if (p[0] == '-' && p[1] == '-') {
			const char *nl = strchr(p, '\n');
			p = nl ? nl : p + strlen(p);
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
			continue;
		}
		if (p > sql && !ident_char(p[-1]) && strncasecmp(p, "IN", 2) == 0 &&
		    !ident_char(p[2])) {
			const char *open = skip_space(p + 2);
			const char *name = name_before(copied, p);
			struct item items[MAX_ITEMS];
			size_t n = 0;
			const char *end = *open == '(' && name
			                          ? parse_list(open + 1, items, &n)
			                          : NULL;
			if (end && n >= 3 && after_ok(end)) {
				const char *name_end = p;
				while (name_end > name &&
				       (name_end[-1] == ' ' || name_end[-1] == '\t' ||
				        name_end[-1] == '\n' || name_end[-1] == '\r'))
					name_end--;
				size_t name_len = (size_t)(name_end - name);
				tc_buf_append(&out, copied, (size_t)(name - copied));
				tc_buf_append(&out, "(", 1);
				for (size_t i = 0; i < n; i++) {
					if (i)
						tc_buf_append(&out, " OR ", 4);
					tc_buf_append(&out, name, name_len);
					tc_buf_append(&out, " = ", 3);
					tc_buf_append(&out, items[i].at, items[i].len);
				}
				tc_buf_append(&out, ")", 1);
				copied = p = end;
				changed = true;
				continue;
			}
		}
		p++;
	}
	if (!changed) {
		tc_buf_cleanup(&out);
		return NULL;
	}
	tc_buf_puts(&out, copied);
	char *s = tc_arena_strdup(a, out.data);
	tc_buf_cleanup(&out);
	return s;
}
