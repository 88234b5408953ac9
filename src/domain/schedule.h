/* The dose schedule as pure rules: which dose a vaccination is (primary 1..n
 * or booster 1, 2, ...), derived from the person's history and the
 * products' schedules, the earliest day it may be given, and whether it
 * breaks a rule: the minimum interval, the minimum age, a product not given
 * as a booster, or a change of product that no mixing rule allows
 * (data/vaccines/mixing.csv, read by src/io/mixing_csv.h).
 *
 * The rules, in the order a dose is judged:
 * - A dose of a product missing from the product table is not numbered.
 * - The first counted dose starts the primary series; its product fixes the
 *   series' length (Janssen's one dose completes it at once). A later dose
 *   of the series with another product needs a `primary` mixing rule whose
 *   `after` matches the series' first product.
 * - After a complete series every dose is a booster. The product must be
 *   given as a booster (booster_min_days >= 0) and a rule must allow it
 *   after the dose just before it: `booster` rules for the first booster,
 *   `booster2` rules for the second and every later one. The same product
 *   again is allowed only by a rule with `then` "=".
 * - The interval runs from the dose just before: within the series the
 *   series product's min_interval_days, for a booster the booster
 *   product's booster_min_days, unless the rule that allowed the dose says
 *   otherwise. Of several rules that allow a dose the most specific wins
 *   (a product code over a platform over "*", `after` and `then` counted
 *   alike), and of equally specific ones the longest interval.
 * - Age is whole years at the day of the dose against min_age_years.
 *
 * A proposed dose that breaks a rule is refused unless staff override it:
 * the caller then requires a reason and writes it to the audit log. A dose
 * that was already given (from elsewhere, from paper, from the offline app)
 * is never refused: it is numbered like any other, stored, and its verdict
 * flags it for the review worklist. */
#ifndef TC_SCHEDULE_H
#define TC_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tc_arena;

/* What the schedule needs of a product; the caller fills it from struct
 * tc_product_info (src/db/stock.h), which has the same fields. */
struct tc_sched_product {
	const char *code; /* EU DCC product code */
	const char *name; /* for the reasons; the code when NULL */
	/* mrna, viral_vector, inactivated, protein_subunit, other */
	const char *platform;
	int64_t series_doses;      /* 1 to 5 */
	int64_t min_interval_days; /* between doses of the series */
	int64_t booster_min_days;  /* after the dose before; -1: never a booster */
	int64_t min_age_years;
};

/* Whether `s` names a platform of the product table. */
bool tc_sched_platform_known(const char *s);

/* A row of data/vaccines/mixing.csv: `then` may follow `after`. */
enum tc_mix_kind {
	TC_MIX_PRIMARY,  /* a later dose of the primary series */
	TC_MIX_BOOSTER,  /* the first booster */
	TC_MIX_BOOSTER2, /* the second and every later booster */
};

struct tc_mix_rule {
	enum tc_mix_kind kind;
	const char *after; /* product code, platform or "*" */
	const char *then;  /* product code, platform, "*", or (boosters) "=":
	                    * the same product as the dose before */
	int64_t min_days;  /* -1: the product's own interval */
};

/* A dose of the person's history. */
struct tc_sched_dose {
	int64_t id; /* orders doses given the same day */
	const char *product;
	int64_t day; /* days since 1970-01-01, Vietnam's calendar */
	bool counts; /* false: voided, ignored */
	/* The number stored so far, to report a change: kind TC_SCHED_KIND_NONE
	 * (and number 0) when the dose was never numbered. */
	int stored_kind; /* enum tc_sched_kind */
	int stored_number;
};

enum tc_sched_kind {
	TC_SCHED_KIND_NONE, /* voided, or of an unknown product */
	TC_SCHED_KIND_PRIMARY,
	TC_SCHED_KIND_BOOSTER,
};

