/* Visits, doses, adverse events and alerts: the queries. The injection's
 * write and the counters are in doses.c. */
#include "../core/arena.h"
#include "dbi.h"
#include "visits.h"

static int64_t opt_i64(const struct tc_dbrow *r, int col)
{
	return tc_row_null(r, col) ? 0 : tc_row_i64(r, col);
}

static int64_t opt_time(const struct tc_dbrow *r, int col)
{
	return tc_row_null(r, col) ? 0 : tc_row_time(r, col);
}

/* ---- Visits ----------------------------------------------------------------- */

#define VISIT_COLS                                                                      \
	"v.id, v.citizen_id, v.site_id, v.session_id, v.registration_id, v.day, v.walk_in," \
	" v.status, v.screening, v.screening_json, v.postpone_until, v.guardian_name,"   \
	" v.observe_minutes, v.screened_at, v.screened_by, v.dose_id, v.injected_at,"    \
	" v.observe_until, v.completed_at, v.reason, v.scope_path, v.created_at,"        \
	" v.created_by, v.updated_at, v.version, c.full_name, c.birth_date, s.product,"  \
	" c.gender"
#define VISIT_FROM                                                                      \
	" FROM visits v JOIN citizens c ON c.id = v.citizen_id"                         \
	" JOIN vaccination_sessions s ON s.id = v.session_id"

static struct tc_sql q_visit_insert = TC_SQL(
	"INSERT INTO visits (id, citizen_id, site_id, session_id, registration_id, day, walk_in,"
	" status, observe_minutes, scope_path, created_at, created_by, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11)");
static struct tc_sql q_visit_get = TC_SQL("SELECT " VISIT_COLS VISIT_FROM " WHERE v.id = $1");
static struct tc_sql q_visit_update = TC_SQL(
	"UPDATE visits SET status = $3, screening = $4, screening_json = $5, postpone_until = $6,"
	" guardian_name = $7, observe_minutes = $8, screened_at = $9, screened_by = $10,"
	" dose_id = $11, injected_at = $12, observe_until = $13, completed_at = $14,"
	" reason = $15, registration_id = $16, updated_at = $17, version = version + 1"
	" WHERE id = $1 AND version = $2");
static struct tc_sql q_visit_injected = TC_SQL(
	"UPDATE visits SET status = 'vaccinated', dose_id = $3, injected_at = $4,"
	" observe_until = $5, updated_at = $6, version = version + 1"
	" WHERE id = $1 AND version = $2 AND status = 'screened'");
static struct tc_sql q_visit_open_in = TC_SQL(
	"SELECT id FROM visits WHERE citizen_id = $1 AND session_id = $2"
	" AND status IN ('checked_in', 'screened', 'vaccinated') ORDER BY id LIMIT 1");
static struct tc_sql q_visits_list = TC_SQL(
	"SELECT " VISIT_COLS VISIT_FROM " WHERE v.session_id = $1"
	" AND (CAST($2 AS TEXT) IS NULL OR v.status = $2) ORDER BY v.id LIMIT $3 OFFSET $4");

static void fill_visit(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_visit *v = item;

	v->id = tc_row_i64(r, 0);
	v->citizen_id = tc_row_i64(r, 1);
	v->site_id = tc_row_i64(r, 2);
	v->session_id = tc_row_i64(r, 3);
	v->registration_id = opt_i64(r, 4);
	v->day = tc_row_text(r, 5, a);
	v->walk_in = tc_row_bool(r, 6);
	v->status = tc_row_text(r, 7, a);
	v->screening = tc_row_text(r, 8, a);
	v->screening_json = tc_row_text(r, 9, a);
	v->postpone_until = tc_row_text(r, 10, a);
	v->guardian_name = tc_row_text(r, 11, a);
	v->observe_minutes = tc_row_i64(r, 12);
	v->screened_at = opt_time(r, 13);
	v->screened_by = opt_i64(r, 14);
	v->dose_id = opt_i64(r, 15);
	v->injected_at = opt_time(r, 16);
	v->observe_until = opt_time(r, 17);
	v->completed_at = opt_time(r, 18);
	v->reason = tc_row_text(r, 19, a);
	v->scope_path = tc_row_text(r, 20, a);
	v->created_at = tc_row_time(r, 21);
	v->created_by = opt_i64(r, 22);
	v->updated_at = tc_row_time(r, 23);
	v->version = tc_row_i64(r, 24);
	v->full_name = tc_row_text(r, 25, a);
	v->birth_date = tc_row_text(r, 26, a);
	v->product = tc_row_text(r, 27, a);
	v->gender = tc_row_text(r, 28, a);
}

