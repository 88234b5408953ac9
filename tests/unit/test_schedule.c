/* domain/schedule: dose numbers, intervals, mixing and age, as tables of
 * cases on the shipped data/vaccines/products.csv and mixing.csv. Days are
 * counted from 2021-08-01. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/tctime.h"
#include "domain/schedule.h"
#include "io/mixing_csv.h"
#include "io/products_csv.h"

#define PF   "EU/1/20/1528" /* Comirnaty (Pfizer-BioNTech) */
#define MO   "EU/1/20/1507" /* Spikevax (Moderna) */
#define AZ   "EU/1/21/1529" /* Vaxzevria (AstraZeneca) */
#define JJ   "EU/1/20/1525" /* Jcovden (Janssen) */
#define VC   "BBIBP-CorV"   /* Sinopharm Vero Cell */
#define NONE INT64_MIN

enum { P = TC_SCHED_KIND_PRIMARY, B = TC_SCHED_KIND_BOOSTER, N = TC_SCHED_KIND_NONE };

struct given {
	const char *product;
	int day;
	bool voided;
};

#define G(p, d)                                                                          \
	{                                                                                \
		p, d, false                                                              \
	}
#define VOID(p, d)                                                                       \
	{                                                                                \
		p, d, true                                                               \
	}

struct civil {
	int y, m, d;
};

