#include "screening_csv.h"

#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/jspec.h"
#include "../crypto/secret.h"
#include "csv.h"
#include "units_csv.h"

#define MAX_ROWS      999 /* orders are 1..999 and unique */
#define MAX_CODE      48
#define MAX_TEXT      600 /* code points of a question or a reason */
#define MAX_WAIT_DAYS 365
#define MAX_OBSERVE   240

/* The columns of both files; each file has a subset (`in`). */
enum col {
	C_ORDER,
	C_CODE,
	C_APPLIES,
	C_ANSWER,
	C_MEASURE,
	C_OP,
	C_VALUE,
	C_OUTCOME,
	C_POSTPONE,
	C_OBSERVE,
	C_TEXT_VI,
	C_TEXT_EN,
	C_SOURCE,
	NCOLS
};

enum { ITEMS = 1, LIMITS = 2 };

static const struct column {
	const char *item_name, *limit_name; /* the header's name in each file */
} columns[NCOLS] = {
	[C_ORDER] = { "order", "order" },
	[C_CODE] = { "code", "code" },
	[C_APPLIES] = { "applies_to", NULL },
	[C_ANSWER] = { "answer", NULL },
	[C_MEASURE] = { NULL, "measure" },
	[C_OP] = { NULL, "op" },
	[C_VALUE] = { NULL, "value" },
	[C_OUTCOME] = { "outcome", "outcome" },
	[C_POSTPONE] = { "postpone_days", "postpone_days" },
	[C_OBSERVE] = { "observe_minutes", "observe_minutes" },
	[C_TEXT_VI] = { "question_vi", "text_vi" },
	[C_TEXT_EN] = { "question_en", "text_en" },
	[C_SOURCE] = { "source", "source" },
};

struct reader {
	const char *file;
	int kind; /* ITEMS or LIMITS */
	struct tc_csv r;
	size_t skipped; /* comment lines before the header */
	int pos[NCOLS]; /* the column's index in a row, -1 if not in this file */
	size_t ncols;   /* fields in the header */
	struct tc_arena *a;
	struct tc_fault *f;
};

/* One row's values common to both files. */
struct common {
	int order;
	const char *code;
	enum tc_screen_outcome outcome;
	int postpone_days, observe_minutes;
	const char *text_vi, *text_en, *source;
};

static const char *col_name(const struct reader *rd, enum col c)
{
	return rd->kind == ITEMS ? columns[c].item_name : columns[c].limit_name;
}

static size_t line(const struct reader *rd)
{
	return rd->r.line + rd->skipped;
}

static tc_err fail_at(struct reader *rd, enum col c, const char *why,
                      const struct tc_csv_field *v)
{
	return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
	                     "%s line %zu column %d (%s): %s%s%.40s%s", rd->file,
	                     line(rd), rd->pos[c] + 1, col_name(rd, c), why,
	                     v ? " '" : "", v ? v->s : "", v ? "'" : "");
}

static const struct tc_csv_field *field(const struct reader *rd, enum col c)
{
	return &rd->r.fields[rd->pos[c]];
}

static bool is(const struct tc_csv_field *v, const char *s)
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
		return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file", "%s line %zu: %s",
		                     rd->file,
		                     (rd->r.line ? rd->r.line : 1) + rd->skipped,
		                     got < 0 ? rd->r.error : "no header row");
	for (int c = 0; c < NCOLS; c++)
		rd->pos[c] = -1;
	rd->ncols = rd->r.nfields;
	for (size_t i = 0; i < rd->r.nfields; i++) {
		const struct tc_csv_field *h = &rd->r.fields[i];
		int c = 0;
		while (c < NCOLS &&
		       !(col_name(rd, (enum col)c) && is(h, col_name(rd, (enum col)c))))
			c++;
		if (c == NCOLS || rd->pos[c] >= 0)
			return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
			                     "%s line %zu column %zu: %s column '%.40s'",
			                     rd->file, line(rd), i + 1,
			                     c == NCOLS ? "unknown" : "repeated", h->s);
		rd->pos[c] = (int)i;
	}
	for (int c = 0; c < NCOLS; c++)
		if (col_name(rd, (enum col)c) && rd->pos[c] < 0)
			return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
			                     "%s line %zu: the header has no column %s",
			                     rd->file, line(rd),
			                     col_name(rd, (enum col)c));
	return TC_ERR_OK;
}

/* A whole number in [min, max]; an empty field is 0, or refused when
 * `required`. */
