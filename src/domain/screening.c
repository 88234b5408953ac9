/* Screening before a COVID-19 vaccination, as pure rules (see screening.h). */
#include "screening.h"

#include <stdio.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/jw.h"

static const char *const outcome_names[] = {
	[TC_SCREEN_ELIGIBLE] = "eligible",
	[TC_SCREEN_CAUTION] = "caution",
	[TC_SCREEN_NEEDS_CONSENT] = "needs_consent",
	[TC_SCREEN_POSTPONE] = "postpone",
	[TC_SCREEN_REFER] = "refer",
	[TC_SCREEN_CONTRAINDICATED] = "contraindicated",
};
static const char *const applies_names[] = {
	[TC_SCREEN_ALL] = "all",
	[TC_SCREEN_FEMALE] = "female",
	[TC_SCREEN_MINOR] = "minor",
	[TC_SCREEN_ADULT] = "adult",
};
static const char *const measure_names[] = {
	[TC_SCREEN_TEMPERATURE] = "temperature",
	[TC_SCREEN_SYSTOLIC] = "systolic",
	[TC_SCREEN_DIASTOLIC] = "diastolic",
	[TC_SCREEN_PULSE] = "pulse",
};
static const char *const cmp_names[] = {
	[TC_SCREEN_LT] = "lt",
	[TC_SCREEN_LE] = "le",
	[TC_SCREEN_GT] = "gt",
	[TC_SCREEN_GE] = "ge",
};

/* The plausible range of each measurement: outside it, a typing error. */
static const struct {
	const char *field;
	int min, max;
} ranges[] = {
	[TC_SCREEN_TEMPERATURE] = { "temperature", 300, 450 },
	[TC_SCREEN_SYSTOLIC] = { "systolic", 50, 260 },
	[TC_SCREEN_DIASTOLIC] = { "diastolic", 30, 160 },
	[TC_SCREEN_PULSE] = { "pulse", 20, 250 },
};

static bool find_name(const char *const *names, size_t n, const char *s, int *out)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0) {
			*out = (int)i;
			return true;
		}
	return false;
}

const char *tc_screen_outcome_name(enum tc_screen_outcome o)
{
	return (unsigned)o < TC_ARRAY_LEN(outcome_names) ? outcome_names[o] : NULL;
}

const char *tc_screen_applies_name(enum tc_screen_applies ap)
{
	return (unsigned)ap < TC_ARRAY_LEN(applies_names) ? applies_names[ap] : NULL;
}

const char *tc_screen_measure_name(enum tc_screen_measure m)
{
	return (unsigned)m < TC_ARRAY_LEN(measure_names) ? measure_names[m] : NULL;
}

const char *tc_screen_cmp_name(enum tc_screen_cmp c)
{
	return (unsigned)c < TC_ARRAY_LEN(cmp_names) ? cmp_names[c] : NULL;
}

bool tc_screen_outcome_parse(const char *s, enum tc_screen_outcome *out)
{
	int i;
	if (!find_name(outcome_names, TC_ARRAY_LEN(outcome_names), s, &i))
		return false;
	*out = (enum tc_screen_outcome)i;
	return true;
}

bool tc_screen_applies_parse(const char *s, enum tc_screen_applies *out)
{
	int i;
	if (!find_name(applies_names, TC_ARRAY_LEN(applies_names), s, &i))
		return false;
	*out = (enum tc_screen_applies)i;
	return true;
}

bool tc_screen_measure_parse(const char *s, enum tc_screen_measure *out)
{
	int i;
	if (!find_name(measure_names, TC_ARRAY_LEN(measure_names), s, &i))
		return false;
	*out = (enum tc_screen_measure)i;
	return true;
}

bool tc_screen_cmp_parse(const char *s, enum tc_screen_cmp *out)
{
	int i;
	if (!find_name(cmp_names, TC_ARRAY_LEN(cmp_names), s, &i))
		return false;
	*out = (enum tc_screen_cmp)i;
	return true;
}

void tc_screen_measure_range(enum tc_screen_measure m, int *min, int *max)
{
	*min = ranges[m].min;
	*max = ranges[m].max;
}

static bool applies_to(enum tc_screen_applies ap, const struct tc_screening *s)
{
	switch (ap) {
	case TC_SCREEN_ALL: return true;
	case TC_SCREEN_FEMALE: return s->sex == TC_GENDER_FEMALE;
	case TC_SCREEN_MINOR: return s->age_years < TC_SCREEN_ADULT_AGE;
	case TC_SCREEN_ADULT: return s->age_years >= TC_SCREEN_ADULT_AGE;
	}
	return false;
}

static bool past(enum tc_screen_cmp cmp, int measured, int limit)
{
	switch (cmp) {
	case TC_SCREEN_LT: return measured < limit;
	case TC_SCREEN_LE: return measured <= limit;
	case TC_SCREEN_GT: return measured > limit;
	case TC_SCREEN_GE: return measured >= limit;
	}
	return false;
}