static const struct check_case {
	const char *name;
	struct civil born; /* {0}: 1980-01-01 */
	struct given hist[6];
	const char *product;
	int day;
	int kind, number;
	enum tc_sched_verdict verdict;
	int64_t earliest;
	enum tc_sched_stage stage;
} checks[] = {
	{ "first dose",
	  { 0 },
	  { { 0 } },
	  PF,
	  0,
	  P,
	  1,
	  TC_SCHED_OK,
	  NONE,
	  TC_SCHED_STAGE_NONE },
	{ "dose 2 a day early",
	  { 0 },
	  { G(PF, 0) },
	  PF,
	  20,
	  P,
	  2,
	  TC_SCHED_TOO_EARLY,
	  21,
	  TC_SCHED_STAGE_PRIMARY },
	{ "dose 2 on the minimum interval",
	  { 0 },
	  { G(PF, 0) },
	  PF,
	  21,
	  P,
	  2,
	  TC_SCHED_OK,
	  21,
	  TC_SCHED_STAGE_PRIMARY },
	{ "AZ then Pfizer as dose 2",
	  { 0 },
	  { G(AZ, 0) },
	  PF,
	  28,
	  P,
	  2,
	  TC_SCHED_OK,
	  28,
	  TC_SCHED_STAGE_PRIMARY },
	{ "AZ then Moderna, AZ's interval",
	  { 0 },
	  { G(AZ, 0) },
	  MO,
	  27,
	  P,
	  2,
	  TC_SCHED_TOO_EARLY,
	  28,
	  TC_SCHED_STAGE_PRIMARY },
	{ "Vero Cell then AZ as dose 2",
	  { 0 },
	  { G(VC, 0) },
	  AZ,
	  28,
	  P,
	  2,
	  TC_SCHED_MIXING_NOT_ALLOWED,
	  21,
	  TC_SCHED_STAGE_PRIMARY },
	{ "AZ then Vero Cell as dose 2",
	  { 0 },
	  { G(AZ, 0) },
	  VC,
	  60,
	  P,
	  2,
	  TC_SCHED_MIXING_NOT_ALLOWED,
	  28,
	  TC_SCHED_STAGE_PRIMARY },
	{ "Janssen complete, Pfizer booster",
	  { 0 },
	  { G(JJ, 0) },
	  PF,
	  90,
	  B,
	  1,
	  TC_SCHED_OK,
	  90,
	  TC_SCHED_STAGE_COMPLETE },
	{ "Janssen complete, Janssen booster",
	  { 0 },
	  { G(JJ, 0) },
	  JJ,
	  60,
	  B,
	  1,
	  TC_SCHED_OK,
	  60,
	  TC_SCHED_STAGE_COMPLETE },
	{ "Janssen, Pfizer booster too early",
	  { 0 },
	  { G(JJ, 0) },
	  PF,
	  89,
	  B,
	  1,
	  TC_SCHED_TOO_EARLY,
	  90,
	  TC_SCHED_STAGE_COMPLETE },
	{ "booster a day early",
	  { 0 },
	  { G(AZ, 0), G(AZ, 56) },
	  PF,
	  145,
	  B,
	  1,
	  TC_SCHED_TOO_EARLY,
	  146,
	  TC_SCHED_STAGE_COMPLETE },
	{ "AZ booster after Vero Cell",
	  { 0 },
	  { G(VC, 0), G(VC, 28) },
	  AZ,
	  118,
	  B,
	  1,
	  TC_SCHED_OK,
	  118,
	  TC_SCHED_STAGE_COMPLETE },
	{ "Vero Cell booster after Pfizer",
	  { 0 },
	  { G(PF, 0), G(PF, 21) },
	  VC,
	  200,
	  B,
	  1,
	  TC_SCHED_MIXING_NOT_ALLOWED,
	  111,
	  TC_SCHED_STAGE_COMPLETE },
	{ "mixed series complete, booster",
	  { 0 },
	  { G(AZ, 0), G(PF, 60) },
	  MO,
	  150,
	  B,
	  1,
	  TC_SCHED_OK,
	  150,
	  TC_SCHED_STAGE_COMPLETE },
	{ "Sputnik Light after Sputnik V",
	  { 0 },
	  { G("Sputnik-V", 0), G("Sputnik-V", 21) },
	  "Sputnik-Light",
	  201,
	  B,
	  1,
	  TC_SCHED_OK,
	  201,
	  TC_SCHED_STAGE_COMPLETE },
	{ "a third Pfizer is a booster",
	  { 0 },
	  { G(PF, 0), G(PF, 21) },
	  PF,
	  51,
	  B,
	  1,
	  TC_SCHED_TOO_EARLY,
	  111,
	  TC_SCHED_STAGE_COMPLETE },
	{ "second booster",
	  { 0 },
	  { G(PF, 0), G(PF, 21), G(PF, 111) },
	  MO,
	  231,
	  B,
	  2,
	  TC_SCHED_OK,
	  231,
	  TC_SCHED_STAGE_BOOSTED },
	{ "second booster a day early",
	  { 0 },
	  { G(PF, 0), G(PF, 21), G(PF, 111) },
	  PF,
	  230,
	  B,
	  2,
	  TC_SCHED_TOO_EARLY,
	  231,
	  TC_SCHED_STAGE_BOOSTED },
	{ "second booster AZ after Pfizer",
	  { 0 },
	  { G(AZ, 0), G(AZ, 56), G(PF, 146) },
	  AZ,
	  300,
	  B,
	  2,
	  TC_SCHED_MIXING_NOT_ALLOWED,
	  236,
	  TC_SCHED_STAGE_BOOSTED },
	/* no interval applies: the earliest day is the dose before's */
	{ "not a booster product",
	  { 0 },
	  { G(PF, 0), G(PF, 21) },
	  "Abdala",
	  200,
	  B,
	  1,
	  TC_SCHED_NOT_A_BOOSTER_PRODUCT,
	  21,
	  TC_SCHED_STAGE_COMPLETE },
	{ "a voided dose is ignored",
	  { 0 },
	  { G(PF, 0), VOID(PF, 10) },
	  PF,
	  21,
	  P,
	  2,
	  TC_SCHED_OK,
	  21,
	  TC_SCHED_STAGE_PRIMARY },
	{ "a voided first dose is ignored",
	  { 0 },
	  { VOID(AZ, 0) },
	  PF,
	  5,
	  P,
	  1,
	  TC_SCHED_OK,
	  NONE,
	  TC_SCHED_STAGE_NONE },
	{ "Comirnaty at 11",
	  { 2009, 8, 2 },
	  { { 0 } },
	  PF,
	  0,
	  P,
	  1,
	  TC_SCHED_BELOW_MIN_AGE,
	  NONE,
	  TC_SCHED_STAGE_NONE },
	{ "Comirnaty on the 12th birthday",
	  { 2009, 8, 1 },
	  { { 0 } },
	  PF,
	  0,
	  P,
	  1,
	  TC_SCHED_OK,
	  NONE,
	  TC_SCHED_STAGE_NONE },
	{ "Vaxzevria at 17",
	  { 2003, 8, 2 },
	  { { 0 } },
	  AZ,
	  0,
	  P,
	  1,
	  TC_SCHED_BELOW_MIN_AGE,
	  NONE,
	  TC_SCHED_STAGE_NONE },
	{ "Vaxzevria at 18",
	  { 2003, 8, 1 },
	  { { 0 } },
	  AZ,
	  0,
	  P,
	  1,
	  TC_SCHED_OK,
	  NONE,
	  TC_SCHED_STAGE_NONE },
	{ "age judged before the interval",
	  { 2009, 9, 1 },
	  { G(PF, 0) },
	  PF,
	  1,
	  P,
	  2,
	  TC_SCHED_BELOW_MIN_AGE,
	  21,
	  TC_SCHED_STAGE_PRIMARY },
	{ "unknown product",
	  { 0 },
	  { G(PF, 0) },
	  "XYZ",
	  30,
	  N,
	  0,
	  TC_SCHED_UNKNOWN_PRODUCT,
	  NONE,
	  TC_SCHED_STAGE_PRIMARY },
	{ "a later dose does not count",
	  { 0 },
	  { G(PF, 0), G(PF, 21) },
	  PF,
	  10,
	  P,
	  2,
	  TC_SCHED_TOO_EARLY,
	  21,
	  TC_SCHED_STAGE_PRIMARY },
};