/* Where a person stands before a dose. */
enum tc_sched_stage {
	TC_SCHED_STAGE_NONE,     /* no counted dose */
	TC_SCHED_STAGE_PRIMARY,  /* primary series in progress */
	TC_SCHED_STAGE_COMPLETE, /* primary series complete, no booster */
	TC_SCHED_STAGE_BOOSTED,  /* one booster or more */
};

struct tc_sched_state {
	enum tc_sched_stage stage;
	int series_product; /* index in the product table; -1 before the first */
	int given;          /* primary doses given (k of n) */
	int series_doses;   /* n: the series product's length */
	int boosters;       /* boosters given */
	int last_product;   /* the dose before: index, -1 */
	int64_t last_day;   /* its day; INT64_MIN for none */
};

/* The verdicts: name, snake_case code (the UI translates it). */
#define TC_SCHED_VERDICTS(X)                                                             \
	X(OK, "ok")                                                                      \
	X(UNKNOWN_PRODUCT, "unknown_product")                                            \
	X(BELOW_MIN_AGE, "below_min_age")                                                \
	X(NOT_A_BOOSTER_PRODUCT, "not_a_booster_product")                                \
	X(MIXING_NOT_ALLOWED, "mixing_not_allowed")                                      \
	X(TOO_EARLY, "too_early")

enum tc_sched_verdict {
#define TC_SCHED_V(name, code) TC_SCHED_##name,
	TC_SCHED_VERDICTS(TC_SCHED_V)
#undef TC_SCHED_V
};

const char *tc_sched_verdict_code(enum tc_sched_verdict v);

/* The judgement of one dose. */
struct tc_sched_result {
	struct tc_sched_state before;
	enum tc_sched_kind kind;
	int number;                    /* 1..n primary, 1.. booster; 0 for kind NONE */
	bool completes;                /* the last dose of the primary series */
	enum tc_sched_verdict verdict; /* the first broken, in the enum's order */
	/* INT64_MIN: no constraint (a first dose); the day of the dose before
	 * when no interval applies (not a booster product) */
	int64_t earliest_day;
	const char *reason; /* English, from the arena; NULL when OK */
	bool changed;       /* renumber: kind or number differs from the stored one */
};

/* Everything the rules read; all borrowed. birth_day is the day of birth
 * (for a date known only as a year or a month, the caller picks the day,
 * the first one giving the person the benefit of the doubt); INT64_MIN: not
 * known, age not checked. */
struct tc_sched_ctx {
	const struct tc_sched_product *products;
	size_t nproducts;
	const struct tc_mix_rule *rules;
	size_t nrules;
	int64_t birth_day;
};

/* Whole years of age on `day` for someone born on `birth_day` (born on
 * 29 February: a year older on 1 March in common years). */
int64_t tc_sched_age_years(int64_t birth_day, int64_t day);

/* Numbers a whole history: the counted doses sorted by day, then id, each
 * judged against the doses before it. out[i] answers doses[i] (the input's
 * order); out must hold n results. A verdict other than OK is a flag for
 * review, never a refusal: the dose is numbered all the same. After a
 * dose arrives late the caller stores every result whose `changed` is
 * set. Histories are short: the sort is quadratic. Reasons and scratch
 * from `a`. */
void tc_sched_renumber(const struct tc_sched_ctx *cx, const struct tc_sched_dose *doses,
                       size_t n, struct tc_sched_result *out, struct tc_arena *a);

/* Judges a proposed dose of `product` on `day` against the counted doses
 * of the history given before it (on the same day: all of them). */
void tc_sched_check(const struct tc_sched_ctx *cx, const struct tc_sched_dose *doses,
                    size_t n, const char *product, int64_t day,
                    struct tc_sched_result *out, struct tc_arena *a);

/* Whether an override with a reason may give a dose the rules refuse: every
 * verdict but OK and UNKNOWN_PRODUCT (no schedule to override). */
bool tc_sched_overridable(enum tc_sched_verdict v);

#endif