static tc_err check_range(enum tc_screen_measure m, int v, struct tc_arena *a,
                          struct tc_fault *f)
{
	if (v >= ranges[m].min && v <= ranges[m].max)
		return TC_ERR_OK;
	if (m == TC_SCREEN_TEMPERATURE)
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, ranges[m].field,
		                     "must be from %d.%d to %d.%d °C", ranges[m].min / 10,
		                     ranges[m].min % 10, ranges[m].max / 10,
		                     ranges[m].max % 10);
	return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, ranges[m].field,
	                     "must be from %d to %d%s", ranges[m].min, ranges[m].max,
	                     m == TC_SCREEN_PULSE ? " per minute" : " mmHg");
}

/* The measurements, the person and the product, before any answer. */
static tc_err check_person(const struct tc_screening *s, struct tc_arena *a,
                           struct tc_fault *f)
{
	tc_err rc;

	if ((rc = check_range(TC_SCREEN_TEMPERATURE, s->temperature_dc, a, f)))
		return rc;
	if ((s->systolic == 0) != (s->diastolic == 0))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD,
		                    s->systolic == 0 ? "systolic" : "diastolic",
		                    "give both blood pressures or neither");
	if (s->systolic != 0) {
		if ((rc = check_range(TC_SCREEN_SYSTOLIC, s->systolic, a, f)) ||
		    (rc = check_range(TC_SCREEN_DIASTOLIC, s->diastolic, a, f)))
			return rc;
		if (s->diastolic >= s->systolic)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "diastolic",
			                    "must be below the systolic pressure");
	}
	if (s->pulse != 0 && (rc = check_range(TC_SCREEN_PULSE, s->pulse, a, f)))
		return rc;
	if (s->age_years < 0 || s->age_years > 150)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "age_years",
		                    "must be from 0 to 150");
	if (s->sex != TC_GENDER_FEMALE && s->sex != TC_GENDER_MALE)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "sex",
		                    "must be female or male");
	if (s->product_min_age < 0 || s->product_min_age > 100)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "product_min_age",
		                    "must be from 0 to 100");
	return TC_ERR_OK;
}

static const struct tc_screen_item *find_item(const struct tc_screen_checklist *c,
                                              const char *code)
{
	for (size_t i = 0; i < c->nitems; i++)
		if (strcmp(c->items[i].code, code) == 0)
			return &c->items[i];
	return NULL;
}

/* Every answer names a known item once; a yes only where the item applies.
 * yes[i] is item i's answer. */
static tc_err read_answers(const struct tc_screen_checklist *c,
                           const struct tc_screening *s, bool *answered, bool *yes,
                           struct tc_arena *a, struct tc_fault *f)
{
	for (size_t i = 0; i < s->nanswers; i++) {
		const struct tc_screen_answer *an = &s->answers[i];
		const struct tc_screen_item *it =
		        an->code ? find_item(c, an->code) : NULL;
		size_t k;

		if (it == NULL)
			return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "answers",
			                     "no question '%.40s' in the checklist",
			                     an->code ? an->code : "");
		k = (size_t)(it - c->items);
		if (answered[k])
			return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "answers",
			                     "'%s' is answered twice", it->code);
		if (an->yes && !applies_to(it->applies, s))
			return tc_fault_setf(
			        f, a, TC_ERR_INVALID_FIELD,
			        tc_arena_printf(a, "answers.%s", it->code),
			        "does not apply to this person (asked of: %s)",
			        tc_screen_applies_name(it->applies));
		answered[k] = true;
		yes[k] = an->yes;
	}
	for (size_t k = 0; k < c->nitems; k++)
		if (!answered[k] && applies_to(c->items[k].applies, s))
			return tc_fault_setf(
			        f, a, TC_ERR_MISSING_FIELD,
			        tc_arena_printf(a, "answers.%s", c->items[k].code),
			        "'%s' must be answered", c->items[k].code);
	return TC_ERR_OK;
}

static int measured(const struct tc_screening *s, enum tc_screen_measure m)
{
	switch (m) {
	case TC_SCREEN_TEMPERATURE: return s->temperature_dc;
	case TC_SCREEN_SYSTOLIC: return s->systolic;
	case TC_SCREEN_DIASTOLIC: return s->diastolic;
	case TC_SCREEN_PULSE: return s->pulse;
	}
	return 0;
}

/* Adds a reason and folds its outcome, wait and observation in. */
static void add(struct tc_screen_result *r, struct tc_screen_reason *list,
                const char *code, enum tc_screen_outcome o, int postpone_days,
                int observe_minutes, const char *vi, const char *en)
{
	list[r->nreasons++] = (struct tc_screen_reason){ code, o, vi, en };
	if (o == TC_SCREEN_CAUTION)
		r->caution = true;
	else if (o > r->verdict)
		r->verdict = o;
	if (o == TC_SCREEN_POSTPONE && postpone_days > r->postpone_days)
		r->postpone_days = postpone_days;
	if (observe_minutes > r->observe_minutes)
		r->observe_minutes = observe_minutes;
}

