/* Fuzzes tc_screen_csv_parse (src/io/screening_csv.c), the reader of
 * data/screening/covid19.csv and covid19_vitals.csv, and then applies what
 * it accepted (src/domain/screening.c). The input is the two files'
 * texts separated by the first line "%%"; each is handed over in a heap
 * block of exactly its length so reading past its end is caught.
 *
 * On success there is at least one question; questions and limits are
 * sorted by a strictly increasing order; codes are [a-z0-9_]+ and unique
 * across both files; every outcome is one a row may give; the wait is
 * given exactly for postpone and in range; texts are one line of UTF-8;
 * limit values lie in their measure's plausible range. Two screenings of
 * a girl of 15 (all "no", then "yes" to every question that applies) are
 * accepted, their verdict is the most severe of their reasons, and the
 * reasons are exactly the yes answers, the limits passed and the missing
 * consent. The checklist's JSON parses. On failure the fault is an IO
 * error whose message starts with a file's name and is short. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/jspec.h"
#include "core/jw.h"
#include "fuzz.h"
#include "io/screening_csv.h"

static bool valid_code(const char *s)
{
	if (*s == '\0' || strlen(s) > 48)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static bool valid_text(const char *s)
{
	return s && *s && tc_utf8_check(s, strlen(s), false) >= 0;
}

static void check_row(enum tc_screen_outcome o, int wait, int observe, const char *code,
                      const char *vi, const char *en, const char *source)
{
	FUZZ_CHECK(o == TC_SCREEN_CAUTION || o == TC_SCREEN_POSTPONE ||
	           o == TC_SCREEN_REFER || o == TC_SCREEN_CONTRAINDICATED);
	FUZZ_CHECK(o == TC_SCREEN_POSTPONE ? wait >= 0 && wait <= 365 : wait == 0);
	FUZZ_CHECK(observe == 0 ||
	           (observe > TC_SCREEN_OBSERVE_MINUTES && observe <= 240));
	FUZZ_CHECK(valid_code(code));
	FUZZ_CHECK(valid_text(vi) && valid_text(en) && valid_text(source));
}

static void check(const struct tc_screen_checklist *c)
{
	const char **codes = malloc(sizeof(char *) * (c->nitems + c->nlimits));
	size_t n = 0;

	FUZZ_CHECK(codes != NULL);
	FUZZ_CHECK(c->nitems >= 1 && c->items != NULL);
	for (size_t i = 0; i < c->nitems; i++) {
		const struct tc_screen_item *it = &c->items[i];
		FUZZ_CHECK(it->order >= 1 && it->order <= 999);
		FUZZ_CHECK(i == 0 || c->items[i - 1].order < it->order);
		FUZZ_CHECK(tc_screen_applies_name(it->applies) != NULL);
		check_row(it->outcome, it->postpone_days, it->observe_minutes, it->code,
		          it->question_vi, it->question_en, it->source);
		codes[n++] = it->code;
	}
	for (size_t i = 0; i < c->nlimits; i++) {
		const struct tc_screen_limit *l = &c->limits[i];
		int min, max;
		FUZZ_CHECK(l->order >= 1 && l->order <= 999);
		FUZZ_CHECK(i == 0 || c->limits[i - 1].order < l->order);
		FUZZ_CHECK(tc_screen_measure_name(l->measure) != NULL);
		FUZZ_CHECK(tc_screen_cmp_name(l->cmp) != NULL);
		tc_screen_measure_range(l->measure, &min, &max);
		FUZZ_CHECK(l->value >= min && l->value <= max);
		check_row(l->outcome, l->postpone_days, l->observe_minutes, l->code,
		          l->text_vi, l->text_en, l->source);
		codes[n++] = l->code;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			FUZZ_CHECK(strcmp(codes[i], codes[j]) != 0);
	free(codes);
}

static bool past(const struct tc_screen_limit *l, int v)
{
	switch (l->cmp) {
	case TC_SCREEN_LT: return v < l->value;
	case TC_SCREEN_LE: return v <= l->value;
	case TC_SCREEN_GT: return v > l->value;
	case TC_SCREEN_GE: return v >= l->value;
	}
	return false;
}

/* A girl of 15 without consent, a product from 12; "yes" to every
 * question that applies to her when `yes`. */
