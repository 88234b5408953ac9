#include "csv.h"

#include <stdlib.h>
#include <string.h>

void tc_csv_init(struct tc_csv *r, const char *data, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->p = data;
	r->end = data + len;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
	r->next_line = 1;
	r->delim = ',';
	tc_buf_init(&r->buf);
}

void tc_csv_cleanup(struct tc_csv *r)
{
	tc_buf_cleanup(&r->buf);
	free(r->offs);
	free(r->fields);
	r->offs = NULL;
	r->fields = NULL;
	r->nfields = r->cap = 0;
}

static void end_field(struct tc_csv *r, size_t start)
{
	if (r->nfields == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->offs = tc_xrealloc(r->offs, r->cap * 2 * sizeof(size_t));
		r->fields = tc_xrealloc(r->fields, r->cap * sizeof(*r->fields));
	}
	r->offs[2 * r->nfields] = start;
	r->offs[2 * r->nfields + 1] = r->buf.len - start;
	r->nfields++;
	tc_buf_append(&r->buf, "", 1); /* each field NUL-terminated */
}

int tc_csv_next(struct tc_csv *r)
{
	const char *p = r->p, *end = r->end;
	const char d = r->delim;

	if (p >= end)
		return 0;
	tc_buf_reset(&r->buf);
	r->nfields = 0;
	r->line = r->next_line;
	for (;;) {
		size_t start = r->buf.len;
		if (p < end && *p == '"') {
			p++;
			for (;;) {
				const char *q = memchr(p, '"', (size_t)(end - p));
				if (q == NULL) {
					r->error = "a quoted field is never closed";
					return -1;
				}
				for (const char *s = p; s < q; s++)
					if (*s == '\n')
						r->next_line++;
				tc_buf_append(&r->buf, p, (size_t)(q - p));
				p = q + 1;
				if (p < end && *p == '"') {
					tc_buf_append(&r->buf, "\"", 1);
					p++;
					continue;
				}
				break;
			}
			if (p < end && *p != d && *p != '\n' && *p != '\r') {
				r->error = "text follows a closing quote";
				return -1;
			}
		} else {
			const char *s = p;
			while (p < end && *p != d && *p != '\n' && *p != '\r') {
				if (*p == '"') {
					r->error = "a quote inside an unquoted field";
					return -1;
				}
				p++;
			}
			tc_buf_append(&r->buf, s, (size_t)(p - s));
		}
		end_field(r, start);
		if (p < end && *p == d) {
			p++;
			continue;
		}
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		r->next_line++;
		break;
	}
	r->p = p;
	for (size_t i = 0; i < r->nfields; i++) {
		r->fields[i].s = r->buf.data + r->offs[2 * i];
		r->fields[i].n = r->offs[2 * i + 1];
	}
	return 1;
}

int tc_csv_column(const struct tc_csv *r, const char *name)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].s, name) == 0)
			return (int)i;
	return -1;
}

char tc_csv_sniff_delim(const char *data, size_t len)
{
	static const char cand[] = { ',', ';', '\t' };
	size_t count[3] = { 0, 0, 0 }, best = 0;
	bool quoted = false;

	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (len > 65536)
		len = 65536; /* a header line longer than this is not one */
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (c == '"')
			quoted = !quoted;
		else if (!quoted && (c == '\n' || c == '\r'))
			break;
		else if (!quoted)
			for (size_t k = 0; k < 3; k++)
				count[k] += c == cand[k];
	}
	for (size_t k = 1; k < 3; k++)
		if (count[k] > count[best])
			best = k;
	return cand[best];
}
