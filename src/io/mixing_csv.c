#include "mixing_csv.h"

#include <string.h>

#include "../core/arena.h"
#include "csv.h"
#include "units_csv.h"

#define FILE_NAME TC_MIXING_CSV_FILE
#define MAX_DAYS  730

enum col { C_KIND, C_AFTER, C_THEN, C_MIN_DAYS, C_SOURCE, NCOLS };

static const char *const column_names[NCOLS] = {
	[C_KIND] = "kind",         [C_AFTER] = "after",   [C_THEN] = "then",
	[C_MIN_DAYS] = "min_days", [C_SOURCE] = "source",
};

static const char *const kinds[] = {
	[TC_MIX_PRIMARY] = "primary",
	[TC_MIX_BOOSTER] = "booster",
	[TC_MIX_BOOSTER2] = "booster2",
};

struct reader {
	struct tc_csv r;
	size_t skipped; /* comment lines before the header */
	int pos[NCOLS]; /* the column's index in a row */
	size_t ncols;   /* fields in the header */
	struct tc_arena *a;
	struct tc_fault *f;
};

static size_t line_of(const struct reader *rd)
{
	return rd->r.line + rd->skipped;
}

static tc_err fail_at(struct reader *rd, enum col c, const char *why, const char *value)
{
	return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
	                     FILE_NAME " line %zu column %d (%s): %s%s%.40s%s",
	                     line_of(rd), rd->pos[c] + 1, column_names[c], why,
	                     value ? " '" : "", value ? value : "", value ? "'" : "");
}

static const struct tc_csv_field *field(const struct reader *rd, enum col c)
{
	return &rd->r.fields[rd->pos[c]];
}

static bool field_is(const struct tc_csv_field *v, const char *s)
{
	return strlen(s) == v->n && memcmp(s, v->s, v->n) == 0;
}

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

static tc_err read_header(struct reader *rd)
{
	int got = tc_csv_next(&rd->r);

	if (got != 1) /* the reader counts no line in an empty input */
		return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
		                     FILE_NAME " line %zu: %s",
		                     (rd->r.line ? rd->r.line : 1) + rd->skipped,
		                     got < 0 ? rd->r.error : "no header row");
	for (int c = 0; c < NCOLS; c++)
		rd->pos[c] = -1;
	rd->ncols = rd->r.nfields;
	for (size_t i = 0; i < rd->r.nfields; i++) {
		const struct tc_csv_field *h = &rd->r.fields[i];
		int c = 0;
		while (c < NCOLS && !field_is(h, column_names[c]))
			c++;
		if (c == NCOLS || rd->pos[c] >= 0)
			return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
			                     FILE_NAME
			                     " line %zu column %zu: %s column '%.40s'",
			                     line_of(rd), i + 1,
			                     c == NCOLS ? "unknown" : "repeated", h->s);
		rd->pos[c] = (int)i;
	}
	for (int c = 0; c < NCOLS; c++)
		if (rd->pos[c] < 0)
			return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
			                     FILE_NAME
			                     " line %zu: the header has no column %s",
			                     line_of(rd), column_names[c]);
	return TC_ERR_OK;
}

/* A side of a rule: "*", a platform, a code of the list, or (then in a
 * booster row) "=". The value is copied to the arena. */
static tc_err read_side(struct reader *rd, enum col c, bool same_ok,
                        const char *const *codes, size_t ncodes, const char **out)
{
	const struct tc_csv_field *v = field(rd, c);
	bool ok = strlen(v->s) == v->n &&
	          (field_is(v, "*") || (same_ok && field_is(v, "=")) ||
	           tc_sched_platform_known(v->s));

	for (size_t i = 0; !ok && i < ncodes; i++)
		ok = field_is(v, codes[i]);
	if (!ok)
		return fail_at(rd, c,
		               c == C_THEN && same_ok
		                       ? "not a product code, a platform, * or =:"
		                       : "not a product code, a platform or *:",
		               v->s);
	*out = tc_arena_strndup(rd->a, v->s, v->n);
	return TC_ERR_OK;
}

static tc_err read_row(struct reader *rd, const char *const *codes, size_t ncodes,
                       const struct tc_mix_rule *prev, size_t nprev,
                       struct tc_mix_rule *out)
{
	const struct tc_csv_field *v;
	struct tc_mix_rule m = { .min_days = -1 };
	size_t k;
	tc_err rc;

