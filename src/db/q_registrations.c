/* Registrations: a person's way from pending to a session. Reads join the
 * person (name, birth date, phone, commune) and, once scheduled, the
 * session and its site. */
#include "../core/arena.h"
#include "dbi.h"

#define REG_COLS                                                                         \
	"r.id, r.citizen_id, r.status, r.priority_group, r.scope_path, r.district_code," \
	" r.session_id, r.reason, r.source, r.created_at, r.updated_at, r.version,"      \
	" c.full_name, c.birth_date, c.phone, c.commune_code, s.day, s.starts, s.ends,"  \
	" s.site_id, f.name, c.gender"
#define REG_FROM                                                                         \
	" FROM registrations r JOIN citizens c ON c.id = r.citizen_id"                   \
	" LEFT JOIN vaccination_sessions s ON s.id = r.session_id"                       \
	" LEFT JOIN facilities f ON f.id = s.site_id"
#define OPEN_STATES "('pending', 'approved', 'allocated', 'scheduled')"
/* The latest day a birth date of year or month precision stands for, as
 * text that compares like the date (a bound, so day 31 of any month is
 * good enough). */
#define LATEST_BIRTH                                                                     \
	"(CASE length(c.birth_date) WHEN 4 THEN c.birth_date || '-12-31'"                \
	" WHEN 7 THEN c.birth_date || '-31' ELSE c.birth_date END)"

static struct tc_sql q_insert = TC_SQL(
        "INSERT INTO registrations (id, citizen_id, status, priority_group, scope_path,"
        " district_code, session_id, reason, source, created_at, updated_at, version)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO "
        "NOTHING");
static struct tc_sql q_open_for = TC_SQL(
        "SELECT id FROM registrations WHERE citizen_id = $1 AND status IN " OPEN_STATES);
static struct tc_sql q_get = TC_SQL("SELECT " REG_COLS REG_FROM " WHERE r.id = $1");
static struct tc_sql q_update = TC_SQL(
        "UPDATE registrations SET status = $2, district_code = $3, session_id = $4,"
        " reason = $5, updated_at = $6, version = version + 1 WHERE id = $1 AND version "
        "= $7");
static struct tc_sql q_list =
        TC_SQL("SELECT " REG_COLS REG_FROM " WHERE (" TC_SCOPE_UNDER(
                "r.scope_path", "$2",
                "$3") " OR r.district_code = $4)"
                      " AND (CAST($5 AS TEXT) IS NULL OR r.status = $5"
                      "      OR ($5 = 'open' AND r.status IN " OPEN_STATES "))"
                      " AND (CAST($6 AS INTEGER) IS NULL OR r.priority_group = $6)"
                      " AND (CAST($7 AS TEXT) IS NULL OR " LATEST_BIRTH " <= $7)"
                      " AND (CAST($8 AS TEXT) IS NULL OR " LATEST_BIRTH " > $8)"
                      " AND r.created_at >= $9 AND r.created_at < $10"
                      " ORDER BY CASE WHEN r.priority_group IS NULL THEN 1 ELSE 0 END, "
                      "r.priority_group,"
                      " r.id LIMIT $11 OFFSET $12");
static struct tc_sql q_by_phone = TC_SQL(
        "SELECT " REG_COLS REG_FROM " WHERE c.phone = $1 ORDER BY r.id DESC LIMIT 200");
static struct tc_sql q_in_session =
        TC_SQL("SELECT " REG_COLS REG_FROM
               " WHERE r.session_id = $1 AND r.status = 'scheduled' ORDER BY r.id");

static void fill_reg(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_registration *g = item;

	g->id = tc_row_i64(r, 0);
	g->citizen_id = tc_row_i64(r, 1);
	g->status = tc_row_text(r, 2, a);
	g->priority_group = tc_row_null(r, 3) ? 0 : tc_row_i64(r, 3);
	g->scope_path = tc_row_text(r, 4, a);
	g->district_code = tc_row_text(r, 5, a);
	g->session_id = tc_row_null(r, 6) ? 0 : tc_row_i64(r, 6);
	g->reason = tc_row_text(r, 7, a);
	g->source = tc_row_text(r, 8, a);
	g->created_at = tc_row_time(r, 9);
	g->updated_at = tc_row_time(r, 10);
	g->version = tc_row_i64(r, 11);
	g->full_name = tc_row_text(r, 12, a);
	g->birth_date = tc_row_text(r, 13, a);
	g->phone = tc_row_text(r, 14, a);
	g->commune_code = tc_row_text(r, 15, a);
	g->day = tc_row_text(r, 16, a);
	g->starts = tc_row_text(r, 17, a);
	g->ends = tc_row_text(r, 18, a);
	g->site_id = tc_row_null(r, 19) ? 0 : tc_row_i64(r, 19);
	g->site_name = tc_row_text(r, 20, a);
	g->gender = tc_row_text(r, 21, a);
}

