/* Vaccination at the site: visits, doses, adverse events, alerts, and the
 * counters kept in the dose's transaction. docs/visits.md is the API.
 *
 * tc_dose_give is the injection's write: it runs inside the caller's
 * transaction and takes the person's row lock first (PostgreSQL; SQLite
 * has one writer), so that two injections for one person, at two sites
 * at once, take turns and the second sees the first's dose. */
#ifndef TC_VISITS_H
#define TC_VISITS_H

#include "../domain/schedule.h"
#include "db.h"
#include "stock.h"

struct tc_visit {
	int64_t id; /* drawn with tc_db_next_id */
	int64_t citizen_id, site_id, session_id, registration_id;
	const char *day;
	bool walk_in;
	const char *status; /* checked_in, screened, postponed, referred,
	                     * vaccinated, completed, cancelled */
	const char *screening;      /* outcome, NULL before screening */
	const char *screening_json; /* answers, measures, reasons */
	const char *postpone_until;
	const char *guardian_name;
	int64_t observe_minutes;
	int64_t screened_at, screened_by;
	int64_t dose_id;
	int64_t injected_at, observe_until, completed_at;
	const char *reason;
	const char *scope_path;
	int64_t created_at, created_by, updated_at, version;
	/* joined */
	const char *full_name, *birth_date, *gender;
	const char *product; /* the session's */
};

struct tc_dose {
	int64_t id; /* drawn with tc_db_next_id */
	int64_t citizen_id;
	const char *product;
	int64_t lot_id; /* 0: a lot we do not hold */
	const char *lot_number;
	const char *given_on; /* "YYYY-MM-DD", Vietnam's calendar */
	int64_t given_at;     /* 0: the time is not known */
	const char *kind;     /* primary, booster, NULL: not numbered */
	int64_t number;
	int64_t site_id; /* 0: elsewhere */
	const char *place;
	const char *unit_code; /* where given, for the counters */
	int64_t visit_id;
	const char *source; /* site, record, import */
	const char *source_ref;
	const char *status; /* valid, voided */
	const char *flags;  /* comma-separated verdict codes, "" none */
	const char *override_reason;
	const char *review; /* none, pending, done */
	const char *scope_path;
	int64_t replaces_id;
	const char *void_reason;
	int64_t voided_at, voided_by;
	int64_t created_at, created_by, version;
	/* joined */
	const char *product_name, *site_name, *full_name;
};

struct tc_aefi {
	int64_t id;
	int64_t dose_id, citizen_id, lot_id, site_id;
	int64_t onset_at;
	const char *symptoms; /* comma-separated codes */
	const char *description;
	const char *severity; /* mild, moderate, severe */
	const char *actions;
	const char *outcome; /* recovering, recovered, hospitalised, died, unknown */
	const char *scope_path;
	int64_t reported_at, reported_by;
};

struct tc_alert {
	int64_t id;
	const char *kind; /* aefi_severe */
	int64_t facility_id;
	const char *scope_path;
	int64_t ref_id;
	const char *message;
	int64_t created_at, acknowledged_at, acknowledged_by;
};

/* JSON views (docs/visits.md: DOSE, AEFI); flags and symptoms as lists. */
struct tc_jw;
void tc_jw_dose(struct tc_jw *w, const struct tc_dose *d);
void tc_jw_aefi(struct tc_jw *w, const struct tc_aefi *e);

/* ---- The schedule's reference data ----------------------------------------- */

/* Products and mixing rules as the schedule takes them; loaded once by
 * the server (tc_vaxref_load) and borrowed by every injection. */
struct tc_vaxref {
	struct tc_sched_product *products;
	struct tc_product_info *infos; /* the same products, every attribute */
	size_t nproducts;
	struct tc_mix_rule *rules;
	size_t nrules;
};
/* Products from the database, mixing rules from DATA/vaccines/mixing.csv;
 * memory from `a`. */