static tc_err read_int(struct reader *rd, enum col c, bool required, int min, int max,
                       int *out)
{
	const struct tc_csv_field *v = field(rd, c);
	int64_t n;

	*out = 0;
	if (v->n == 0) {
		if (required)
			return fail_at(rd, c, "a value is required", NULL);
		return TC_ERR_OK;
	}
	if (strlen(v->s) != v->n || !tc_parse_i64(v->s, min, max, &n))
		return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
		                     "%s line %zu column %d (%s): '%.20s' is not a whole "
		                     "number from %d to %d",
		                     rd->file, line(rd), rd->pos[c] + 1, col_name(rd, c),
		                     v->s, min, max);
	*out = (int)n;
	return TC_ERR_OK;
}

/* Text shown to people: non-empty UTF-8 on one line, not too long. */
static tc_err read_text(struct reader *rd, enum col c, const char **out)
{
	const struct tc_csv_field *v = field(rd, c);
	long cps = strlen(v->s) == v->n ? tc_utf8_check(v->s, v->n, false) : -1;

	if (v->n == 0)
		return fail_at(rd, c, "a value is required", NULL);
	if (cps < 0)
		return fail_at(rd, c, "not UTF-8 text on one line", NULL);
	if (cps > MAX_TEXT)
		return fail_at(rd, c, "longer than 600 characters", NULL);
	*out = tc_arena_strndup(rd->a, v->s, v->n);
	return TC_ERR_OK;
}

static tc_err read_code(struct reader *rd, const char **out)
{
	const struct tc_csv_field *v = field(rd, C_CODE);

	if (v->n == 0 || v->n > MAX_CODE)
		return fail_at(rd, C_CODE, "must be 1 to 48 characters", NULL);
	for (size_t i = 0; i < v->n; i++)
		if (!((v->s[i] >= 'a' && v->s[i] <= 'z') ||
		      (v->s[i] >= '0' && v->s[i] <= '9') || v->s[i] == '_'))
			return fail_at(rd, C_CODE, "only a-z, 0-9 and _ are allowed in",
			               v);
	if (is(v, TC_SCREEN_AGE_CODE) || is(v, TC_SCREEN_CONSENT_CODE))
		return fail_at(rd, C_CODE, "reserved for the program's own reasons:", v);
	*out = tc_arena_strndup(rd->a, v->s, v->n);
	return TC_ERR_OK;
}

static tc_err read_common(struct reader *rd, struct common *x)
{
	const struct tc_csv_field *v;
	tc_err rc;

	if ((rc = read_int(rd, C_ORDER, true, 1, MAX_ROWS, &x->order)) ||
	    (rc = read_code(rd, &x->code)))
		return rc;
	v = field(rd, C_OUTCOME);
	if (strlen(v->s) != v->n || !tc_screen_outcome_parse(v->s, &x->outcome) ||
	    x->outcome == TC_SCREEN_ELIGIBLE || x->outcome == TC_SCREEN_NEEDS_CONSENT)
		return fail_at(
		        rd, C_OUTCOME,
		        "not one of contraindicated, refer, postpone, caution:", v);
	if (x->outcome == TC_SCREEN_POSTPONE) {
		if ((rc = read_int(rd, C_POSTPONE, true, 0, MAX_WAIT_DAYS,
		                   &x->postpone_days)))
			return rc;
	} else if (field(rd, C_POSTPONE)->n != 0) {
		return fail_at(rd, C_POSTPONE,
		               "must be empty unless the outcome is postpone", NULL);
	}
	if ((rc = read_int(rd, C_OBSERVE, false, TC_SCREEN_OBSERVE_MINUTES + 1,
	                   MAX_OBSERVE, &x->observe_minutes)) ||
	    (rc = read_text(rd, C_TEXT_VI, &x->text_vi)) ||
	    (rc = read_text(rd, C_TEXT_EN, &x->text_en)) ||
	    (rc = read_text(rd, C_SOURCE, &x->source)))
		return rc;
	return TC_ERR_OK;
}

static tc_err read_item(struct reader *rd, struct tc_screen_item *it)
{
	const struct tc_csv_field *v;
	struct common x = { 0 };
	tc_err rc;

	if ((rc = read_common(rd, &x)))
		return rc;
	v = field(rd, C_APPLIES);
	if (strlen(v->s) != v->n || !tc_screen_applies_parse(v->s, &it->applies))
		return fail_at(rd, C_APPLIES, "not one of all, female, minor, adult:", v);
	v = field(rd, C_ANSWER);
	if (!is(v, "yes_no"))
		return fail_at(rd, C_ANSWER, "not yes_no (the only kind of answer):", v);
	it->order = x.order;
	it->code = x.code;
	it->outcome = x.outcome;
	it->postpone_days = x.postpone_days;
	it->observe_minutes = x.observe_minutes;
	it->question_vi = x.text_vi;
	it->question_en = x.text_en;
	it->source = x.source;
	return TC_ERR_OK;
}

