#include "schedule.h"

#include <string.h>

#include "../core/arena.h"
#include "../core/tctime.h"
#include "../core/util.h"
#include "appointment.h"

static const char *const platforms[] = { "mrna", "viral_vector", "inactivated",
	                                 "protein_subunit", "other" };

bool tc_sched_platform_known(const char *s)
{
	for (size_t i = 0; i < TC_ARRAY_LEN(platforms); i++)
		if (strcmp(s, platforms[i]) == 0)
			return true;
	return false;
}

const char *tc_sched_verdict_code(enum tc_sched_verdict v)
{
	static const char *const codes[] = {
#define TC_SCHED_V(name, code) [TC_SCHED_##name] = code,
		TC_SCHED_VERDICTS(TC_SCHED_V)
#undef TC_SCHED_V
	};
	return (size_t)v < TC_ARRAY_LEN(codes) ? codes[v] : "unknown";
}

bool tc_sched_overridable(enum tc_sched_verdict v)
{
	return v != TC_SCHED_OK && v != TC_SCHED_UNKNOWN_PRODUCT;
}

int64_t tc_sched_age_years(int64_t birth_day, int64_t day)
{
	int64_t by, y;
	unsigned bm, bd, m, d;

	tc_civil_from_days(birth_day, &by, &bm, &bd);
	tc_civil_from_days(day, &y, &m, &d);
	return y - by - (m < bm || (m == bm && d < bd));
}

static int find_product(const struct tc_sched_ctx *cx, const char *code)
{
	for (size_t i = 0; code && i < cx->nproducts; i++)
		if (strcmp(cx->products[i].code, code) == 0)
			return (int)i;
	return -1;
}

static const char *name_of(const struct tc_sched_product *p)
{
	return p->name ? p->name : p->code;
}

/* How specifically a rule's side names product p: 2 its code, 1 its
 * platform, 0 "*", -1 not at all. "=" names the product `same`. */
static int match(const char *pat, const struct tc_sched_product *p,
                 const struct tc_sched_product *same)
{
	if (strcmp(pat, "*") == 0)
		return 0;
	if (strcmp(pat, "=") == 0)
		return same && strcmp(same->code, p->code) == 0 ? 2 : -1;
	if (strcmp(pat, p->code) == 0)
		return 2;
	return strcmp(pat, p->platform) == 0 ? 1 : -1;
}

/* The rule of `kind` allowing `then` after `after` (see the header for
 * which one wins; a rule without min_days has the product's `own`), or
 * NULL. */
static const struct tc_mix_rule *find_rule(const struct tc_sched_ctx *cx,
                                           enum tc_mix_kind kind,
                                           const struct tc_sched_product *after,
                                           const struct tc_sched_product *then,
                                           int64_t own)
{
	const struct tc_mix_rule *best = NULL;
	int best_score = -1;

	for (size_t i = 0; i < cx->nrules; i++) {
		const struct tc_mix_rule *r = &cx->rules[i];
		int a, t, score;

		if (r->kind != kind)
			continue;
		a = match(r->after, after, NULL);
		t = match(r->then, then, after);
		if (a < 0 || t < 0)
			continue;
		score = a + t;
		if (score > best_score ||
		    (score == best_score &&
		     (r->min_days >= 0 ? r->min_days : own) >
		             (best->min_days >= 0 ? best->min_days : own))) {
			best = r;
			best_score = score;
		}
	}
	return best;
}

static void set_verdict(struct tc_sched_result *r, enum tc_sched_verdict v,
                        const char *reason)
{
	if (r->verdict == TC_SCHED_OK) {
		r->verdict = v;
		r->reason = reason;
	}
}

static const char *dose_name(const struct tc_sched_result *r, struct tc_arena *a)
{
	return tc_arena_printf(a, "%s %d",
	                       r->kind == TC_SCHED_KIND_PRIMARY ? "dose" : "booster",
	                       r->number);
}

/* Judges a dose of product index `ip` (-1: unknown) on `day` after state
 * `st`; advance() then moves the state past it. */
