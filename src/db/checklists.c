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

/* The identifier that ends just before `end` (spaces skipped): a word or
 * a "quoted" name; its start, or NULL. */
static const char *ident_before(const char *start, const char *end)
{
	const char *p = end;
	while (p > start &&
	       (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n' || p[-1] == '\r'))
		p--;
	const char *e = p;
	if (p > start && p[-1] == '"') {
		for (p--; p > start && p[-1] != '"'; p--)
			;
		return p > start ? p - 1 : NULL;
	}
	while (p > start && ident_char(p[-1]))
		p--;
	if (p == e || isdigit((unsigned char)*p))
		return NULL;
	/* NOT IN keeps its meaning only as a list */
	if (e - p == 3 && strncasecmp(p, "NOT", 3) == 0)
		return NULL;
	return p;
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
			const char *name = ident_before(copied, p);
			struct item items[MAX_ITEMS];
			size_t n = 0;
			const char *end = *open == '(' && name
			                          ? parse_list(open + 1, items, &n)
			                          : NULL;
			if (end && n >= 3) {
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