tc_err tc_screen_evaluate(const struct tc_screen_checklist *c,
                          const struct tc_screening *s, struct tc_arena *a,
                          struct tc_screen_result *out, struct tc_fault *f)
{
	bool *answered = TC_NEWN(a, bool, c->nitems + 1);
	bool *yes = TC_NEWN(a, bool, c->nitems + 1);
	struct tc_screen_reason *list =
	        TC_NEWN(a, struct tc_screen_reason, c->nitems + c->nlimits + 2);
	struct tc_screen_result r = { .verdict = TC_SCREEN_ELIGIBLE,
		                      .postpone_days = -1,
		                      .observe_minutes = TC_SCREEN_OBSERVE_MINUTES };
	tc_err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_person(s, a, f)) != TC_ERR_OK ||
	    (rc = read_answers(c, s, answered, yes, a, f)) != TC_ERR_OK)
		return rc;
	for (size_t k = 0; k < c->nitems; k++) {
		const struct tc_screen_item *it = &c->items[k];
		if (yes[k])
			add(&r, list, it->code, it->outcome, it->postpone_days,
			    it->observe_minutes, it->question_vi, it->question_en);
	}
	for (size_t k = 0; k < c->nlimits; k++) {
		const struct tc_screen_limit *l = &c->limits[k];
		int v = measured(s, l->measure);
		if (v != 0 && past(l->cmp, v, l->value))
			add(&r, list, l->code, l->outcome, l->postpone_days,
			    l->observe_minutes, l->text_vi, l->text_en);
	}
	if (s->age_years < s->product_min_age)
		add(&r, list, TC_SCREEN_AGE_CODE, TC_SCREEN_CONTRAINDICATED, 0, 0,
		    tc_arena_printf(a, "Dưới độ tuổi tối thiểu của vắc xin (%d tuổi)",
		                    s->product_min_age),
		    tc_arena_printf(a, "Below the vaccine's minimum age (%d years)",
		                    s->product_min_age));
	if (s->age_years < TC_SCREEN_ADULT_AGE && !s->guardian_consent)
		add(&r, list, TC_SCREEN_CONSENT_CODE, TC_SCREEN_NEEDS_CONSENT, 0, 0,
		    "Chưa có phiếu đồng ý của cha, mẹ hoặc người giám hộ",
		    "The parent's or guardian's consent is missing");
	r.reasons = list;
	r.postpone_until = r.postpone_days >= 0 ? s->day + r.postpone_days : 0;
	r.extended_observation = r.observe_minutes > TC_SCREEN_OBSERVE_MINUTES;
	*out = r;
	return TC_ERR_OK;
}

static void kint_or_null(struct tc_jw *w, const char *key, bool given, int v)
{
	tc_jw_key(w, key);
	if (given)
		tc_jw_int(w, v);
	else
		tc_jw_null(w);
}

void tc_screen_checklist_json(struct tc_jw *w, const struct tc_screen_checklist *c)
{
	char num[16];

	tc_jw_obj(w);
	tc_jw_kint(w, "observe_minutes", TC_SCREEN_OBSERVE_MINUTES);
	tc_jw_kint(w, "adult_age", TC_SCREEN_ADULT_AGE);
	tc_jw_key(w, "items");
	tc_jw_arr(w);
	for (size_t i = 0; i < c->nitems; i++) {
		const struct tc_screen_item *it = &c->items[i];
		tc_jw_obj(w);
		tc_jw_kint(w, "order", it->order);
		tc_jw_kstr(w, "code", it->code);
		tc_jw_kstr(w, "applies_to", tc_screen_applies_name(it->applies));
		tc_jw_kstr(w, "answer", "yes_no");
		tc_jw_kstr(w, "outcome", tc_screen_outcome_name(it->outcome));
		kint_or_null(w, "postpone_days", it->outcome == TC_SCREEN_POSTPONE,
		             it->postpone_days);
		kint_or_null(w, "observe_minutes", it->observe_minutes > 0,
		             it->observe_minutes);
		tc_jw_kstr(w, "question_vi", it->question_vi);
		tc_jw_kstr(w, "question_en", it->question_en);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	tc_jw_key(w, "limits");
	tc_jw_arr(w);
	for (size_t i = 0; i < c->nlimits; i++) {
		const struct tc_screen_limit *l = &c->limits[i];
		tc_jw_obj(w);
		tc_jw_kint(w, "order", l->order);
		tc_jw_kstr(w, "code", l->code);
		tc_jw_kstr(w, "measure", tc_screen_measure_name(l->measure));
		tc_jw_kstr(w, "op", tc_screen_cmp_name(l->cmp));
		tc_jw_key(w, "value");
		if (l->measure == TC_SCREEN_TEMPERATURE) {
			snprintf(num, sizeof(num), "%d.%d", l->value / 10, l->value % 10);
			tc_jw_raw(w, num);
		} else {
			tc_jw_int(w, l->value);
		}
		tc_jw_kstr(w, "outcome", tc_screen_outcome_name(l->outcome));
		kint_or_null(w, "postpone_days", l->outcome == TC_SCREEN_POSTPONE,
		             l->postpone_days);
		kint_or_null(w, "observe_minutes", l->observe_minutes > 0,
		             l->observe_minutes);
		tc_jw_kstr(w, "text_vi", l->text_vi);
		tc_jw_kstr(w, "text_en", l->text_en);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	tc_jw_end(w);
}