	if (rd->r.nfields != rd->ncols)
		return tc_fault_setf(
		        rd->f, rd->a, TC_ERR_IO, "file",
		        FILE_NAME " line %zu column %zu: %zu fields, the header has %zu",
		        line_of(rd),
		        (rd->r.nfields < rd->ncols ? rd->r.nfields : rd->ncols) + 1,
		        rd->r.nfields, rd->ncols);
	v = field(rd, C_KIND);
	for (k = 0; k < TC_ARRAY_LEN(kinds); k++)
		if (field_is(v, kinds[k]))
			break;
	if (k == TC_ARRAY_LEN(kinds))
		return fail_at(rd, C_KIND,
		               "not one of primary, booster, booster2:", v->s);
	m.kind = (enum tc_mix_kind)k;
	if ((rc = read_side(rd, C_AFTER, false, codes, ncodes, &m.after)) != TC_ERR_OK)
		return rc;
	if ((rc = read_side(rd, C_THEN, m.kind != TC_MIX_PRIMARY, codes, ncodes,
	                    &m.then)) != TC_ERR_OK)
		return rc;
	if (m.kind == TC_MIX_PRIMARY && strcmp(m.after, m.then) == 0 &&
	    strcmp(m.after, "*") != 0)
		return fail_at(
		        rd, C_THEN,
		        "a product continues its own series without a rule:", m.then);
	v = field(rd, C_MIN_DAYS);
	if (v->n != 0 &&
	    (strlen(v->s) != v->n || !tc_parse_i64(v->s, 1, MAX_DAYS, &m.min_days)))
		return fail_at(rd, C_MIN_DAYS,
		               "not empty or a whole number from 1 to 730:", v->s);
	v = field(rd, C_SOURCE);
	if (v->n == 0)
		return fail_at(rd, C_SOURCE, "a value is required", NULL);
	for (size_t i = 0; i < nprev; i++)
		if (prev[i].kind == m.kind && strcmp(prev[i].after, m.after) == 0 &&
		    strcmp(prev[i].then, m.then) == 0)
			return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
			                     FILE_NAME
			                     " line %zu: a second %s row for %.40s "
			                     "then %.40s",
			                     line_of(rd), kinds[m.kind], m.after, m.then);
	*out = m;
	return TC_ERR_OK;
}

tc_err tc_mixing_csv_parse(const char *csv, size_t len, const char *const *codes,
                           size_t ncodes, struct tc_arena *a, struct tc_mix_rule **out,
                           size_t *n, struct tc_fault *f)
{
	const char *p = csv, *end = csv + len;
	struct reader rd = { .a = a, .f = f };
	struct tc_mix_rule *rules = NULL;
	size_t nrules = 0, cap = 0;
	int got;
	tc_err rc = TC_ERR_OK;

	*out = NULL;
	*n = 0;
	rd.skipped = skip_comments(&p, end);
	tc_csv_init(&rd.r, p, (size_t)(end - p));
	if ((rc = read_header(&rd)) != TC_ERR_OK)
		goto out;
	while ((got = tc_csv_next(&rd.r)) == 1) {
		if (rd.r.nfields == 1 && rd.r.fields[0].n == 0)
			continue; /* blank line */
		if (nrules == cap) {
			struct tc_mix_rule *grown;
			cap = cap ? 2 * cap : 32;
			grown = TC_NEWN(a, struct tc_mix_rule, cap);
			if (nrules)
				memcpy(grown, rules, nrules * sizeof(*rules));
			rules = grown;
		}
		rc = read_row(&rd, codes, ncodes, rules, nrules, &rules[nrules]);
		if (rc != TC_ERR_OK)
			goto out;
		nrules++;
	}
	if (got < 0) {
		rc = tc_fault_setf(f, a, TC_ERR_IO, "file", FILE_NAME " line %zu: %s",
		                   line_of(&rd), rd.r.error);
		goto out;
	}
	*out = rules ? rules : TC_NEWN(a, struct tc_mix_rule, 1);
	*n = nrules;
out:
	tc_csv_cleanup(&rd.r);
	return rc;
}

tc_err tc_mixing_csv_load(const char *data_dir, const char *const *codes, size_t ncodes,
                          struct tc_arena *a, struct tc_mix_rule **out, size_t *n,
                          struct tc_fault *f)
{
	char *csv;
	size_t len;
	tc_err rc;

	*out = NULL;
	*n = 0;
	rc = tc_read_file(tc_arena_printf(a, "%s/vaccines/" FILE_NAME, data_dir),
	                  1u << 20, a, &csv, &len, f);
	if (rc != TC_ERR_OK)
		return rc;
	return tc_mixing_csv_parse(csv, len, codes, ncodes, a, out, n, f);
}
