/* domain/screening and io/screening_csv: the COVID-19 screening checklist
 * (data/screening/) applied to one person, and the loader's refusals. The
 * cases of the shipped checklist are tables: a change to the data that
 * changes an outcome shows here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/arena.h"
#include "core/jw.h"
#include "core/tctime.h"
#include "domain/screening.h"
#include "io/screening_csv.h"

#define M TC_GENDER_MALE
#define F TC_GENDER_FEMALE

#define ELIG    TC_SCREEN_ELIGIBLE
#define CONSENT TC_SCREEN_NEEDS_CONSENT
#define POSTP   TC_SCREEN_POSTPONE
#define REFER   TC_SCREEN_REFER
#define CONTRA  TC_SCREEN_CONTRAINDICATED

static struct tc_arena arena;
static struct tc_screen_checklist shipped;

static int load_shipped(void **state)
{
	struct tc_fault f = { 0 };
	const char *sha;
	(void)state;
	tc_arena_init(&arena);
	if (tc_screen_csv_load("data/screening", &arena, &shipped, &sha, &f) !=
	    TC_ERR_OK) {
		fprintf(stderr, "%s\n", f.message);
		return -1;
	}
	return 0;
}

static int free_shipped(void **state)
{
	(void)state;
	tc_arena_cleanup(&arena);
	return 0;
}

static int64_t day0(void)
{
	return tc_days_from_civil(2021, 10, 1);
}

/* A person: everything the screening takes besides the answers. */
struct person {
	int temp, sys, dia, pulse, age;
	enum tc_gender sex;
	bool consent;
	int min_age;
};

/* A healthy man of 30, Comirnaty-like minimum age of 12. */
#define ADULT                                                                            \
	{                                                                                \
		366, 120, 80, 75, 30, M, false, 12                                       \
	}
#define WOMAN                                                                            \
	{                                                                                \
		366, 120, 80, 75, 30, F, false, 12                                       \
	}
#define CHILD15                                                                          \
	{                                                                                \
		366, 110, 70, 80, 15, M, true, 12                                        \
	}

