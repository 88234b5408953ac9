/* Step 2 at a site, screening before a COVID-19 vaccination: the Ministry
 * of Health's checklist (yes/no questions and limits of measured vital
 * signs, kept as data in data/screening/, read by src/io/screening_csv.h)
 * applied to one person's answers and measurements. Pure rules, no I/O.
 *
 * The outcome is the most severe of the reasons found:
 *   contraindicated > refer > postpone > needs_consent > eligible,
 * where a caution reason keeps the person eligible and sets `caution`.
 * The result always concerns one product: an age below the product's
 * minimum makes it contraindicated for that product (reason
 * TC_SCREEN_AGE_CODE), not for another. A minor (under 18) whose guardian
 * has not consented is needs_consent (reason TC_SCREEN_CONSENT_CODE): no
 * medical wait, the guardian signs and screening resumes the same day; a
 * more severe reason wins over it, and it is listed with them. */
#ifndef TC_SCREENING_H
#define TC_SCREENING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"
#include "idnum.h"

struct tc_arena;
struct tc_jw;

#define TC_SCREEN_ADULT_AGE       18 /* under it: a minor, needs consent */
#define TC_SCREEN_OBSERVE_MINUTES 30 /* standard observation after a dose */
#define TC_SCREEN_AGE_CODE        "age_below_product_minimum"
#define TC_SCREEN_CONSENT_CODE    "guardian_consent_missing"

/* Ordered by severity. A checklist row gives one of CAUTION, POSTPONE,
 * REFER, CONTRAINDICATED; a result's verdict is never CAUTION. */
enum tc_screen_outcome {
	TC_SCREEN_ELIGIBLE,
	TC_SCREEN_CAUTION,
	TC_SCREEN_NEEDS_CONSENT,
	TC_SCREEN_POSTPONE,
	TC_SCREEN_REFER,
	TC_SCREEN_CONTRAINDICATED,
};

enum tc_screen_applies {
	TC_SCREEN_ALL,
	TC_SCREEN_FEMALE,
	TC_SCREEN_MINOR,
	TC_SCREEN_ADULT
};
enum tc_screen_measure {
	TC_SCREEN_TEMPERATURE, /* tenths of a degree Celsius */
	TC_SCREEN_SYSTOLIC,    /* mmHg */
	TC_SCREEN_DIASTOLIC,   /* mmHg */
	TC_SCREEN_PULSE,       /* beats per minute */
};
enum tc_screen_cmp { TC_SCREEN_LT, TC_SCREEN_LE, TC_SCREEN_GT, TC_SCREEN_GE };

/* The snake_case names used in the data files and the API ("eligible",
 * "caution", "needs_consent", "postpone", "refer", "contraindicated";
 * "all", "female", "minor", "adult"; "temperature", "systolic", "diastolic",
 * "pulse"; "lt", "le", "gt", "ge"), and back (false for anything else). */
const char *tc_screen_outcome_name(enum tc_screen_outcome o);
const char *tc_screen_applies_name(enum tc_screen_applies a);
const char *tc_screen_measure_name(enum tc_screen_measure m);
const char *tc_screen_cmp_name(enum tc_screen_cmp c);
bool tc_screen_outcome_parse(const char *s, enum tc_screen_outcome *out);
bool tc_screen_applies_parse(const char *s, enum tc_screen_applies *out);
bool tc_screen_measure_parse(const char *s, enum tc_screen_measure *out);
bool tc_screen_cmp_parse(const char *s, enum tc_screen_cmp *out);

/* The plausible range of a measurement (outside it: a typing error), in
 * the measure's unit: temperature 300..450 (30.0..45.0 °C), systolic
 * 50..260, diastolic 30..160, pulse 20..250. */
void tc_screen_measure_range(enum tc_screen_measure m, int *min, int *max);

/* One yes/no question of the form; "yes" gives `outcome`. */
struct tc_screen_item {
	int order;
	const char *code; /* [a-z0-9_]+, unique among items and limits */
	enum tc_screen_applies applies;
	enum tc_screen_outcome outcome; /* CAUTION .. CONTRAINDICATED */
	int postpone_days;              /* POSTPONE: 0..365 from the screening day */
	int observe_minutes;            /* 0: the standard; else more than it */
	const char *question_vi, *question_en;
	const char *source;
};