/* A temperature in °C with at most one decimal ("37.5", "38"), in tenths. */
static bool parse_tenths(const struct tc_csv_field *v, int min, int max, int *out)
{
	const char *dot = memchr(v->s, '.', v->n);
	int64_t whole, tenth = 0;
	char buf[8];

	if (v->n == 0 || v->n >= sizeof(buf) || strlen(v->s) != v->n)
		return false;
	memcpy(buf, v->s, v->n);
	buf[v->n] = '\0';
	if (dot) {
		size_t at = (size_t)(dot - v->s);
		if (at == 0 || at + 2 != v->n || buf[at + 1] < '0' || buf[at + 1] > '9')
			return false;
		tenth = buf[at + 1] - '0';
		buf[at] = '\0';
	}
	if (buf[0] < '0' || buf[0] > '9' || !tc_parse_i64(buf, 0, 100, &whole) ||
	    whole * 10 + tenth < min || whole * 10 + tenth > max)
		return false;
	*out = (int)(whole * 10 + tenth);
	return true;
}

static tc_err read_limit(struct reader *rd, struct tc_screen_limit *l)
{
	const struct tc_csv_field *v;
	struct common x = { 0 };
	int min, max;
	tc_err rc;

	if ((rc = read_common(rd, &x)))
		return rc;
	v = field(rd, C_MEASURE);
	if (strlen(v->s) != v->n || !tc_screen_measure_parse(v->s, &l->measure))
		return fail_at(rd, C_MEASURE,
		               "not one of temperature, systolic, diastolic, pulse:", v);
	v = field(rd, C_OP);
	if (strlen(v->s) != v->n || !tc_screen_cmp_parse(v->s, &l->cmp))
		return fail_at(rd, C_OP, "not one of lt, le, gt, ge:", v);
	tc_screen_measure_range(l->measure, &min, &max);
	if (l->measure == TC_SCREEN_TEMPERATURE) {
		if (!parse_tenths(field(rd, C_VALUE), min, max, &l->value))
			return fail_at(
			        rd, C_VALUE,
			        "not a temperature from 30.0 to 45.0 (one decimal at "
			        "most):",
			        field(rd, C_VALUE));
	} else if ((rc = read_int(rd, C_VALUE, true, min, max, &l->value))) {
		return rc;
	}
	l->order = x.order;
	l->code = x.code;
	l->outcome = x.outcome;
	l->postpone_days = x.postpone_days;
	l->observe_minutes = x.observe_minutes;
	l->text_vi = x.text_vi;
	l->text_en = x.text_en;
	l->source = x.source;
	return TC_ERR_OK;
}

/* Whether `code` or `order` was already used: codes across both files,
 * orders within this one (codes[0..n), orders[0..n) of this file). */
static tc_err check_unique(struct reader *rd, const char *code, int order,
                           const char *const *codes, size_t ncodes, const int *orders,
                           size_t norders)
{
	for (size_t i = 0; i < ncodes; i++)
		if (strcmp(codes[i], code) == 0)
			return fail_at(rd, C_CODE, "a second row for", field(rd, C_CODE));
	for (size_t i = 0; i < norders; i++)
		if (orders[i] == order)
			return fail_at(rd, C_ORDER, "a second row with order",
			               field(rd, C_ORDER));
	return TC_ERR_OK;
}

/* Reads one file's rows into an array of `size`-byte records. `codes`
 * holds the codes seen so far (of both files) and grows. */
