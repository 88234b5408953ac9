#include "screening_csv.h"

#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/jspec.h"
#include "../crypto/secret.h"
#include "datacsv.h"
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

/* The header's names in each file; NULL: not in that file. */
static const char *const item_names[NCOLS] = {
	[C_ORDER] = "order",
	[C_CODE] = "code",
	[C_APPLIES] = "applies_to",
	[C_ANSWER] = "answer",
	[C_OUTCOME] = "outcome",
	[C_POSTPONE] = "postpone_days",
	[C_OBSERVE] = "observe_minutes",
	[C_TEXT_VI] = "question_vi",
	[C_TEXT_EN] = "question_en",
	[C_SOURCE] = "source",
};

static const char *const limit_names[NCOLS] = {
	[C_ORDER] = "order",
	[C_CODE] = "code",
	[C_MEASURE] = "measure",
	[C_OP] = "op",
	[C_VALUE] = "value",
	[C_OUTCOME] = "outcome",
	[C_POSTPONE] = "postpone_days",
	[C_OBSERVE] = "observe_minutes",
	[C_TEXT_VI] = "text_vi",
	[C_TEXT_EN] = "text_en",
	[C_SOURCE] = "source",
};

/* One row's values common to both files. */
struct common {
	int order;
	const char *code;
	enum tc_screen_outcome outcome;
	int postpone_days, observe_minutes;
	const char *text_vi, *text_en, *source;
};

/* A whole number in [min, max]; an empty field is 0, or refused when
 * `required`. */
static tc_err read_int(struct tc_datacsv *d, enum col c, bool required, int min, int max,
                       int *out)
{
	int64_t n = 0;
	tc_err rc = tc_datacsv_number(d, c, required, min, max, &n);

	*out = (int)n;
	return rc;
}

/* Text shown to people: non-empty UTF-8 on one line, not too long. */
static tc_err read_text(struct tc_datacsv *d, enum col c, const char **out)
{
	const struct tc_csv_field *v = tc_datacsv_field(d, c);
	long cps = strlen(v->s) == v->n ? tc_utf8_check(v->s, v->n, false) : -1;

	if (v->n == 0)
		return tc_datacsv_fail(d, c, "a value is required", NULL);
	if (cps < 0)
		return tc_datacsv_fail(d, c, "not UTF-8 text on one line", NULL);
	if (cps > MAX_TEXT)
		return tc_datacsv_fail(d, c, "longer than 600 characters", NULL);
	*out = tc_arena_strndup(d->a, v->s, v->n);
	return TC_ERR_OK;
}

static tc_err read_code(struct tc_datacsv *d, const char **out)
{
	const struct tc_csv_field *v = tc_datacsv_field(d, C_CODE);

	if (v->n == 0 || v->n > MAX_CODE)
		return tc_datacsv_fail(d, C_CODE, "must be 1 to 48 characters", NULL);
	for (size_t i = 0; i < v->n; i++)
		if (!((v->s[i] >= 'a' && v->s[i] <= 'z') ||
		      (v->s[i] >= '0' && v->s[i] <= '9') || v->s[i] == '_'))
			return tc_datacsv_fail(
			        d, C_CODE, "only a-z, 0-9 and _ are allowed in", v->s);
	if (tc_datacsv_is(v, TC_SCREEN_AGE_CODE) ||
	    tc_datacsv_is(v, TC_SCREEN_CONSENT_CODE))
		return tc_datacsv_fail(d, C_CODE,
		                       "reserved for the program's own reasons:", v->s);
	*out = tc_arena_strndup(d->a, v->s, v->n);
	return TC_ERR_OK;
}

static tc_err read_common(struct tc_datacsv *d, struct common *x)
{
	const struct tc_csv_field *v;
	tc_err rc;

	if ((rc = read_int(d, C_ORDER, true, 1, MAX_ROWS, &x->order)) ||
	    (rc = read_code(d, &x->code)))
		return rc;
	v = tc_datacsv_field(d, C_OUTCOME);
	if (strlen(v->s) != v->n || !tc_screen_outcome_parse(v->s, &x->outcome) ||
	    x->outcome == TC_SCREEN_ELIGIBLE || x->outcome == TC_SCREEN_NEEDS_CONSENT)
		return tc_datacsv_fail(
		        d, C_OUTCOME,
		        "not one of contraindicated, refer, postpone, caution:", v->s);
	if (x->outcome == TC_SCREEN_POSTPONE) {
		if ((rc = read_int(d, C_POSTPONE, true, 0, MAX_WAIT_DAYS,
		                   &x->postpone_days)))
			return rc;
	} else if (tc_datacsv_field(d, C_POSTPONE)->n != 0) {
		return tc_datacsv_fail(d, C_POSTPONE,
		                       "must be empty unless the outcome is postpone",
		                       NULL);
	}
	if ((rc = read_int(d, C_OBSERVE, false, TC_SCREEN_OBSERVE_MINUTES + 1,
	                   MAX_OBSERVE, &x->observe_minutes)) ||
	    (rc = read_text(d, C_TEXT_VI, &x->text_vi)) ||
	    (rc = read_text(d, C_TEXT_EN, &x->text_en)) ||
	    (rc = read_text(d, C_SOURCE, &x->source)))
		return rc;
	return TC_ERR_OK;
}