/* A history to renumber, with the numbers stored before. */
struct stored {
	const char *product;
	int day;
	int64_t id;
	bool voided;
	int old_kind, old_number;
	/* expected */
	int kind, number;
	enum tc_sched_verdict verdict;
	bool changed;
};

static const struct renumber_case {
	const char *name;
	struct stored d[6];
} renumbers[] = {
	{ "an earlier AZ dose arrives late",
	  { { PF, 60, 2, false, P, 1, P, 2, TC_SCHED_OK, true },
	    { PF, 81, 3, false, P, 2, B, 1, TC_SCHED_TOO_EARLY, true },
	    { AZ, 0, 9, false, N, 0, P, 1, TC_SCHED_OK, true } } },
	{ "nothing changes",
	  { { PF, 0, 1, false, P, 1, P, 1, TC_SCHED_OK, false },
	    { PF, 21, 2, false, P, 2, P, 2, TC_SCHED_OK, false },
	    { PF, 200, 3, false, B, 1, B, 1, TC_SCHED_OK, false } } },
	{ "from elsewhere: Vero Cell then AZ, flagged and counted",
	  { { VC, 0, 1, false, P, 1, P, 1, TC_SCHED_OK, false },
	    { AZ, 10, 2, false, N, 0, P, 2, TC_SCHED_MIXING_NOT_ALLOWED, true },
	    { PF, 200, 3, false, N, 0, B, 1, TC_SCHED_OK, true } } },
	{ "voiding dose 1 moves the others up",
	  { { PF, 0, 1, true, P, 1, N, 0, TC_SCHED_OK, true },
	    { PF, 21, 2, false, P, 2, P, 1, TC_SCHED_OK, true },
	    { PF, 42, 3, false, N, 0, P, 2, TC_SCHED_OK, true } } },
	{ "same day: the id decides",
	  { { PF, 5, 7, false, N, 0, P, 2, TC_SCHED_TOO_EARLY, true },
	    { PF, 5, 3, false, N, 0, P, 1, TC_SCHED_OK, true } } },
	{ "from elsewhere: under age and not a booster, all kept",
	  { { PF, 0, 1, false, N, 0, P, 1, TC_SCHED_BELOW_MIN_AGE, true },
	    { PF, 21, 2, false, N, 0, P, 2, TC_SCHED_BELOW_MIN_AGE, true },
	    { "Sputnik-M", 400, 3, false, N, 0, B, 1, TC_SCHED_NOT_A_BOOSTER_PRODUCT,
	      true },
	    { "XYZ", 410, 4, false, N, 0, N, 0, TC_SCHED_UNKNOWN_PRODUCT, false } } },
};