static tc_err read_file(struct reader *rd, const char *text, size_t len, size_t size,
                        void **rows, size_t *nrows, const char **codes, size_t *ncodes)
{
	const char *p = text, *end = text + len;
	char *out = tc_arena_zalloc(rd->a, size * MAX_ROWS);
	int *orders = TC_NEWN(rd->a, int, MAX_ROWS);
	size_t n = 0;
	int got;
	tc_err rc;

	rd->skipped = skip_comments(&p, end);
	tc_csv_init(&rd->r, p, (size_t)(end - p));
	if ((rc = read_header(rd)))
		return rc;
	while ((got = tc_csv_next(&rd->r)) == 1) {
		void *row = out + n * size;
		const char *code;
		int order;

		if (rd->r.nfields == 1 && rd->r.fields[0].n == 0)
			continue; /* blank line */
		if (rd->r.nfields != rd->ncols)
			return tc_fault_setf(
			        rd->f, rd->a, TC_ERR_IO, "file",
			        "%s line %zu column %zu: %zu fields, the header has %zu",
			        rd->file, line(rd),
			        (rd->r.nfields < rd->ncols ? rd->r.nfields : rd->ncols) +
			                1,
			        rd->r.nfields, rd->ncols);
		if (n == MAX_ROWS)
			return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
			                     "%s line %zu: more than %d rows", rd->file,
			                     line(rd), MAX_ROWS);
		if (rd->kind == ITEMS) {
			struct tc_screen_item *it = row;
			rc = read_item(rd, it);
			code = it->code;
			order = it->order;
		} else {
			struct tc_screen_limit *l = row;
			rc = read_limit(rd, l);
			code = l->code;
			order = l->order;
		}
		if (rc || (rc = check_unique(rd, code, order, codes, *ncodes, orders, n)))
			return rc;
		codes[(*ncodes)++] = code;
		orders[n++] = order;
	}
	if (got < 0)
		return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file", "%s line %zu: %s",
		                     rd->file, line(rd), rd->r.error);
	*rows = out;
	*nrows = n;
	return TC_ERR_OK;
}

static int by_item_order(const void *x, const void *y)
{
	const struct tc_screen_item *a = x, *b = y;
	return (a->order > b->order) - (a->order < b->order);
}

static int by_limit_order(const void *x, const void *y)
{
	const struct tc_screen_limit *a = x, *b = y;
	return (a->order > b->order) - (a->order < b->order);
}

tc_err tc_screen_csv_parse(const char *items, size_t nitems, const char *limits,
                           size_t nlimits, struct tc_arena *a,
                           struct tc_screen_checklist *out, struct tc_fault *f)
{
	struct reader ri = {
		.file = TC_SCREEN_ITEMS_FILE, .kind = ITEMS, .a = a, .f = f
	};
	struct reader rl = {
		.file = TC_SCREEN_LIMITS_FILE, .kind = LIMITS, .a = a, .f = f
	};
	const char **codes = TC_NEWN(a, const char *, 2 * MAX_ROWS);
	size_t ncodes = 0, ni = 0, nl = 0;
	void *it = NULL, *li = NULL;
	tc_err rc;

	memset(out, 0, sizeof(*out));
	rc = read_file(&ri, items, nitems, sizeof(struct tc_screen_item), &it, &ni, codes,
	               &ncodes);
	if (rc == TC_ERR_OK && ni == 0)
		rc = tc_fault_set(f, TC_ERR_IO, "file",
		                  TC_SCREEN_ITEMS_FILE ": no questions after the header");
	if (rc == TC_ERR_OK)
		rc = read_file(&rl, limits, nlimits, sizeof(struct tc_screen_limit), &li,
		               &nl, codes, &ncodes);
	tc_csv_cleanup(&ri.r);
	tc_csv_cleanup(&rl.r);
	if (rc != TC_ERR_OK)
		return rc;
	qsort(it, ni, sizeof(struct tc_screen_item), by_item_order);
	if (nl)
		qsort(li, nl, sizeof(struct tc_screen_limit), by_limit_order);
	out->items = it;
	out->nitems = ni;
	out->limits = li;
	out->nlimits = nl;
	return TC_ERR_OK;
}

tc_err tc_screen_csv_load(const char *dir, struct tc_arena *a,
                          struct tc_screen_checklist *out, const char **sha256,
                          struct tc_fault *f)
{
	char *items, *limits, sha_i[TC_SHA256_HEX], sha_l[TC_SHA256_HEX];
	char *hex = tc_arena_alloc(a, TC_SHA256_HEX);
	size_t ni, nl;
	struct tc_sha256 *h;
	tc_err rc;

	rc = tc_read_file(tc_arena_printf(a, "%s/" TC_SCREEN_ITEMS_FILE, dir), 1u << 20,
	                  a, &items, &ni, f);
	if (rc == TC_ERR_OK)
		rc = tc_read_file(tc_arena_printf(a, "%s/" TC_SCREEN_LIMITS_FILE, dir),
		                  1u << 20, a, &limits, &nl, f);
	if (rc != TC_ERR_OK)
		return rc;
	/* One fingerprint over the two: a change to either reloads them. */
	tc_sha256_hex(items, ni, sha_i);
	tc_sha256_hex(limits, nl, sha_l);
	h = tc_sha256_begin();
	tc_sha256_update(h, sha_i, strlen(sha_i));
	tc_sha256_update(h, sha_l, strlen(sha_l));
	tc_sha256_end(h, hex);
	*sha256 = hex;
	return tc_screen_csv_parse(items, ni, limits, nl, a, out, f);
}