static tc_err read_item(struct tc_datacsv *d, struct tc_screen_item *it)
{
	const struct tc_csv_field *v;
	struct common x = { 0 };
	tc_err rc;

	if ((rc = read_common(d, &x)))
		return rc;
	v = tc_datacsv_field(d, C_APPLIES);
	if (strlen(v->s) != v->n || !tc_screen_applies_parse(v->s, &it->applies))
		return tc_datacsv_fail(d, C_APPLIES,
		                       "not one of all, female, minor, adult:", v->s);
	v = tc_datacsv_field(d, C_ANSWER);
	if (!tc_datacsv_is(v, "yes_no"))
		return tc_datacsv_fail(d, C_ANSWER,
		                       "not yes_no (the only kind of answer):", v->s);
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

static tc_err read_limit(struct tc_datacsv *d, struct tc_screen_limit *l)
{
	const struct tc_csv_field *v;
	struct common x = { 0 };
	int min, max;
	tc_err rc;

	if ((rc = read_common(d, &x)))
		return rc;
	v = tc_datacsv_field(d, C_MEASURE);
	if (strlen(v->s) != v->n || !tc_screen_measure_parse(v->s, &l->measure))
		return tc_datacsv_fail(
		        d, C_MEASURE,
		        "not one of temperature, systolic, diastolic, pulse:", v->s);
	v = tc_datacsv_field(d, C_OP);
	if (strlen(v->s) != v->n || !tc_screen_cmp_parse(v->s, &l->cmp))
		return tc_datacsv_fail(d, C_OP, "not one of lt, le, gt, ge:", v->s);
	tc_screen_measure_range(l->measure, &min, &max);
	if (l->measure == TC_SCREEN_TEMPERATURE) {
		if (!parse_tenths(tc_datacsv_field(d, C_VALUE), min, max, &l->value))
			return tc_datacsv_fail(
			        d, C_VALUE,
			        "not a temperature from 30.0 to 45.0 (one decimal at "
			        "most):",
			        tc_datacsv_field(d, C_VALUE)->s);
	} else if ((rc = read_int(d, C_VALUE, true, min, max, &l->value))) {
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
static tc_err check_unique(struct tc_datacsv *d, const char *code, int order,
                           const char *const *codes, size_t ncodes, const int *orders,
                           size_t norders)
{
	for (size_t i = 0; i < ncodes; i++)
		if (strcmp(codes[i], code) == 0)
			return tc_datacsv_fail(d, C_CODE, "a second row for",
			                       tc_datacsv_field(d, C_CODE)->s);
	for (size_t i = 0; i < norders; i++)
		if (orders[i] == order)
			return tc_datacsv_fail(d, C_ORDER, "a second row with order",
			                       tc_datacsv_field(d, C_ORDER)->s);
	return TC_ERR_OK;
}

/* Reads one file's rows (kind ITEMS or LIMITS) into an array of its
 * records. `codes` holds the codes seen so far (of both files) and grows. */
static tc_err read_file(struct tc_datacsv *d, int kind, const char *text, size_t len,
                        void **rows, size_t *nrows, const char **codes, size_t *ncodes)
{
	size_t size = kind == ITEMS ? sizeof(struct tc_screen_item)
	                            : sizeof(struct tc_screen_limit);
	char *out = tc_arena_zalloc(d->a, size * MAX_ROWS);
	int *orders = TC_NEWN(d->a, int, MAX_ROWS);
	size_t n = 0;
	bool more;
	tc_err rc;

	rc = kind == ITEMS ? tc_datacsv_open(d, TC_SCREEN_ITEMS_FILE, text, len,
	                                     item_names, NCOLS, d->a, d->f)
	                   : tc_datacsv_open(d, TC_SCREEN_LIMITS_FILE, text, len,
	                                     limit_names, NCOLS, d->a, d->f);
	while (rc == TC_ERR_OK && (rc = tc_datacsv_next(d, &more)) == TC_ERR_OK && more) {
		void *row = out + n * size;
		const char *code;
		int order;

		if (n == MAX_ROWS)
			return tc_fault_setf(d->f, d->a, TC_ERR_IO, "file",
			                     "%s line %zu: more than %d rows", d->file,
			                     tc_datacsv_line(d), MAX_ROWS);
		if (kind == ITEMS) {
			struct tc_screen_item *it = row;
			rc = read_item(d, it);
			code = it->code;
			order = it->order;
		} else {
			struct tc_screen_limit *l = row;
			rc = read_limit(d, l);
			code = l->code;
			order = l->order;
		}
		if (rc || (rc = check_unique(d, code, order, codes, *ncodes, orders, n)))
			return rc;
		codes[(*ncodes)++] = code;
		orders[n++] = order;
	}
	if (rc)
		return rc;
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
	struct tc_datacsv di = { .a = a, .f = f }, dl = { .a = a, .f = f };
	const char **codes = TC_NEWN(a, const char *, 2 * MAX_ROWS);
	size_t ncodes = 0, ni = 0, nl = 0;
	void *it = NULL, *li = NULL;
	tc_err rc;

	memset(out, 0, sizeof(*out));
	rc = read_file(&di, ITEMS, items, nitems, &it, &ni, codes, &ncodes);
	if (rc == TC_ERR_OK && ni == 0)
		rc = tc_fault_set(f, TC_ERR_IO, "file",
		                  TC_SCREEN_ITEMS_FILE ": no questions after the header");
	if (rc == TC_ERR_OK)
		rc = read_file(&dl, LIMITS, limits, nlimits, &li, &nl, codes, &ncodes);
	tc_datacsv_cleanup(&di);
	tc_datacsv_cleanup(&dl);
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