static const struct ecase {
	const char *name;
	struct person p;
	const char *yes; /* the codes answered yes, space-separated */
	enum tc_screen_outcome verdict;
	bool caution;
	const char *reasons; /* the codes, in order, space-separated */
	int postpone_days;   /* -1: none */
} cases[] = {
	{ "nothing found", ADULT, "", ELIG, false, "", -1 },
	/* every question, answered yes alone */
	{ "anaphylaxis to a COVID-19 vaccine", ADULT, "anaphylaxis_same_vaccine", CONTRA,
	  false, "anaphylaxis_same_vaccine", -1 },
	{ "severe reaction to a dose", ADULT, "severe_reaction_previous_dose", REFER,
	  false, "severe_reaction_previous_dose", -1 },
	{ "COVID-19 in 3 months", ADULT, "covid19_recent", POSTP, false, "covid19_recent",
	  90 },
	{ "acute illness", ADULT, "acute_illness", POSTP, false, "acute_illness", 7 },
	{ "chronic, progressing", ADULT, "chronic_progressing", POSTP, false,
	  "chronic_progressing", 28 },
	{ "another vaccine in 14 days", ADULT, "other_vaccine_14d", POSTP, false,
	  "other_vaccine_14d", 14 },
	{ "pregnant < 13 weeks", WOMAN, "pregnant_lt13w", POSTP, false, "pregnant_lt13w",
	  28 },
	{ "pregnant >= 13 weeks", WOMAN, "pregnant_ge13w", ELIG, true, "pregnant_ge13w",
	  -1 },
	{ "anaphylaxis grade 3 to anything", ADULT, "anaphylaxis_grade3_other", REFER,
	  false, "anaphylaxis_grade3_other", -1 },
	{ "severe immunosuppression", ADULT, "immunosuppression_severe", REFER, false,
	  "immunosuppression_severe", -1 },
	{ "allergy", ADULT, "allergy_any", ELIG, true, "allergy_any", -1 },
	{ "bleeding disorder", ADULT, "bleeding_disorder", ELIG, true,
	  "bleeding_disorder", -1 },
	{ "consciousness", ADULT, "consciousness_behaviour", ELIG, true,
	  "consciousness_behaviour", -1 },
	{ "child: congenital disease", CHILD15, "congenital_chronic_child", REFER, false,
	  "congenital_chronic_child", -1 },
	{ "child: heart or lungs", CHILD15, "heart_lung_abnormal_child", REFER, false,
	  "heart_lung_abnormal_child", -1 },
	/* temperature: >= 37.5 and <= 35.5 postpone */
	{ "37.4", { 374, 120, 80, 75, 30, M, false, 12 }, "", ELIG, false, "", -1 },
	{ "37.5", { 375, 120, 80, 75, 30, M, false, 12 }, "", POSTP, false, "fever", 7 },
	{ "45.0", { 450, 120, 80, 75, 30, M, false, 12 }, "", POSTP, false, "fever", 7 },
	{ "35.6", { 356, 120, 80, 75, 30, M, false, 12 }, "", ELIG, false, "", -1 },
	{ "35.5",
	  { 355, 120, 80, 75, 30, M, false, 12 },
	  "",
	  POSTP,
	  false,
	  "hypothermia",
	  1 },
	{ "30.0",
	  { 300, 120, 80, 75, 30, M, false, 12 },
	  "",
	  POSTP,
	  false,
	  "hypothermia",
	  1 },
	/* blood pressure: above 140/90 or below 90/60 is a caution (3802) */
	{ "140/90", { 366, 140, 90, 75, 30, M, false, 12 }, "", ELIG, false, "", -1 },
	{ "141/90",
	  { 366, 141, 90, 75, 30, M, false, 12 },
	  "",
	  ELIG,
	  true,
	  "systolic_high",
	  -1 },
	{ "140/91",
	  { 366, 140, 91, 75, 30, M, false, 12 },
	  "",
	  ELIG,
	  true,
	  "diastolic_high",
	  -1 },
	{ "90/60", { 366, 90, 60, 75, 30, M, false, 12 }, "", ELIG, false, "", -1 },
	{ "89/60",
	  { 366, 89, 60, 75, 30, M, false, 12 },
	  "",
	  ELIG,
	  true,
	  "systolic_low",
	  -1 },
	{ "90/59",
	  { 366, 90, 59, 75, 30, M, false, 12 },
	  "",
	  ELIG,
	  true,
	  "diastolic_low",
	  -1 },
	{ "180/110",
	  { 366, 180, 110, 75, 30, M, false, 12 },
	  "",
	  ELIG,
	  true,
	  "systolic_high diastolic_high",
	  -1 },
	{ "not measured", { 366, 0, 0, 0, 30, M, false, 12 }, "", ELIG, false, "", -1 },
	/* pulse: below 60 or above 100 is a caution */
	{ "pulse 60", { 366, 120, 80, 60, 30, M, false, 12 }, "", ELIG, false, "", -1 },
	{ "pulse 59",
	  { 366, 120, 80, 59, 30, M, false, 12 },
	  "",
	  ELIG,
	  true,
	  "pulse_low",
	  -1 },
	{ "pulse 100", { 366, 120, 80, 100, 30, M, false, 12 }, "", ELIG, false, "", -1 },
	{ "pulse 101",
	  { 366, 120, 80, 101, 30, M, false, 12 },
	  "",
	  ELIG,
	  true,
	  "pulse_high",
	  -1 },
	/* the most severe wins; the longest wait; reasons in the form's order */
	{ "two waits", ADULT, "acute_illness covid19_recent", POSTP, false,
	  "covid19_recent acute_illness", 90 },
	{ "fever and acute illness",
	  { 385, 120, 80, 75, 30, M, false, 12 },
	  "acute_illness",
	  POSTP,
	  false,
	  "acute_illness fever",
	  7 },
	{ "caution and postpone", ADULT, "allergy_any other_vaccine_14d", POSTP, true,
	  "other_vaccine_14d allergy_any", 14 },
	{ "refer over postpone",
	  { 380, 120, 80, 75, 30, M, false, 12 },
	  "immunosuppression_severe",
	  REFER,
	  false,
	  "immunosuppression_severe fever",
	  7 },
	{ "contraindicated over all", ADULT,
	  "anaphylaxis_same_vaccine acute_illness anaphylaxis_grade3_other allergy_any",
	  CONTRA, true,
	  "anaphylaxis_same_vaccine acute_illness anaphylaxis_grade3_other allergy_any",
	  7 },
	/* age and consent */
	{ "12, minimum 12",
	  { 366, 110, 70, 80, 12, F, true, 12 },
	  "",
	  ELIG,
	  false,
	  "",
	  -1 },
	{ "11, minimum 12",
	  { 366, 110, 70, 80, 11, F, true, 12 },
	  "",
	  CONTRA,
	  false,
	  "age_below_product_minimum",
	  -1 },
	{ "5, minimum 5", { 366, 0, 0, 90, 5, M, true, 5 }, "", ELIG, false, "", -1 },
	{ "17 without consent",
	  { 366, 110, 70, 80, 17, M, false, 12 },
	  "",
	  CONSENT,
	  false,
	  "guardian_consent_missing",
	  -1 },
	{ "18 without consent",
	  { 366, 110, 70, 80, 18, M, false, 12 },
	  "",
	  ELIG,
	  false,
	  "",
	  -1 },
	{ "minor: fever, no consent",
	  { 376, 110, 70, 80, 15, M, false, 12 },
	  "",
	  POSTP,
	  false,
	  "fever guardian_consent_missing",
	  7 },
	{ "minor: too young, no consent",
	  { 366, 110, 70, 80, 11, M, false, 12 },
	  "",
	  CONTRA,
	  false,
	  "age_below_product_minimum guardian_consent_missing",
	  -1 },
	{ "minor: allergy, no consent",
	  { 366, 110, 70, 80, 16, F, false, 12 },
	  "allergy_any",
	  CONSENT,
	  true,
	  "allergy_any guardian_consent_missing",
	  -1 },
};

