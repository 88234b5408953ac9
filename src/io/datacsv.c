#include "datacsv.h"

#include <string.h>

#include "../core/arena.h"

/* Comment and blank lines at the top (and a byte-order mark before them);
 * returns how many lines were skipped and moves *p past them. */
static size_t skip_comments(const char **p, const char *end)
{
	size_t lines = 0;

	if (end - *p >= 3 && memcmp(*p, "\xEF\xBB\xBF", 3) == 0)
		*p += 3;
	while (*p < end && (**p == '#' || **p == '\n' || **p == '\r')) {
		const char *nl = memchr(*p, '\n', (size_t)(end - *p));
		*p = nl ? nl + 1 : end;
		lines++;
	}
	return lines;
}

static tc_err read_header(struct tc_datacsv *d)
{
	int got = tc_csv_next(&d->r);

	if (got != 1) /* the reader counts no line in an empty input */
		return tc_fault_setf(d->f, d->a, TC_ERR_IO, "file", "%s line %zu: %s",
		                     d->file, (d->r.line ? d->r.line : 1) + d->skipped,
		                     got < 0 ? d->r.error : "no header row");
	d->ncols = d->r.nfields;
	for (size_t i = 0; i < d->r.nfields; i++) {
		const struct tc_csv_field *h = &d->r.fields[i];
		int c = 0;
		while (c < d->nnames && !(d->names[c] && tc_datacsv_is(h, d->names[c])))
			c++;
		if (c == d->nnames || d->pos[c] >= 0)
			return tc_fault_setf(d->f, d->a, TC_ERR_IO, "file",
			                     "%s line %zu column %zu: %s column '%.40s'",
			                     d->file, tc_datacsv_line(d), i + 1,
			                     c == d->nnames ? "unknown" : "repeated",
			                     h->s);
		d->pos[c] = (int)i;
	}
	for (int c = 0; c < d->nnames; c++)
		if (d->names[c] && d->pos[c] < 0)
			return tc_fault_setf(d->f, d->a, TC_ERR_IO, "file",
			                     "%s line %zu: the header has no column %s",
			                     d->file, tc_datacsv_line(d), d->names[c]);
	return TC_ERR_OK;
}

tc_err tc_datacsv_open(struct tc_datacsv *d, const char *file, const char *text,
                       size_t len, const char *const *names, int nnames,
                       struct tc_arena *a, struct tc_fault *f)
{
	const char *p = text, *end = text + len;

	*d = (struct tc_datacsv){
		.file = file, .names = names, .nnames = nnames, .a = a, .f = f
	};
	d->pos = TC_NEWN(a, int, (size_t)nnames);
	for (int c = 0; c < nnames; c++)
		d->pos[c] = -1;
	d->skipped = skip_comments(&p, end);
	tc_csv_init(&d->r, p, (size_t)(end - p));
	return read_header(d);
}

tc_err tc_datacsv_next(struct tc_datacsv *d, bool *more)
{
	int got;

	while ((got = tc_csv_next(&d->r)) == 1 && d->r.nfields == 1 &&
	       d->r.fields[0].n == 0)
		; /* a blank line */
	*more = got == 1;
	if (got < 0)
		return tc_fault_setf(d->f, d->a, TC_ERR_IO, "file", "%s line %zu: %s",
		                     d->file, tc_datacsv_line(d), d->r.error);
	if (got == 1 && d->r.nfields != d->ncols)
		return tc_fault_setf(
		        d->f, d->a, TC_ERR_IO, "file",
		        "%s line %zu column %zu: %zu fields, the header has %zu", d->file,
		        tc_datacsv_line(d),
		        (d->r.nfields < d->ncols ? d->r.nfields : d->ncols) + 1,
		        d->r.nfields, d->ncols);
	return TC_ERR_OK;
}

void tc_datacsv_cleanup(struct tc_datacsv *d)
{
	tc_csv_cleanup(&d->r);
}

size_t tc_datacsv_line(const struct tc_datacsv *d)
{
	return d->r.line + d->skipped;
}

const struct tc_csv_field *tc_datacsv_field(const struct tc_datacsv *d, int c)
{
	return &d->r.fields[d->pos[c]];
}

bool tc_datacsv_is(const struct tc_csv_field *v, const char *s)
{
	return strlen(s) == v->n && memcmp(s, v->s, v->n) == 0;
}

tc_err tc_datacsv_fail(struct tc_datacsv *d, int c, const char *why, const char *value)
{
	return tc_fault_setf(d->f, d->a, TC_ERR_IO, "file",
	                     "%s line %zu column %d (%s): %s%s%.40s%s", d->file,
	                     tc_datacsv_line(d), d->pos[c] + 1, d->names[c], why,
	                     value ? " '" : "", value ? value : "", value ? "'" : "");
}

tc_err tc_datacsv_number(struct tc_datacsv *d, int c, bool required, int64_t min,
                         int64_t max, int64_t *out)
{
	const struct tc_csv_field *v = tc_datacsv_field(d, c);

	if (v->n == 0)
		return required ? tc_datacsv_fail(d, c, "a value is required", NULL)
		                : TC_ERR_OK;
	if (strlen(v->s) != v->n || !tc_parse_i64(v->s, min, max, out))
		return tc_fault_setf(d->f, d->a, TC_ERR_IO, "file",
		                     "%s line %zu column %d (%s): '%.20s' is not a whole "
		                     "number from %lld to %lld",
		                     d->file, tc_datacsv_line(d), d->pos[c] + 1,
		                     d->names[c], v->s, (long long)min, (long long)max);
	return TC_ERR_OK;
}