/* One limit of a vital sign: past it when "measured cmp value" holds. */
struct tc_screen_limit {
	int order;
	const char *code;
	enum tc_screen_measure measure;
	enum tc_screen_cmp cmp;
	int value; /* in the measure's unit (tenths of °C for temperature) */
	enum tc_screen_outcome outcome;
	int postpone_days, observe_minutes;
	const char *text_vi, *text_en;
	const char *source;
};

/* A loaded checklist: items and limits each sorted by order. Borrowed by
 * everything that reads it; the loader's arena owns it. */
struct tc_screen_checklist {
	const struct tc_screen_item *items;
	size_t nitems;
	const struct tc_screen_limit *limits;
	size_t nlimits;
};

struct tc_screen_answer {
	const char *code;
	bool yes;
};

/* One screening. Every item that applies to the person (by sex and age)
 * must be answered; an item that does not apply may be answered "no".
 * Temperature is always measured; blood pressure and pulse only for some
 * people (5785/QĐ-BYT), so 0 means not measured (both pressures or
 * neither). */
struct tc_screening {
	int64_t day; /* the screening day, days since 1970-01-01 (Vietnam) */
	const struct tc_screen_answer *answers;
	size_t nanswers;
	int temperature_dc;      /* tenths of °C: 300..450 */
	int systolic, diastolic; /* mmHg: 50..260 and 30..160, or both 0 */
	int pulse;               /* per minute: 20..250, or 0 */
	int age_years;           /* on the screening day: 0..150 */
	enum tc_gender sex;      /* FEMALE, MALE; UNKNOWN is refused */
	bool guardian_consent;   /* a minor's guardian has signed */
	int product_min_age;     /* the product's min_age_years: 0..100 */
};

/* Why the verdict is what it is: a checklist row answered yes or a limit
 * passed, the product's minimum age, the missing consent. The texts are
 * the checklist's (borrowed), static, or (the age's) from the arena. */
struct tc_screen_reason {
	const char *code;
	enum tc_screen_outcome outcome;
	const char *text_vi, *text_en;
};

struct tc_screen_result {
	enum tc_screen_outcome verdict;         /* never CAUTION */
	bool caution;                           /* a caution reason: screen closely */
	const struct tc_screen_reason *reasons; /* items, limits, age, consent */
	size_t nreasons;
	int postpone_days;         /* the longest wait of a postpone reason; -1: none */
	int64_t postpone_until;    /* day + postpone_days; meaningless when -1 */
	int observe_minutes;       /* the longest asked for, at least the standard */
	bool extended_observation; /* observe_minutes above the standard */
};

/* Applies the checklist to the screening. A fault is INVALID_FIELD naming
 * "temperature", "systolic", "diastolic" (out of range, one without the
 * other, or diastolic not below systolic), "pulse",
 * "age_years", "sex", "product_min_age", "answers" (a repeated or
 * unknown code: the message names it) or "answers.<code>" (a yes to an
 * item that does not apply), or MISSING_FIELD naming "answers.<code>" for
 * the first applicable item left unanswered. Reasons (and field names) are
 * allocated from `a`. */
tc_err tc_screen_evaluate(const struct tc_screen_checklist *c,
                          const struct tc_screening *s, struct tc_arena *a,
                          struct tc_screen_result *out, struct tc_fault *f);

/* The checklist for the web form: {"observe_minutes":30,"adult_age":18,
 * "items":[{"order","code","applies_to","answer":"yes_no","outcome",
 * "postpone_days" (null unless postpone),"observe_minutes" (null: standard),
 * "question_vi","question_en"}],"limits":[{"order","code","measure","op",
 * "value" (a number in the measure's unit: 37.5 °C, 140 mmHg),"outcome",
 * "postpone_days","observe_minutes","text_vi","text_en"}]}. */
void tc_screen_checklist_json(struct tc_jw *w, const struct tc_screen_checklist *c);

#endif