struct fixture {
	struct tc_arena a;
	struct tc_sched_ctx cx;
	int64_t base; /* 2021-08-01 */
};

static int setup(void **state)
{
	static struct fixture fx;
	struct tc_product_info *info;
	struct tc_sched_product *p;
	struct tc_mix_rule *rules;
	const char **codes;
	size_t n, nrules;
	struct tc_fault f = { 0 };

	tc_arena_init(&fx.a);
	if (tc_products_csv_load("data", &fx.a, &info, &n, &(const char *){ NULL }, &f) !=
	    TC_ERR_OK)
		fail_msg("%s", f.message);
	p = TC_NEWN(&fx.a, struct tc_sched_product, n);
	codes = TC_NEWN(&fx.a, const char *, n);
	for (size_t i = 0; i < n; i++) {
		p[i] = (struct tc_sched_product){ info[i].code,
			                          info[i].name,
			                          info[i].platform,
			                          info[i].series_doses,
			                          info[i].min_interval_days,
			                          info[i].booster_min_days,
			                          info[i].min_age_years };
		codes[i] = info[i].code;
	}
	if (tc_mixing_csv_load("data", codes, n, &fx.a, &rules, &nrules, &f) != TC_ERR_OK)
		fail_msg("%s", f.message);
	fx.cx = (struct tc_sched_ctx){ p, n, rules, nrules, INT64_MIN };
	fx.base = tc_days_from_civil(2021, 8, 1);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	tc_arena_cleanup(&fx->a);
	return 0;
}

static int64_t born(const struct fixture *fx, struct civil c)
{
	if (c.y == 0)
		return tc_days_from_civil(1980, 1, 1);
	return tc_days_from_civil(c.y, (unsigned)c.m, (unsigned)c.d);
}

static void test_check_table(void **state)
{
	struct fixture *fx = *state;

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		const struct check_case *c = &checks[i];
		struct tc_sched_ctx cx = fx->cx;
		struct tc_sched_dose h[6];
		struct tc_sched_result r;
		size_t n = 0;
		int64_t earliest = c->earliest == NONE ? NONE : fx->base + c->earliest;

		for (; n < 6 && c->hist[n].product; n++)
			h[n] = (struct tc_sched_dose){ .id = (int64_t)n + 1,
				                       .product = c->hist[n].product,
				                       .day = fx->base + c->hist[n].day,
				                       .counts = !c->hist[n].voided };
		cx.birth_day = born(fx, c->born);
		tc_sched_check(&cx, h, n, c->product, fx->base + c->day, &r, &fx->a);
		if ((int)r.kind != c->kind || r.number != c->number ||
		    r.verdict != c->verdict || r.earliest_day != earliest ||
		    r.before.stage != c->stage)
			fail_msg("%s: got kind %d number %d %s earliest %lld stage %d "
			         "(%s); "
			         "want kind %d number %d %s earliest %lld stage %d",
			         c->name, r.kind, r.number,
			         tc_sched_verdict_code(r.verdict),
			         r.earliest_day == NONE
			                 ? -1LL
			                 : (long long)(r.earliest_day - fx->base),
			         r.before.stage, r.reason ? r.reason : "-", c->kind,
			         c->number, tc_sched_verdict_code(c->verdict),
			         c->earliest == NONE ? -1LL : (long long)c->earliest,
			         c->stage);
		/* a reason exactly when a rule is broken */
		assert_true((r.verdict == TC_SCHED_OK) == (r.reason == NULL));
	}
}