static enum tc_qs collect(struct tc_dbc *c, struct tc_sql *q, const struct tc_dbv *p,
                          int np, struct tc_arena *a, struct tc_registration **out,
                          size_t *n)
{
	struct tc_rows_into into = { .a = a,
		                     .size = sizeof(struct tc_registration),
		                     .fill = fill_reg };
	enum tc_qs qs = tc_exec(c, q, p, np, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

enum tc_qs tc_q_registration_insert(struct tc_dbc *c, const struct tc_registration *g)
{
	struct tc_dbv p[] = {
		TC_P_I64(g->id),          TC_P_I64(g->citizen_id),
		TC_P_TEXT(g->status),     TC_P_ID(g->priority_group),
		TC_P_TEXT(g->scope_path), TC_P_TEXT(g->district_code),
		TC_P_ID(g->session_id),   TC_P_TEXT(g->reason),
		TC_P_TEXT(g->source),     TC_P_TIME(g->created_at),
		TC_P_TIME(g->updated_at), TC_P_I64(g->version ? g->version : 1)
	};
	enum tc_qs qs = tc_exec(c, &q_insert, p, 12, NULL, NULL);
	/* DO NOTHING: no failed statement, so PostgreSQL's transaction
	 * stays usable */
	return qs == TC_QS_NONE ? TC_QS_CONFLICT : qs;
}

enum tc_qs tc_q_registration_open_for(struct tc_dbc *c, int64_t citizen_id, int64_t *id)
{
	struct tc_dbv p[] = { TC_P_I64(citizen_id) };
	*id = 0;
	return tc_exec(c, &q_open_for, p, 1, tc_rows_i64, id);
}

enum tc_qs tc_q_registration_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                                 struct tc_registration *out)
{
	struct tc_dbv p[] = { TC_P_I64(id) };
	struct tc_row_into o = { a, out, fill_reg };
	return tc_exec(c, &q_get, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_registration_update(struct tc_dbc *c,
                                    const struct tc_registration *before,
                                    const struct tc_registration *after)
{
	struct tc_dbv p[] = { TC_P_I64(before->id),
		              TC_P_TEXT(after->status),
		              TC_P_TEXT(after->district_code),
		              TC_P_ID(after->session_id),
		              TC_P_TEXT(after->reason),
		              TC_P_TIME(after->updated_at),
		              TC_P_I64(before->version) };
	return tc_exec(c, &q_update, p, 7, NULL, NULL);
}

/* 9999-12-31T00:00:00Z: "no upper bound" for instants */
#define FAR_FUTURE_US (2932896LL * 86400 * 1000000)

enum tc_qs tc_q_registrations_list(struct tc_dbc *c, const struct tc_reg_filter *flt,
                                   struct tc_page page, struct tc_arena *a,
                                   struct tc_registration **out, size_t *n)
{
	const char *lo, *hi;
	tc_scope_range(a, flt->scope, &lo, &hi);
	struct tc_dbv p[] = { TC_P_TEXT(flt->scope),
		              TC_P_TEXT(lo),
		              TC_P_TEXT(hi),
		              TC_P_TEXT(flt->district),
		              TC_P_TEXT(flt->status),
		              TC_P_ID(flt->priority_group),
		              TC_P_TEXT(flt->born_by),
		              TC_P_TEXT(flt->born_after),
		              TC_P_TIME(flt->from_us),
		              TC_P_TIME(flt->to_us ? flt->to_us : FAR_FUTURE_US),
		              TC_P_I64(page.limit),
		              TC_P_I64(page.offset) };
	return collect(c, &q_list, p, 12, a, out, n);
}

enum tc_qs tc_q_registrations_by_phone(struct tc_dbc *c, const char *phone,
                                       struct tc_arena *a, struct tc_registration **out,
                                       size_t *n)
{
	struct tc_dbv p[] = { TC_P_TEXT(phone) };
	return collect(c, &q_by_phone, p, 1, a, out, n);
}

enum tc_qs tc_q_registrations_in_session(struct tc_dbc *c, int64_t session_id,
                                         struct tc_arena *a, struct tc_registration **out,
                                         size_t *n)
{
	struct tc_dbv p[] = { TC_P_I64(session_id) };
	return collect(c, &q_in_session, p, 1, a, out, n);
}

static struct tc_sql q_complete = TC_SQL(
	"UPDATE registrations SET status = 'done', updated_at = $2, version = version + 1"
	" WHERE id = $1 AND status = 'scheduled' RETURNING scope_path");

struct scope_out {
	struct tc_arena *a;
	const char **scope;
};

static int fill_scope(void *cls, const struct tc_dbrow *r)
{
	struct scope_out *o = cls;
	*o->scope = tc_row_text(r, 0, o->a);
	return 1;
}

enum tc_qs tc_q_registration_complete(struct tc_dbc *c, int64_t id, int64_t now,
                                      struct tc_arena *a, const char **scope)
{
	struct tc_dbv p[] = {TC_P_I64(id), TC_P_TIME(now)};
	struct scope_out o = {a, scope};
	return tc_exec(c, &q_complete, p, 2, fill_scope, &o);
}