static void judge(const struct tc_sched_ctx *cx, struct tc_sched_state *st, int ip,
                  int64_t day, struct tc_sched_result *r, struct tc_arena *a)
{
	const struct tc_sched_product *p, *last, *series;
	const struct tc_mix_rule *rule = NULL;
	int64_t interval = 0;
	char d1[11], d2[11];

	memset(r, 0, sizeof(*r));
	r->before = *st;
	r->earliest_day = INT64_MIN;
	if (ip < 0) {
		r->verdict = TC_SCHED_UNKNOWN_PRODUCT;
		r->reason = "the product is not in the product table";
		return;
	}
	p = &cx->products[ip];
	last = st->last_product >= 0 ? &cx->products[st->last_product] : NULL;
	series = st->series_product >= 0 ? &cx->products[st->series_product] : NULL;

	if (st->stage == TC_SCHED_STAGE_NONE || st->stage == TC_SCHED_STAGE_PRIMARY) {
		r->kind = TC_SCHED_KIND_PRIMARY;
		r->number = st->given + 1;
		if (series == NULL)
			series = p;
		r->completes = r->number >= (int)series->series_doses;
	} else {
		r->kind = TC_SCHED_KIND_BOOSTER;
		r->number = st->boosters + 1;
	}

	if (cx->birth_day != INT64_MIN &&
	    tc_sched_age_years(cx->birth_day, day) < p->min_age_years)
		set_verdict(r, TC_SCHED_BELOW_MIN_AGE,
		            tc_arena_printf(
		                    a,
		                    "%s is given from the age of %lld; the person "
		                    "is %lld",
		                    name_of(p), (long long)p->min_age_years,
		                    (long long)tc_sched_age_years(cx->birth_day, day)));

	if (r->kind == TC_SCHED_KIND_PRIMARY && last != NULL) {
		interval = series->min_interval_days;
		if (p != series) {
			rule = find_rule(cx, TC_MIX_PRIMARY, series, p, interval);
			if (rule == NULL)
				set_verdict(
				        r, TC_SCHED_MIXING_NOT_ALLOWED,
				        tc_arena_printf(
				                a,
				                "a primary series begun with %s is "
				                "completed with %s: no rule allows %s as "
				                "%s",
				                name_of(series), name_of(series),
				                name_of(p), dose_name(r, a)));
		}
	} else if (r->kind == TC_SCHED_KIND_BOOSTER) {
		interval = p->booster_min_days;
		if (p->booster_min_days < 0)
			set_verdict(r, TC_SCHED_NOT_A_BOOSTER_PRODUCT,
			            tc_arena_printf(a, "%s is not given as a booster",
			                            name_of(p)));
		rule = find_rule(cx, r->number == 1 ? TC_MIX_BOOSTER : TC_MIX_BOOSTER2,
		                 last, p, interval);
		if (rule == NULL)
			set_verdict(r, TC_SCHED_MIXING_NOT_ALLOWED,
			            tc_arena_printf(a, "no rule allows %s as %s after %s",
			                            name_of(p), dose_name(r, a),
			                            name_of(last)));
	}
	if (rule != NULL && rule->min_days >= 0)
		interval = rule->min_days;

	if (last != NULL) {
		if (interval < 0)
			interval = 0; /* not a booster product: flagged above */
		r->earliest_day = st->last_day + interval;
		if (day < r->earliest_day) {
			tc_day_format(r->earliest_day, d1);
			tc_day_format(st->last_day, d2);
			set_verdict(r, TC_SCHED_TOO_EARLY,
			            tc_arena_printf(
			                    a,
			                    "%s of %s may be given from %s, %lld days "
			                    "after the dose of %s",
			                    dose_name(r, a), name_of(p), d1,
			                    (long long)interval, d2));
		}
	}
}

/* Moves the state past a counted dose judged as r. */
static void advance(struct tc_sched_state *st, int ip, int64_t day,
                    const struct tc_sched_ctx *cx, const struct tc_sched_result *r)
{
	if (r->kind == TC_SCHED_KIND_NONE)
		return;
	if (r->kind == TC_SCHED_KIND_PRIMARY) {
		if (st->series_product < 0) {
			st->series_product = ip;
			st->series_doses = (int)cx->products[ip].series_doses;
		}
		st->given++;
		st->stage =
		        r->completes ? TC_SCHED_STAGE_COMPLETE : TC_SCHED_STAGE_PRIMARY;
	} else {
		st->boosters++;
		st->stage = TC_SCHED_STAGE_BOOSTED;
	}
	st->last_product = ip;
	st->last_day = day;
}

static void state_init(struct tc_sched_state *st)
{
	*st = (struct tc_sched_state){
		.stage = TC_SCHED_STAGE_NONE,
		.series_product = -1,
		.last_product = -1,
		.last_day = INT64_MIN,
	};
}

static bool before(const struct tc_sched_dose *x, const struct tc_sched_dose *y)
{
	return x->day < y->day || (x->day == y->day && x->id < y->id);
}

/* The indexes of doses in day, id order (a stable insertion sort). */
static size_t *sorted(const struct tc_sched_dose *doses, size_t n, struct tc_arena *a)
{
	size_t *ix = TC_NEWN(a, size_t, n + 1);

	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		while (j > 0 && before(&doses[i], &doses[ix[j - 1]])) {
			ix[j] = ix[j - 1];
			j--;
		}
		ix[j] = i;
	}
	return ix;
}

void tc_sched_renumber(const struct tc_sched_ctx *cx, const struct tc_sched_dose *doses,
                       size_t n, struct tc_sched_result *out, struct tc_arena *a)
{
	size_t *ix = sorted(doses, n, a);
	struct tc_sched_state st;

	state_init(&st);
	for (size_t k = 0; k < n; k++) {
		const struct tc_sched_dose *d = &doses[ix[k]];
		struct tc_sched_result *r = &out[ix[k]];
		int ip = find_product(cx, d->product);

		if (d->counts) {
			judge(cx, &st, ip, d->day, r, a);
			advance(&st, ip, d->day, cx, r);
		} else {
			memset(r, 0, sizeof(*r));
			r->before = st;
			r->earliest_day = INT64_MIN;
		}
		r->changed =
		        (int)r->kind != d->stored_kind || r->number != d->stored_number;
	}
}

void tc_sched_check(const struct tc_sched_ctx *cx, const struct tc_sched_dose *doses,
                    size_t n, const char *product, int64_t day,
                    struct tc_sched_result *out, struct tc_arena *a)
{
	size_t *ix = sorted(doses, n, a);
	struct tc_sched_state st;
	struct tc_sched_result scratch;

	state_init(&st);
	for (size_t k = 0; k < n && doses[ix[k]].day <= day; k++) {
		const struct tc_sched_dose *d = &doses[ix[k]];
		int ip = find_product(cx, d->product);

		if (!d->counts)
			continue;
		judge(cx, &st, ip, d->day, &scratch, a);
		advance(&st, ip, d->day, cx, &scratch);
	}
	judge(cx, &st, find_product(cx, product), day, out, a);
}