static void test_renumber_table(void **state)
{
	struct fixture *fx = *state;

	for (size_t i = 0; i < sizeof(renumbers) / sizeof(renumbers[0]); i++) {
		const struct renumber_case *c = &renumbers[i];
		struct tc_sched_ctx cx = fx->cx;
		struct tc_sched_dose h[6];
		struct tc_sched_result r[6];
		size_t n = 0;

		for (; n < 6 && c->d[n].product; n++)
			h[n] = (struct tc_sched_dose){ .id = c->d[n].id,
				                       .product = c->d[n].product,
				                       .day = fx->base + c->d[n].day,
				                       .counts = !c->d[n].voided,
				                       .stored_kind = c->d[n].old_kind,
				                       .stored_number =
				                               c->d[n].old_number };
		/* the under-age case: born 2010, Comirnaty in 2021 at 11 */
		cx.birth_day = c->d[0].verdict == TC_SCHED_BELOW_MIN_AGE
		                       ? tc_days_from_civil(2010, 1, 1)
		                       : tc_days_from_civil(1980, 1, 1);
		tc_sched_renumber(&cx, h, n, r, &fx->a);
		for (size_t k = 0; k < n; k++) {
			const struct stored *d = &c->d[k];
			if ((int)r[k].kind != d->kind || r[k].number != d->number ||
			    r[k].verdict != d->verdict || r[k].changed != d->changed)
				fail_msg("%s, dose %zu: got kind %d number %d %s changed "
				         "%d "
				         "(%s); want kind %d number %d %s changed %d",
				         c->name, k, r[k].kind, r[k].number,
				         tc_sched_verdict_code(r[k].verdict),
				         r[k].changed, r[k].reason ? r[k].reason : "-",
				         d->kind, d->number,
				         tc_sched_verdict_code(d->verdict), d->changed);
		}
	}
}

static void test_reasons(void **state)
{
	struct fixture *fx = *state;
	struct tc_sched_dose h[] = { { 1, PF, fx->base, true, 0, 0 } };
	struct tc_sched_result r;

	tc_sched_check(&fx->cx, h, 1, PF, fx->base + 20, &r, &fx->a);
	assert_int_equal(r.verdict, TC_SCHED_TOO_EARLY);
	assert_string_equal(r.reason, "dose 2 of Comirnaty may be given from 2021-08-22, "
	                              "21 days after the dose of 2021-08-01");
	h[0].product = VC;
	tc_sched_check(&fx->cx, h, 1, AZ, fx->base + 30, &r, &fx->a);
	assert_string_equal(tc_sched_verdict_code(r.verdict), "mixing_not_allowed");
	assert_non_null(strstr(r.reason, "Vaxzevria"));
	assert_true(tc_sched_overridable(r.verdict));
	assert_false(tc_sched_overridable(TC_SCHED_OK));
	assert_false(tc_sched_overridable(TC_SCHED_UNKNOWN_PRODUCT));
}

static void test_age(void **state)
{
	(void)state;
	/* born 2008-02-29: 12 on 2020-02-29, and on 2021-03-01, not 2021-02-28 */
	int64_t b = tc_days_from_civil(2008, 2, 29);
	assert_int_equal(tc_sched_age_years(b, tc_days_from_civil(2020, 2, 28)), 11);
	assert_int_equal(tc_sched_age_years(b, tc_days_from_civil(2020, 2, 29)), 12);
	assert_int_equal(tc_sched_age_years(b, tc_days_from_civil(2021, 2, 28)), 12);
	assert_int_equal(tc_sched_age_years(b, tc_days_from_civil(2021, 3, 1)), 13);
	assert_int_equal(tc_sched_age_years(b, b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_table),
		cmocka_unit_test(test_renumber_table),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_age),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