tc_err tc_vaxref_load(struct tc_dbc *c, const char *data_dir, struct tc_arena *a,
                      struct tc_vaxref *out, struct tc_fault *f);
const struct tc_product_info *tc_vaxref_product(const struct tc_vaxref *v,
                                                const char *code);

/* ---- The injection --------------------------------------------------------- */

struct tc_dose_in {
	int64_t citizen_id;
	int64_t site_id;
	int64_t lot_id;
	int64_t visit_id; /* 0: none */
	const char *override_reason; /* a broken rule given anyway: why */
	const char *expect_product;  /* the product screened for; NULL: any */
};

/* Gives one dose at a site now: the lot must be on hand at the site,
 * unexpired and not quarantined; the schedule decides the dose's kind
 * and number and refuses (SCHEDULE, field lot_id, the reason in the
 * fault's message) a dose it does not allow unless there is an override
 * reason; then the dose, the 'administered' movement and the counters
 * are written. Fills *out (strings from `a`). */
tc_err tc_dose_give(struct tc_dbc *c, const struct tc_stock_by *by,
                    const struct tc_vaxref *ref, const struct tc_dose_in *in,
                    struct tc_arena *a, struct tc_dose *out,
                    struct tc_sched_result *verdict, struct tc_fault *f);

/* ---- Doses from elsewhere, and corrections ------------------------------- */

/* Records a dose given elsewhere or earlier (in->source "record" or
 * "import"): citizen_id, product, given_on, and where known lot_number,
 * site_id (one of ours) or place, source_ref. Never refused for a rule of
 * the schedule: the person's doses are numbered again with it (a late
 * earlier dose renumbers the later ones), a broken rule flags the dose and
 * puts it on the review list, and so does a person without a document.
 * Refused: an unknown person or product, a day that is not a date, in the
 * future or before December 2020, and an exact duplicate (same person,
 * product and day: CONFLICT with existing_id). Given at one of our sites
 * from a lot we hold, the stock moves too. Fills *out (from `a`). */
tc_err tc_dose_record(struct tc_dbc *c, const struct tc_stock_by *by,
                      const struct tc_vaxref *ref, const struct tc_dose *in,
                      struct tc_arena *a, struct tc_dose *out, struct tc_fault *f);

/* Voids a dose record (as it was read: its version must still hold) with
 * a reason: the dose given from our stock goes back on the books, the
 * person's other doses are numbered again and the counters follow.
 * Nothing is deleted. A correction is a void and a new record (its
 * replaces_id naming the old one) in one transaction. */
tc_err tc_dose_void(struct tc_dbc *c, const struct tc_stock_by *by,
                    const struct tc_vaxref *ref, const struct tc_dose *before,
                    const char *reason, struct tc_arena *a, struct tc_fault *f);

/* Doses waiting for review (a broken rule, an incomplete identity) at
 * places, or of people, under `scope`, oldest first. */
enum tc_qs tc_q_doses_review(struct tc_dbc *c, const char *scope, struct tc_page page,
                             struct tc_arena *a, struct tc_dose **out, size_t *n);
/* Marks a dose reviewed (NONE: not waiting for review). */
enum tc_qs tc_q_dose_reviewed(struct tc_dbc *c, int64_t id);

/* ---- Queries ---------------------------------------------------------------- */

enum tc_qs tc_q_visit_insert(struct tc_dbc *c, const struct tc_visit *v);
enum tc_qs tc_q_visit_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                          struct tc_visit *out);
/* Writes the state fields of `after` and moves the version on, only if
 * the stored version is still before->version (NONE otherwise). */
enum tc_qs tc_q_visit_update(struct tc_dbc *c, const struct tc_visit *before,
                             const struct tc_visit *after);
/* The injection's step on a visit: screened -> vaccinated with its dose,
 * observed until `observe_until`, only if the stored version is still
 * before->version (NONE otherwise). It writes those columns alone, so
 * the visit's other indexes and references are left as they are. */