static void screen(const struct tc_screen_checklist *c, bool yes, struct tc_arena *a)
{
	struct tc_screen_answer *answers = malloc(sizeof(*answers) * c->nitems);
	struct tc_screening s = { .day = 18900,
		                  .answers = answers,
		                  .nanswers = c->nitems,
		                  .temperature_dc = 380,
		                  .systolic = 100,
		                  .diastolic = 65,
		                  .pulse = 110,
		                  .age_years = 15,
		                  .sex = TC_GENDER_FEMALE,
		                  .product_min_age = 12 };
	struct tc_screen_result r;
	struct tc_fault f = { 0 };
	size_t want = 1; /* the consent */
	enum tc_screen_outcome worst = TC_SCREEN_NEEDS_CONSENT;

	FUZZ_CHECK(answers != NULL);
	for (size_t i = 0; i < c->nitems; i++) {
		bool applies = c->items[i].applies != TC_SCREEN_ADULT;
		answers[i] =
		        (struct tc_screen_answer){ c->items[i].code, yes && applies };
		if (yes && applies) {
			want++;
			if (c->items[i].outcome > worst &&
			    c->items[i].outcome != TC_SCREEN_CAUTION)
				worst = c->items[i].outcome;
		}
	}
	for (size_t i = 0; i < c->nlimits; i++) {
		const struct tc_screen_limit *l = &c->limits[i];
		int v = l->measure == TC_SCREEN_TEMPERATURE ? s.temperature_dc
		        : l->measure == TC_SCREEN_SYSTOLIC  ? s.systolic
		        : l->measure == TC_SCREEN_DIASTOLIC ? s.diastolic
		                                            : s.pulse;
		if (past(l, v)) {
			want++;
			if (l->outcome > worst && l->outcome != TC_SCREEN_CAUTION)
				worst = l->outcome;
		}
	}
	FUZZ_CHECK(tc_screen_evaluate(c, &s, a, &r, &f) == TC_ERR_OK);
	FUZZ_CHECK(r.nreasons == want);
	FUZZ_CHECK(r.verdict == worst);
	FUZZ_CHECK(strcmp(r.reasons[r.nreasons - 1].code, TC_SCREEN_CONSENT_CODE) == 0);
	FUZZ_CHECK((r.postpone_days >= 0) ==
	           (r.postpone_until == s.day + r.postpone_days));
	FUZZ_CHECK(r.observe_minutes >= TC_SCREEN_OBSERVE_MINUTES &&
	           r.observe_minutes <= 240);
	FUZZ_CHECK(r.extended_observation ==
	           (r.observe_minutes > TC_SCREEN_OBSERVE_MINUTES));
	free(answers);
}

static void check_json(const struct tc_screen_checklist *c)
{
	struct tc_buf b;
	struct tc_jw w;
	json_t *j;

	tc_buf_init(&b);
	tc_jw_init(&w, &b);
	tc_screen_checklist_json(&w, c);
	j = json_loadb(b.data, b.len, 0, NULL);
	FUZZ_CHECK(j != NULL);
	FUZZ_CHECK(json_array_size(json_object_get(j, "items")) == c->nitems);
	FUZZ_CHECK(json_array_size(json_object_get(j, "limits")) == c->nlimits);
	json_decref(j);
	tc_buf_cleanup(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memmem(data, size, "\n%%\n", 4);
	size_t ni = sep ? (size_t)(sep - data) + 1 : size;
	size_t nl = sep ? size - ni - 3 : 0;
	char *items = fuzz_memdup(data, ni);
	char *limits = fuzz_memdup(sep ? sep + 4 : data, nl);
	struct tc_arena a;
	struct tc_fault f = { 0 };
	struct tc_screen_checklist c;
	tc_err rc;

	tc_arena_init(&a);
	rc = tc_screen_csv_parse(items, ni, limits, nl, &a, &c, &f);
	if (rc == TC_ERR_OK) {
		check(&c);
		screen(&c, false, &a);
		screen(&c, true, &a);
		check_json(&c);
	} else {
		FUZZ_CHECK(rc == TC_ERR_IO && f.code == rc);
		FUZZ_CHECK(f.message != NULL &&
		           (strncmp(f.message, "covid19.csv", 11) == 0 ||
		            strncmp(f.message, "covid19_vitals.csv", 18) == 0));
		FUZZ_CHECK(strlen(f.message) < 512);
		FUZZ_CHECK(c.items == NULL && c.nitems == 0 && c.limits == NULL);
	}
	tc_arena_cleanup(&a);
	free(items);
	free(limits);
	return 0;
}