static bool in_list(const char *list, const char *code)
{
	size_t n = strlen(code);
	for (const char *p = list; (p = strstr(p, code)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static bool item_applies(const struct tc_screen_item *it, const struct person *p)
{
	switch (it->applies) {
	case TC_SCREEN_ALL: return true;
	case TC_SCREEN_FEMALE: return p->sex == F;
	case TC_SCREEN_MINOR: return p->age < 18;
	case TC_SCREEN_ADULT: return p->age >= 18;
	}
	return false;
}

/* The screening of `p`: every item answered (no, unless in `yes`), or
 * only those that apply when `only_applicable`. */
static struct tc_screening make(const struct person *p, const char *yes,
                                bool only_applicable, struct tc_screen_answer *answers)
{
	struct tc_screening s = {
		.day = day0(),
		.answers = answers,
		.temperature_dc = p->temp,
		.systolic = p->sys,
		.diastolic = p->dia,
		.pulse = p->pulse,
		.age_years = p->age,
		.sex = p->sex,
		.guardian_consent = p->consent,
		.product_min_age = p->min_age,
	};
	for (size_t i = 0; i < shipped.nitems; i++) {
		const struct tc_screen_item *it = &shipped.items[i];
		if (only_applicable && !item_applies(it, p))
			continue;
		answers[s.nanswers++] =
		        (struct tc_screen_answer){ it->code, in_list(yes, it->code) };
	}
	return s;
}

static void test_shipped(void **state)
{
	(void)state;
	assert_int_equal(shipped.nitems, 15);
	assert_int_equal(shipped.nlimits, 8);
	for (size_t i = 1; i < shipped.nitems; i++)
		assert_true(shipped.items[i - 1].order < shipped.items[i].order);
	assert_string_equal(shipped.items[0].code, "anaphylaxis_same_vaccine");
	assert_int_equal(shipped.items[0].outcome, TC_SCREEN_CONTRAINDICATED);
	assert_string_equal(shipped.items[3].question_vi, "Đang mắc bệnh cấp tính");
	assert_string_equal(shipped.items[3].question_en,
	                    "Currently has an acute illness");
	assert_string_equal(shipped.limits[0].code, "fever");
	assert_int_equal(shipped.limits[0].measure, TC_SCREEN_TEMPERATURE);
	assert_int_equal(shipped.limits[0].cmp, TC_SCREEN_GE);
	assert_int_equal(shipped.limits[0].value, 375);
	/* every row of the table above names codes that exist */
	for (size_t k = 0; k < TC_ARRAY_LEN(cases); k++) {
		char buf[256], *save = NULL;
		snprintf(buf, sizeof(buf), "%s", cases[k].yes);
		for (char *c = strtok_r(buf, " ", &save); c;
		     c = strtok_r(NULL, " ", &save)) {
			size_t i = 0;
			while (i < shipped.nitems &&
			       strcmp(shipped.items[i].code, c) != 0)
				i++;
			if (i == shipped.nitems)
				fail_msg("case '%s': no item %s", cases[k].name, c);
		}
	}
}

static void test_cases(void **state)
{
	struct tc_screen_answer answers[64];
	(void)state;
	for (size_t k = 0; k < TC_ARRAY_LEN(cases); k++) {
		const struct ecase *c = &cases[k];
		struct tc_screening s = make(&c->p, c->yes, false, answers);
		struct tc_screen_result r;
		struct tc_fault f = { 0 };
		char got[512] = "";
		size_t len = 0;

		if (tc_screen_evaluate(&shipped, &s, &arena, &r, &f) != TC_ERR_OK)
			fail_msg("case '%s': %s: %s", c->name, f.field, f.message);
		for (size_t i = 0; i < r.nreasons; i++) {
			len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s",
			                        i ? " " : "", r.reasons[i].code);
			assert_non_null(r.reasons[i].text_vi);
			assert_non_null(r.reasons[i].text_en);
		}
		if (r.verdict != c->verdict || r.caution != c->caution ||
		    strcmp(got, c->reasons) != 0 || r.postpone_days != c->postpone_days)
			fail_msg("case '%s': got %s%s [%s] wait %d; want %s%s [%s] wait "
			         "%d",
			         c->name, tc_screen_outcome_name(r.verdict),
			         r.caution ? "+caution" : "", got, r.postpone_days,
			         tc_screen_outcome_name(c->verdict),
			         c->caution ? "+caution" : "", c->reasons,
			         c->postpone_days);
		if (c->postpone_days >= 0)
			assert_int_equal(r.postpone_until, day0() + c->postpone_days);
		/* no row of the shipped data extends the observation */
		assert_int_equal(r.observe_minutes, TC_SCREEN_OBSERVE_MINUTES);
		assert_false(r.extended_observation);
	}
}

static void test_reason_texts(void **state)
{
	struct tc_screen_answer answers[64];
	struct person p = { 375, 120, 80, 75, 11, M, true, 12 };
	struct tc_screening s = make(&p, "acute_illness", false, answers);
	struct tc_screen_result r;
	struct tc_fault f = { 0 };
	(void)state;
	assert_int_equal(tc_screen_evaluate(&shipped, &s, &arena, &r, &f), TC_ERR_OK);
	assert_int_equal(r.nreasons, 3);
	assert_string_equal(r.reasons[0].text_vi, "Đang mắc bệnh cấp tính");
	assert_int_equal(r.reasons[0].outcome, TC_SCREEN_POSTPONE);
	assert_string_equal(r.reasons[1].text_en,
	                    "Fever (temperature of 37.5 °C or more)");
	assert_string_equal(r.reasons[2].text_vi,
	                    "Dưới độ tuổi tối thiểu của vắc xin (12 tuổi)");
	assert_string_equal(r.reasons[2].text_en,
	                    "Below the vaccine's minimum age (12 years)");
	assert_int_equal(r.reasons[2].outcome, TC_SCREEN_CONTRAINDICATED);
	assert_int_equal(r.verdict, TC_SCREEN_CONTRAINDICATED);
	/* the wait is still given for a later screening */
	assert_int_equal(r.postpone_days, 7);
}

/* Only the items that apply need answers: a man is not asked about
 * pregnancy, an adult not the children's questions. */
static void test_only_applicable(void **state)
{
	static const struct person people[] = { ADULT, WOMAN, CHILD15 };
	struct tc_screen_answer answers[64];
	(void)state;
	for (size_t i = 0; i < TC_ARRAY_LEN(people); i++) {
		struct tc_screening s = make(&people[i], "", true, answers);
		struct tc_screen_result r;
		struct tc_fault f = { 0 };
		assert_true(s.nanswers < shipped.nitems);
		assert_int_equal(tc_screen_evaluate(&shipped, &s, &arena, &r, &f),
		                 TC_ERR_OK);
		assert_int_equal(r.verdict, TC_SCREEN_ELIGIBLE);
	}
}

/* Refused screenings: the error and the field it names. */
static const struct fcase {
	const char *name;
	struct person p;
	tc_err err;
	const char *field;
} faults[] = {
	{ "temperature 29.9",
	  { 299, 120, 80, 75, 30, M, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "temperature" },
	{ "temperature 45.1",
	  { 451, 120, 80, 75, 30, M, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "temperature" },
	{ "temperature not given",
	  { 0, 120, 80, 75, 30, M, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "temperature" },
	{ "systolic 49",
	  { 366, 49, 40, 75, 30, M, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "systolic" },
	{ "systolic 261",
	  { 366, 261, 80, 75, 30, M, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "systolic" },
	{ "diastolic 29",
	  { 366, 120, 29, 75, 30, M, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "diastolic" },
	{ "diastolic 161",
	  { 366, 200, 161, 75, 30, M, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "diastolic" },
	{ "systolic alone",
	  { 366, 120, 0, 75, 30, M, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "diastolic" },
	{ "diastolic alone",
	  { 366, 0, 80, 75, 30, M, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "systolic" },
	{ "diastolic above systolic",
	  { 366, 80, 120, 75, 30, M, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "diastolic" },
	{ "pulse 19",
	  { 366, 120, 80, 19, 30, M, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "pulse" },
	{ "pulse 251",
	  { 366, 120, 80, 251, 30, M, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "pulse" },
	{ "age -1",
	  { 366, 120, 80, 75, -1, M, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "age_years" },
	{ "age 151",
	  { 366, 120, 80, 75, 151, M, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "age_years" },
	{ "sex unknown",
	  { 366, 120, 80, 75, 30, TC_GENDER_UNKNOWN, false, 12 },
	  TC_ERR_INVALID_FIELD,
	  "sex" },
	{ "minimum age 101",
	  { 366, 120, 80, 75, 30, M, false, 101 },
	  TC_ERR_INVALID_FIELD,
	  "product_min_age" },
};

static void test_faults(void **state)
{
	struct tc_screen_answer answers[64];
	(void)state;
	for (size_t k = 0; k < TC_ARRAY_LEN(faults); k++) {
		const struct fcase *c = &faults[k];
		struct tc_screening s = make(&c->p, "", false, answers);
		struct tc_screen_result r;
		struct tc_fault f = { 0 };
		tc_err rc = tc_screen_evaluate(&shipped, &s, &arena, &r, &f);
		if (rc != c->err || f.code != rc || f.field == NULL ||
		    strcmp(f.field, c->field) != 0)
			fail_msg("case '%s': got %s field %s", c->name, tc_err_code(rc),
			         f.field ? f.field : "(none)");
		assert_non_null(f.message);
	}
}

static tc_err eval_answers(const struct person *p, struct tc_screen_answer *answers,
                           size_t n, struct tc_fault *f)
{
	struct tc_screen_answer scratch[64];
	struct tc_screening s = make(p, "", false, scratch);
	struct tc_screen_result r;
	s.answers = answers;
	s.nanswers = n;
	return tc_screen_evaluate(&shipped, &s, &arena, &r, f);
}

static void test_answer_faults(void **state)
{
	static const struct person adult = ADULT, child = CHILD15;
	struct tc_screen_answer answers[64];
	struct tc_fault f = { 0 };
	size_t n;
	(void)state;

	/* every item, then one left out: the fault names it */
	n = make(&adult, "", false, answers).nanswers;
	for (size_t i = 0; i < n; i++)
		if (strcmp(answers[i].code, "acute_illness") == 0)
			answers[i] = answers[--n];
	assert_int_equal(eval_answers(&adult, answers, n, &f), TC_ERR_MISSING_FIELD);
	assert_string_equal(f.field, "answers.acute_illness");

	/* a child's question left out for a child */
	n = make(&child, "", true, answers).nanswers;
	answers[n - 1] = answers[n - 2]; /* the last two are the children's */
	answers[n - 2].code = "acute_illness";
	tc_fault_clear(&f);
	assert_int_equal(eval_answers(&child, answers, n, &f), TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "answers"); /* acute_illness twice */
	assert_non_null(strstr(f.message, "acute_illness"));
	n = make(&child, "", true, answers).nanswers - 1;
	tc_fault_clear(&f);
	assert_int_equal(eval_answers(&child, answers, n, &f), TC_ERR_MISSING_FIELD);
	assert_string_equal(f.field, "answers.heart_lung_abnormal_child");

	/* an unknown code */
	n = make(&adult, "", false, answers).nanswers;
	answers[n++] = (struct tc_screen_answer){ "headache", false };
	tc_fault_clear(&f);
	assert_int_equal(eval_answers(&adult, answers, n, &f), TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "answers");
	assert_non_null(strstr(f.message, "'headache'"));

	/* no code at all */
	n = make(&adult, "", false, answers).nanswers;
	answers[0].code = NULL;
	tc_fault_clear(&f);
	assert_int_equal(eval_answers(&adult, answers, n, &f), TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "answers");

	/* yes to a question that does not apply: a man pregnant */
	n = make(&adult, "pregnant_lt13w", false, answers).nanswers;
	tc_fault_clear(&f);
	assert_int_equal(eval_answers(&adult, answers, n, &f), TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "answers.pregnant_lt13w");
	/* an adult asked a child's question */
	n = make(&adult, "heart_lung_abnormal_child", false, answers).nanswers;
	tc_fault_clear(&f);
	assert_int_equal(eval_answers(&adult, answers, n, &f), TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "answers.heart_lung_abnormal_child");
}

/* ---- the loader --------------------------------------------------------- */

#define IH                                                                               \
	"order,code,applies_to,answer,outcome,postpone_days,observe_minutes,"            \
	"question_vi,question_en,source\n"
#define LH                                                                               \
	"order,code,measure,op,value,outcome,postpone_days,observe_minutes,"             \
	"text_vi,text_en,source\n"
#define IROW "1,sick,all,yes_no,postpone,7,,Đang ốm,Ill,test\n"
#define LROW "1,hot,temperature,ge,37.5,postpone,3,,Sốt,Fever,test\n"

static tc_err parse(const char *items, const char *limits, struct tc_screen_checklist *c,
                    struct tc_fault *f)
{
	return tc_screen_csv_parse(items, strlen(items), limits, strlen(limits), &arena,
	                           c, f);
}

/* A checklist of its own: an item that extends the observation to an hour,
 * a limit that refers, rows given out of order. */
static void test_own_checklist(void **state)
{
	const char *items =
	        "# a comment\n\n" IH "3,allergy,all,yes_no,caution,,60,Dị ứng,"
	        "Allergy,test\n" IROW
	        "2,teen,minor,yes_no,refer,,,\"Trẻ, bệnh\",\"Child, ill\",t\n";
	const char *limits =
	        "\xEF\xBB\xBF" LH
	        "2,very_hot,temperature,gt,39,refer,,90,Sốt cao,High fever,t\n" LROW
	        "3,slow,pulse,le,40,caution,,,Chậm,Slow,t\r\n";
	struct tc_screen_checklist c;
	struct tc_screen_result r;
	struct tc_fault f = { 0 };
	struct tc_screen_answer answers[] = { { "allergy", true }, { "sick", false } };
	struct tc_screening s = { .day = day0(),
		                  .answers = answers,
		                  .nanswers = 2,
		                  .temperature_dc = 366,
		                  .age_years = 40,
		                  .sex = F };
	(void)state;
	if (parse(items, limits, &c, &f) != TC_ERR_OK)
		fail_msg("%s", f.message);
	assert_int_equal(c.nitems, 3);
	assert_string_equal(c.items[0].code, "sick");
	assert_string_equal(c.items[1].code, "teen");
	assert_string_equal(c.items[1].question_vi, "Trẻ, bệnh");
	assert_int_equal(c.items[1].applies, TC_SCREEN_MINOR);
	assert_int_equal(c.items[2].observe_minutes, 60);
	assert_int_equal(c.nlimits, 3);
	assert_string_equal(c.limits[0].code, "hot");
	assert_int_equal(c.limits[1].value, 390);
	assert_int_equal(c.limits[2].measure, TC_SCREEN_PULSE);

	assert_int_equal(tc_screen_evaluate(&c, &s, &arena, &r, &f), TC_ERR_OK);
	assert_int_equal(r.verdict, TC_SCREEN_ELIGIBLE);
	assert_true(r.caution);
	assert_int_equal(r.observe_minutes, 60);
	assert_true(r.extended_observation);

	s.temperature_dc = 391; /* hot and very hot: refer, observe 90 */
	assert_int_equal(tc_screen_evaluate(&c, &s, &arena, &r, &f), TC_ERR_OK);
	assert_int_equal(r.verdict, TC_SCREEN_REFER);
	assert_int_equal(r.nreasons, 3);
	assert_string_equal(r.reasons[1].code, "hot");
	assert_string_equal(r.reasons[2].code, "very_hot");
	assert_int_equal(r.postpone_days, 3);
	assert_int_equal(r.observe_minutes, 90);

	s.temperature_dc = 390; /* gt 39: 39.0 is not past it */
	s.pulse = 40;
	answers[0].yes = false;
	assert_int_equal(tc_screen_evaluate(&c, &s, &arena, &r, &f), TC_ERR_OK);
	assert_int_equal(r.verdict, TC_SCREEN_POSTPONE);
	assert_int_equal(r.nreasons, 2);
	assert_string_equal(r.reasons[1].code, "slow");
	assert_false(r.extended_observation);
}

static const struct lcase {
	const char *items, *limits; /* NULL: a valid default */
	const char *want;           /* the start of the fault's message */
} refusals[] = {
	{ "", NULL, "covid19.csv line 1: no header row" },
	{ "# only a comment\n", NULL, "covid19.csv line 2: no header row" },
	{ IH, NULL, "covid19.csv: no questions after the header" },
	{ NULL, "", "covid19_vitals.csv line 1: no header row" },
	{ "order,code\n", NULL,
	  "covid19.csv line 1: the header has no column applies_to" },
	{ IH "1,a\n", NULL, "covid19.csv line 2 column 3: 2 fields, the header has 10" },
	{ "order,code,applies_to,answer,outcome,postpone_days,observe_minutes,question_"
	  "vi,"
	  "question_en,source,colour\n",
	  NULL, "covid19.csv line 1 column 11: unknown column 'colour'" },
	{ "order,order\n", NULL, "covid19.csv line 1 column 2: repeated column 'order'" },
	{ IH "0,a,all,yes_no,caution,,,q,q,s\n", NULL,
	  "covid19.csv line 2 column 1 (order): '0' is not a whole number from 1 to "
	  "999" },
	{ IH "x,a,all,yes_no,caution,,,q,q,s\n", NULL,
	  "covid19.csv line 2 column 1 (order): 'x' is not" },
	{ IH IROW "1,b,all,yes_no,caution,,,q,q,s\n", NULL,
	  "covid19.csv line 3 column 1 (order): a second row with order '1'" },
	{ IH IROW "2,sick,all,yes_no,caution,,,q,q,s\n", NULL,
	  "covid19.csv line 3 column 2 (code): a second row for 'sick'" },
	{ NULL, LH "1,sick,pulse,gt,100,caution,,,q,q,s\n",
	  "covid19_vitals.csv line 2 column 2 (code): a second row for 'sick'" },
	{ IH "1,Sick,all,yes_no,caution,,,q,q,s\n", NULL,
	  "covid19.csv line 2 column 2 (code): only a-z, 0-9 and _ are allowed in "
	  "'Sick'" },
	{ IH "1,,all,yes_no,caution,,,q,q,s\n", NULL,
	  "covid19.csv line 2 column 2 (code): must be 1 to 48 characters" },
	{ IH "1,guardian_consent_missing,all,yes_no,caution,,,q,q,s\n", NULL,
	  "covid19.csv line 2 column 2 (code): reserved" },
	{ IH "1,a,men,yes_no,caution,,,q,q,s\n", NULL,
	  "covid19.csv line 2 column 3 (applies_to): not one of all, female, minor, "
	  "adult: "
	  "'men'" },
	{ IH "1,a,all,number,caution,,,q,q,s\n", NULL,
	  "covid19.csv line 2 column 4 (answer): not yes_no" },
	{ IH "1,a,all,yes_no,eligible,,,q,q,s\n", NULL,
	  "covid19.csv line 2 column 5 (outcome): not one of contraindicated, refer, "
	  "postpone, caution: 'eligible'" },
	{ IH "1,a,all,yes_no,needs_consent,,,q,q,s\n", NULL,
	  "covid19.csv line 2 column 5 (outcome)" },
	{ IH "1,a,all,yes_no,postpone,,,q,q,s\n", NULL,
	  "covid19.csv line 2 column 6 (postpone_days): a value is required" },
	{ IH "1,a,all,yes_no,postpone,366,,q,q,s\n", NULL,
	  "covid19.csv line 2 column 6 (postpone_days): '366' is not a whole number from "
	  "0 "
	  "to 365" },
	{ IH "1,a,all,yes_no,refer,7,,q,q,s\n", NULL,
	  "covid19.csv line 2 column 6 (postpone_days): must be empty unless the outcome "
	  "is "
	  "postpone" },
	{ IH "1,a,all,yes_no,caution,,30,q,q,s\n", NULL,
	  "covid19.csv line 2 column 7 (observe_minutes): '30' is not a whole number "
	  "from "
	  "31 to 240" },
	{ IH "1,a,all,yes_no,caution,,,,q,s\n", NULL,
	  "covid19.csv line 2 column 8 (question_vi): a value is required" },
	{ IH "1,a,all,yes_no,caution,,,q,\"two\nlines\",s\n", NULL,
	  "covid19.csv line 2 column 9 (question_en): not UTF-8 text on one line" },
	{ IH "1,a,all,yes_no,caution,,,\xC3(,q,s\n", NULL,
	  "covid19.csv line 2 column 8 (question_vi): not UTF-8" },
	{ IH "1,a,all,yes_no,caution,,,q,q,\n", NULL,
	  "covid19.csv line 2 column 10 (source): a value is required" },
	{ "# c\n# c\n" IH "1,a,all,yes_no,caution,,,q,\"q,s\n", NULL,
	  "covid19.csv line 4: " },
	{ NULL, LH "1,t,weight,gt,100,caution,,,q,q,s\n",
	  "covid19_vitals.csv line 2 column 3 (measure): not one of temperature, "
	  "systolic, "
	  "diastolic, pulse: 'weight'" },
	{ NULL, LH "1,t,pulse,>,100,caution,,,q,q,s\n",
	  "covid19_vitals.csv line 2 column 4 (op): not one of lt, le, gt, ge: '>'" },
	{ NULL, LH "1,t,temperature,ge,37.55,caution,,,q,q,s\n",
	  "covid19_vitals.csv line 2 column 5 (value): not a temperature from 30.0 to "
	  "45.0 "
	  "(one decimal at most): '37.55'" },
	{ NULL, LH "1,t,temperature,ge,\"37,5\",caution,,,q,q,s\n",
	  "covid19_vitals.csv line 2 column 5 (value): not a temperature" },
	{ NULL, LH "1,t,temperature,ge,29.9,caution,,,q,q,s\n",
	  "covid19_vitals.csv line 2 column 5 (value): not a temperature" },
	{ NULL, LH "1,t,temperature,ge,.5,caution,,,q,q,s\n",
	  "covid19_vitals.csv line 2 column 5 (value): not a temperature" },
	{ NULL, LH "1,t,temperature,ge,-37,caution,,,q,q,s\n",
	  "covid19_vitals.csv line 2 column 5 (value): not a temperature" },
	{ NULL, LH "1,t,systolic,gt,261,caution,,,q,q,s\n",
	  "covid19_vitals.csv line 2 column 5 (value): '261' is not a whole number from "
	  "50 "
	  "to 260" },
	{ NULL,
	  LH "1,t,pulse,gt,100,caution,,,q,q,s\n2,u,pulse,lt,60,caution,,,q,q,s\n"
	     "2,v,pulse,lt,50,caution,,,q,q,s\n",
	  "covid19_vitals.csv line 4 column 1 (order): a second row with order '2'" },
};

static void test_refusals(void **state)
{
	(void)state;
	for (size_t k = 0; k < TC_ARRAY_LEN(refusals); k++) {
		const struct lcase *c = &refusals[k];
		struct tc_screen_checklist out;
		struct tc_fault f = { 0 };
		tc_err rc = parse(c->items ? c->items : IH IROW,
		                  c->limits ? c->limits : LH LROW, &out, &f);
		if (rc != TC_ERR_IO || f.message == NULL ||
		    strncmp(f.message, c->want, strlen(c->want)) != 0)
			fail_msg("case %zu: got %s '%s'\n  want '%s'", k, tc_err_code(rc),
			         f.message ? f.message : "", c->want);
		assert_string_equal(f.field, "file");
		assert_null(out.items);
	}
}

static void test_load_missing(void **state)
{
	struct tc_screen_checklist c;
	struct tc_fault f = { 0 };
	const char *sha;
	(void)state;
	assert_int_equal(tc_screen_csv_load("tests/no-such-dir", &arena, &c, &sha, &f),
	                 TC_ERR_IO);
	assert_non_null(strstr(f.message, "covid19.csv"));
}

static void test_json(void **state)
{
	struct tc_buf b;
	struct tc_jw w;
	json_error_t jerr;
	json_t *j, *items, *limits;
	(void)state;
	tc_buf_init(&b);
	tc_jw_init(&w, &b);
	tc_screen_checklist_json(&w, &shipped);
	j = json_loads(b.data, 0, &jerr);
	if (j == NULL)
		fail_msg("%s: %s", jerr.text, b.data);
	assert_int_equal(json_integer_value(json_object_get(j, "observe_minutes")), 30);
	assert_int_equal(json_integer_value(json_object_get(j, "adult_age")), 18);
	items = json_object_get(j, "items");
	limits = json_object_get(j, "limits");
	assert_int_equal(json_array_size(items), 15);
	assert_int_equal(json_array_size(limits), 8);
	assert_string_equal(
	        json_string_value(json_object_get(json_array_get(items, 3), "code")),
	        "acute_illness");
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 3),
	                                                      "question_vi")),
	                    "Đang mắc bệnh cấp tính");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 3),
	                                                    "postpone_days")),
	                 7);
	assert_true(
	        json_is_null(json_object_get(json_array_get(items, 0), "postpone_days")));
	assert_string_equal(
	        json_string_value(json_object_get(json_array_get(items, 0), "outcome")),
	        "contraindicated");
	assert_true(json_is_real(json_object_get(json_array_get(limits, 0), "value")));
	assert_true(json_real_value(
	                    json_object_get(json_array_get(limits, 0), "value")) == 37.5);
	assert_int_equal(
	        json_integer_value(json_object_get(json_array_get(limits, 2), "value")),
	        140);
	assert_string_equal(
	        json_string_value(json_object_get(json_array_get(limits, 2), "op")),
	        "gt");
	assert_null(json_object_get(json_array_get(items, 0), "source"));
	json_decref(j);
	tc_buf_cleanup(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_reason_texts),
		cmocka_unit_test(test_only_applicable),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_answer_faults),
		cmocka_unit_test(test_own_checklist),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, load_shipped, free_shipped);
}