enum tc_qs tc_q_visit_injected(struct tc_dbc *c, const struct tc_visit *before,
                               const struct tc_visit *after);
/* The person's open visit (checked in, screened or vaccinated) in a
 * session, if any. */
enum tc_qs tc_q_visit_open_in(struct tc_dbc *c, int64_t citizen_id, int64_t session_id,
                              int64_t *id);
/* Visits of a session, of one status (NULL: any), by check-in. */
enum tc_qs tc_q_visits_list(struct tc_dbc *c, int64_t session_id, const char *status,
                            struct tc_page page, struct tc_arena *a, struct tc_visit **out,
                            size_t *n);

enum tc_qs tc_q_dose_insert(struct tc_dbc *c, const struct tc_dose *d);
enum tc_qs tc_q_dose_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                         struct tc_dose *out);
/* Every dose of a person (valid and voided), by day and id. */
enum tc_qs tc_q_doses_of(struct tc_dbc *c, int64_t citizen_id, struct tc_arena *a,
                         struct tc_dose **out, size_t *n);
/* Who received a lot: valid doses, by day. */
enum tc_qs tc_q_lot_recipients(struct tc_dbc *c, int64_t lot_id, struct tc_page page,
                               struct tc_arena *a, struct tc_dose **out, size_t *n);

/* Sets e->id. */
enum tc_qs tc_q_aefi_insert(struct tc_dbc *c, struct tc_aefi *e);
enum tc_qs tc_q_aefi_of_dose(struct tc_dbc *c, int64_t dose_id, struct tc_arena *a,
                             struct tc_aefi **out, size_t *n);
/* Sets al->id. */
enum tc_qs tc_q_alert_insert(struct tc_dbc *c, struct tc_alert *al);
/* Alerts about places under `scope` (unacknowledged only when `open`),
 * newest first. */
enum tc_qs tc_q_alerts_list(struct tc_dbc *c, const char *scope, bool open,
                            struct tc_page page, struct tc_arena *a, struct tc_alert **out,
                            size_t *n);
enum tc_qs tc_q_alert_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                          struct tc_alert *out);
enum tc_qs tc_q_alert_ack(struct tc_dbc *c, int64_t id, int64_t actor_id, int64_t now);
/* Where a facility is told of a severe adverse event at once: *phone is
 * NULL when it has no alert_phone (from `a`). */
enum tc_qs tc_q_facility_alert_phone(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                                     const char **phone);

/* ---- Statistics -------------------------------------------------------------- */

struct tc_day_count {
	const char *day;
	int64_t doses;
};
struct tc_product_count {
	const char *product, *kind;
	int64_t number, doses;
};
/* Doses given at places under the unit whose path is `unit_path`, on days
 * in [from, to] ("YYYY-MM-DD"): per day, and per product, kind and number. */
enum tc_qs tc_q_stats_daily(struct tc_dbc *c, const char *unit_path, const char *from,
                            const char *to, struct tc_arena *a, struct tc_day_count **days,
                            size_t *ndays, struct tc_product_count **products,
                            size_t *nproducts);

struct tc_coverage {
	const char *code, *name;
	int64_t population; /* -1 when unknown */
	int64_t first, complete, boosted;
};
/* People living under the unit whose path is `unit_path` with a first
 * dose, a complete series, a booster: in all (*total) and per child unit. */
enum tc_qs tc_q_stats_coverage(struct tc_dbc *c, const char *unit_path, struct tc_arena *a,
                               struct tc_coverage *total, struct tc_coverage **children,
                               size_t *n);

/* Recomputes every counter from the doses (and where each person stands
 * from their history, by the schedule) and replaces the kept ones;
 * *differences counts the rows that were wrong, `report` names them. */
tc_err tc_stats_rebuild(struct tc_dbc *c, const struct tc_vaxref *ref, struct tc_arena *a,
                        int64_t *doses, int64_t *differences, char **report,
                        struct tc_fault *f);

#endif