#define P_TIME_OPT(t) ((t) ? TC_P_TIME(t) : TC_P_NULL)

enum tc_qs tc_q_visit_insert(struct tc_dbc *c, const struct tc_visit *v)
{
	struct tc_dbv p[] = {TC_P_I64(v->id),          TC_P_I64(v->citizen_id),
	                     TC_P_I64(v->site_id),     TC_P_I64(v->session_id),
	                     TC_P_ID(v->registration_id), TC_P_TEXT(v->day),
	                     TC_P_BOOL(v->walk_in),    TC_P_TEXT(v->status),
	                     TC_P_I64(v->observe_minutes), TC_P_TEXT(v->scope_path),
	                     TC_P_TIME(v->created_at), TC_P_ID(v->created_by)};
	return tc_exec(c, &q_visit_insert, p, 12, NULL, NULL);
}

enum tc_qs tc_q_visit_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                          struct tc_visit *out)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	struct tc_row_into o = {a, out, fill_visit};
	return tc_exec(c, &q_visit_get, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_visit_update(struct tc_dbc *c, const struct tc_visit *before,
                             const struct tc_visit *after)
{
	struct tc_dbv p[] = {TC_P_I64(before->id),          TC_P_I64(before->version),
	                     TC_P_TEXT(after->status),       TC_P_TEXT(after->screening),
	                     TC_P_TEXT(after->screening_json), TC_P_TEXT(after->postpone_until),
	                     TC_P_TEXT(after->guardian_name), TC_P_I64(after->observe_minutes),
	                     P_TIME_OPT(after->screened_at), TC_P_ID(after->screened_by),
	                     TC_P_ID(after->dose_id),        P_TIME_OPT(after->injected_at),
	                     P_TIME_OPT(after->observe_until), P_TIME_OPT(after->completed_at),
	                     TC_P_TEXT(after->reason),       TC_P_ID(after->registration_id),
	                     TC_P_TIME(after->updated_at)};
	return tc_exec(c, &q_visit_update, p, 17, NULL, NULL);
}

enum tc_qs tc_q_visit_injected(struct tc_dbc *c, const struct tc_visit *before,
                               const struct tc_visit *after)
{
	struct tc_dbv p[] = {TC_P_I64(before->id),         TC_P_I64(before->version),
	                     TC_P_I64(after->dose_id),     TC_P_TIME(after->injected_at),
	                     TC_P_TIME(after->observe_until), TC_P_TIME(after->updated_at)};
	return tc_exec(c, &q_visit_injected, p, 6, NULL, NULL);
}

enum tc_qs tc_q_visit_open_in(struct tc_dbc *c, int64_t citizen_id, int64_t session_id,
                              int64_t *id)
{
	struct tc_dbv p[] = {TC_P_I64(citizen_id), TC_P_I64(session_id)};
	*id = 0;
	return tc_exec(c, &q_visit_open_in, p, 2, tc_rows_i64, id);
}

enum tc_qs tc_q_visits_list(struct tc_dbc *c, int64_t session_id, const char *status,
                            struct tc_page page, struct tc_arena *a, struct tc_visit **out,
                            size_t *n)
{
	struct tc_dbv p[] = {TC_P_I64(session_id), TC_P_TEXT(status), TC_P_I64(page.limit),
	                     TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_visit), .fill = fill_visit};
	enum tc_qs qs = tc_exec(c, &q_visits_list, p, 4, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

/* ---- Doses ------------------------------------------------------------------ */

#define DOSE_COLS                                                                       \
	"d.id, d.citizen_id, d.product, d.lot_id, d.lot_number, d.given_on, d.given_at,"  \
	" d.kind, d.number, d.site_id, d.place, d.unit_code, d.visit_id, d.source,"      \
	" d.source_ref, d.status, d.flags, d.override_reason, d.review, d.scope_path,"   \
	" d.replaces_id, d.void_reason, d.voided_at, d.voided_by, d.created_at,"         \
	" d.created_by, d.version, p.name, f.name, c.full_name"
#define DOSE_FROM                                                                       \
	" FROM doses d JOIN vaccine_products p ON p.code = d.product"                   \
	" JOIN citizens c ON c.id = d.citizen_id"                                       \
	" LEFT JOIN facilities f ON f.id = d.site_id"

static struct tc_sql q_dose_insert = TC_SQL(
	"INSERT INTO doses (id, citizen_id, product, lot_id, lot_number, given_on, given_at,"
	" kind, number, site_id, place, unit_code, visit_id, source, source_ref, status, flags,"
	" override_reason, review, scope_path, replaces_id, created_at, created_by)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
	" $18, $19, $20, $21, $22, $23)");
static struct tc_sql q_dose_get = TC_SQL("SELECT " DOSE_COLS DOSE_FROM " WHERE d.id = $1");
static struct tc_sql q_doses_of = TC_SQL(
	"SELECT " DOSE_COLS DOSE_FROM " WHERE d.citizen_id = $1 ORDER BY d.given_on, d.id");
static struct tc_sql q_review = TC_SQL(
	"SELECT " DOSE_COLS DOSE_FROM " WHERE d.review = 'pending' AND"
	" (" TC_SCOPE_UNDER("d.scope_path", "$2", "$3") " OR c.scope_path = $1"
	" OR (c.scope_path >= $2 AND c.scope_path < $3)) ORDER BY d.id LIMIT $4 OFFSET $5");
static struct tc_sql q_reviewed = TC_SQL(
	"UPDATE doses SET review = 'done', version = version + 1"
	" WHERE id = $1 AND review = 'pending'");
static struct tc_sql q_recipients = TC_SQL(
	"SELECT " DOSE_COLS DOSE_FROM " WHERE d.lot_id = $1 AND d.status = 'valid'"
	" ORDER BY d.given_on, d.id LIMIT $2 OFFSET $3");

static void fill_dose(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_dose *d = item;

	d->id = tc_row_i64(r, 0);
	d->citizen_id = tc_row_i64(r, 1);
	d->product = tc_row_text(r, 2, a);
	d->lot_id = opt_i64(r, 3);
	d->lot_number = tc_row_text(r, 4, a);
	d->given_on = tc_row_text(r, 5, a);
	d->given_at = opt_time(r, 6);
	d->kind = tc_row_text(r, 7, a);
	d->number = tc_row_i64(r, 8);
	d->site_id = opt_i64(r, 9);
	d->place = tc_row_text(r, 10, a);
	d->unit_code = tc_row_text(r, 11, a);
	d->visit_id = opt_i64(r, 12);
	d->source = tc_row_text(r, 13, a);
	d->source_ref = tc_row_text(r, 14, a);
	d->status = tc_row_text(r, 15, a);
	d->flags = tc_row_text(r, 16, a);
	d->override_reason = tc_row_text(r, 17, a);
	d->review = tc_row_text(r, 18, a);
	d->scope_path = tc_row_text(r, 19, a);
	d->replaces_id = opt_i64(r, 20);
	d->void_reason = tc_row_text(r, 21, a);
	d->voided_at = opt_time(r, 22);
	d->voided_by = opt_i64(r, 23);
	d->created_at = tc_row_time(r, 24);
	d->created_by = opt_i64(r, 25);
	d->version = tc_row_i64(r, 26);
	d->product_name = tc_row_text(r, 27, a);
	d->site_name = tc_row_text(r, 28, a);
	d->full_name = tc_row_text(r, 29, a);
}

enum tc_qs tc_q_dose_insert(struct tc_dbc *c, const struct tc_dose *d)
{
	struct tc_dbv p[] = {
		TC_P_I64(d->id),          TC_P_I64(d->citizen_id),  TC_P_TEXT(d->product),
		TC_P_ID(d->lot_id),       TC_P_TEXT(d->lot_number), TC_P_TEXT(d->given_on),
		P_TIME_OPT(d->given_at),  TC_P_TEXT(d->kind),       TC_P_I64(d->number),
		TC_P_ID(d->site_id),      TC_P_TEXT(d->place),      TC_P_TEXT(d->unit_code),
		TC_P_ID(d->visit_id),     TC_P_TEXT(d->source),     TC_P_TEXT(d->source_ref),
		TC_P_TEXT(d->status),     TC_P_TEXT(d->flags),      TC_P_TEXT(d->override_reason),
		TC_P_TEXT(d->review),     TC_P_TEXT(d->scope_path), TC_P_ID(d->replaces_id),
		TC_P_TIME(d->created_at), TC_P_ID(d->created_by)};
	return tc_exec(c, &q_dose_insert, p, 23, NULL, NULL);
}

enum tc_qs tc_q_dose_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                         struct tc_dose *out)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	struct tc_row_into o = {a, out, fill_dose};
	return tc_exec(c, &q_dose_get, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_doses_of(struct tc_dbc *c, int64_t citizen_id, struct tc_arena *a,
                         struct tc_dose **out, size_t *n)
{
	struct tc_dbv p[] = {TC_P_I64(citizen_id)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_dose), .fill = fill_dose};
	enum tc_qs qs = tc_exec(c, &q_doses_of, p, 1, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

enum tc_qs tc_q_doses_review(struct tc_dbc *c, const char *scope, struct tc_page page,
                             struct tc_arena *a, struct tc_dose **out, size_t *n)
{
	const char *lo, *hi;
	tc_scope_range(a, scope, &lo, &hi);
	struct tc_dbv p[] = {TC_P_TEXT(scope), TC_P_TEXT(lo), TC_P_TEXT(hi), TC_P_I64(page.limit),
	                     TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_dose), .fill = fill_dose};
	enum tc_qs qs = tc_exec(c, &q_review, p, 5, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

enum tc_qs tc_q_dose_reviewed(struct tc_dbc *c, int64_t id)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	return tc_exec(c, &q_reviewed, p, 1, NULL, NULL);
}

enum tc_qs tc_q_lot_recipients(struct tc_dbc *c, int64_t lot_id, struct tc_page page,
                               struct tc_arena *a, struct tc_dose **out, size_t *n)
{
	struct tc_dbv p[] = {TC_P_I64(lot_id), TC_P_I64(page.limit), TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_dose), .fill = fill_dose};
	enum tc_qs qs = tc_exec(c, &q_recipients, p, 3, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

/* ---- Adverse events and alerts ------------------------------------------------ */

#define AEFI_COLS                                                                       \
	"id, dose_id, citizen_id, lot_id, site_id, onset_at, symptoms, description,"     \
	" severity, actions, outcome, scope_path, reported_at, reported_by"

static struct tc_sql q_aefi_id = TC_SQL2("SELECT nextval(pg_get_serial_sequence('aefi', 'id'))",
                                         "SELECT COALESCE(MAX(id), 0) + 1 FROM aefi");
static struct tc_sql q_aefi_insert = TC_SQL(
	"INSERT INTO aefi (" AEFI_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
	" $12, $13, $14)");
static struct tc_sql q_aefi_of_dose =
	TC_SQL("SELECT " AEFI_COLS " FROM aefi WHERE dose_id = $1 ORDER BY id");

static void fill_aefi(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_aefi *e = item;

	e->id = tc_row_i64(r, 0);
	e->dose_id = tc_row_i64(r, 1);
	e->citizen_id = tc_row_i64(r, 2);
	e->lot_id = opt_i64(r, 3);
	e->site_id = opt_i64(r, 4);
	e->onset_at = tc_row_time(r, 5);
	e->symptoms = tc_row_text(r, 6, a);
	e->description = tc_row_text(r, 7, a);
	e->severity = tc_row_text(r, 8, a);
	e->actions = tc_row_text(r, 9, a);
	e->outcome = tc_row_text(r, 10, a);
	e->scope_path = tc_row_text(r, 11, a);
	e->reported_at = tc_row_time(r, 12);
	e->reported_by = opt_i64(r, 13);
}

enum tc_qs tc_q_aefi_insert(struct tc_dbc *c, struct tc_aefi *e)
{
	enum tc_qs qs = tc_exec(c, &q_aefi_id, NULL, 0, tc_rows_i64, &e->id);

	if (qs != TC_QS_ONE)
		return qs < 0 ? qs : TC_QS_HARD;
	struct tc_dbv p[] = {TC_P_I64(e->id),          TC_P_I64(e->dose_id),
	                     TC_P_I64(e->citizen_id),  TC_P_ID(e->lot_id),
	                     TC_P_ID(e->site_id),      TC_P_TIME(e->onset_at),
	                     TC_P_TEXT(e->symptoms),   TC_P_TEXT(e->description),
	                     TC_P_TEXT(e->severity),   TC_P_TEXT(e->actions),
	                     TC_P_TEXT(e->outcome),    TC_P_TEXT(e->scope_path),
	                     TC_P_TIME(e->reported_at), TC_P_ID(e->reported_by)};
	return tc_exec(c, &q_aefi_insert, p, 14, NULL, NULL);
}

enum tc_qs tc_q_aefi_of_dose(struct tc_dbc *c, int64_t dose_id, struct tc_arena *a,
                             struct tc_aefi **out, size_t *n)
{
	struct tc_dbv p[] = {TC_P_I64(dose_id)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_aefi), .fill = fill_aefi};
	enum tc_qs qs = tc_exec(c, &q_aefi_of_dose, p, 1, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

#define ALERT_COLS                                                                      \
	"id, kind, facility_id, scope_path, ref_id, message, created_at, acknowledged_at," \
	" acknowledged_by"

static struct tc_sql q_alert_id =
	TC_SQL2("SELECT nextval(pg_get_serial_sequence('alerts', 'id'))",
	        "SELECT COALESCE(MAX(id), 0) + 1 FROM alerts");
static struct tc_sql q_alert_insert = TC_SQL(
	"INSERT INTO alerts (id, kind, facility_id, scope_path, ref_id, message, created_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7)");
static struct tc_sql q_alerts_list = TC_SQL(
	"SELECT " ALERT_COLS " FROM alerts WHERE " TC_SCOPE_UNDER("scope_path", "$2", "$3")
	" AND (NOT $4 OR acknowledged_at IS NULL) ORDER BY id DESC LIMIT $5 OFFSET $6");
static struct tc_sql q_alert_get = TC_SQL("SELECT " ALERT_COLS " FROM alerts WHERE id = $1");
static struct tc_sql q_alert_ack = TC_SQL(
	"UPDATE alerts SET acknowledged_at = $3, acknowledged_by = $2"
	" WHERE id = $1 AND acknowledged_at IS NULL");

static void fill_alert(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_alert *al = item;

	al->id = tc_row_i64(r, 0);
	al->kind = tc_row_text(r, 1, a);
	al->facility_id = opt_i64(r, 2);
	al->scope_path = tc_row_text(r, 3, a);
	al->ref_id = tc_row_i64(r, 4);
	al->message = tc_row_text(r, 5, a);
	al->created_at = tc_row_time(r, 6);
	al->acknowledged_at = opt_time(r, 7);
	al->acknowledged_by = opt_i64(r, 8);
}

enum tc_qs tc_q_alert_insert(struct tc_dbc *c, struct tc_alert *al)
{
	enum tc_qs qs = tc_exec(c, &q_alert_id, NULL, 0, tc_rows_i64, &al->id);

	if (qs != TC_QS_ONE)
		return qs < 0 ? qs : TC_QS_HARD;
	struct tc_dbv p[] = {TC_P_I64(al->id),         TC_P_TEXT(al->kind),
	                     TC_P_ID(al->facility_id), TC_P_TEXT(al->scope_path),
	                     TC_P_I64(al->ref_id),     TC_P_TEXT(al->message),
	                     TC_P_TIME(al->created_at)};
	return tc_exec(c, &q_alert_insert, p, 7, NULL, NULL);
}

enum tc_qs tc_q_alerts_list(struct tc_dbc *c, const char *scope, bool open,
                            struct tc_page page, struct tc_arena *a, struct tc_alert **out,
                            size_t *n)
{
	const char *lo, *hi;
	tc_scope_range(a, scope, &lo, &hi);
	struct tc_dbv p[] = {TC_P_TEXT(scope), TC_P_TEXT(lo),         TC_P_TEXT(hi),
	                     TC_P_BOOL(open),  TC_P_I64(page.limit), TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_alert), .fill = fill_alert};
	enum tc_qs qs = tc_exec(c, &q_alerts_list, p, 6, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

enum tc_qs tc_q_alert_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                          struct tc_alert *out)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	struct tc_row_into o = {a, out, fill_alert};
	return tc_exec(c, &q_alert_get, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_alert_ack(struct tc_dbc *c, int64_t id, int64_t actor_id, int64_t now)
{
	struct tc_dbv p[] = {TC_P_I64(id), TC_P_ID(actor_id), TC_P_TIME(now)};
	return tc_exec(c, &q_alert_ack, p, 3, NULL, NULL);
}

static struct tc_sql q_alert_phone =
	TC_SQL("SELECT alert_phone FROM facilities WHERE id = $1");

struct phone_out {
	struct tc_arena *a;
	const char **phone;
};

static int fill_phone(void *cls, const struct tc_dbrow *r)
{
	struct phone_out *o = cls;
	*o->phone = tc_row_null(r, 0) ? NULL : tc_row_text(r, 0, o->a);
	return 1;
}

enum tc_qs tc_q_facility_alert_phone(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                                     const char **phone)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	struct phone_out o = {a, phone};
	*phone = NULL;
	return tc_exec(c, &q_alert_phone, p, 1, fill_phone, &o);
}
