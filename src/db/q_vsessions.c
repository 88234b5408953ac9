/* Vaccination sessions: a site, a day, a time window, a product and a
 * number of places. */
#include "../core/arena.h"
#include "dbi.h"

#define VS_COLS                                                                          \
	"s.id, s.site_id, s.day, s.starts, s.ends, s.product, s.capacity, s.booked,"     \
	" s.status, s.scope_path, s.created_at, s.created_by, f.name"

/* As for facilities: on SQLite the one writer makes MAX(id) + 1 safe;
 * PostgreSQL takes the identity sequence. */
static struct tc_sql q_next_id =
        TC_SQL2("SELECT nextval(pg_get_serial_sequence('vaccination_sessions', 'id'))",
                "SELECT COALESCE(MAX(id), 0) + 1 FROM vaccination_sessions");
static struct tc_sql q_insert =
        TC_SQL("INSERT INTO vaccination_sessions (id, site_id, day, starts, ends, "
               "product, capacity,"
               " booked, status, scope_path, created_at, created_by)"
               " VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 'open', $8, $9, $10)");
static struct tc_sql q_get =
        TC_SQL("SELECT " VS_COLS " FROM vaccination_sessions s"
               " JOIN facilities f ON f.id = s.site_id WHERE s.id = $1");
static struct tc_sql q_list =
        TC_SQL("SELECT " VS_COLS " FROM vaccination_sessions s"
               " JOIN facilities f ON f.id = s.site_id"
               " WHERE " TC_SCOPE_UNDER(
                       "s.scope_path", "$2",
                       "$3") " AND (CAST($4 AS BIGINT) IS NULL OR s.site_id = $4)"
                             " AND (CAST($5 AS TEXT) IS NULL OR s.day = $5)"
                             " ORDER BY s.day, s.starts, s.id LIMIT $6 OFFSET $7");
/* The guard is the whole of the capacity rule: a row lock (PostgreSQL)
 * or the one writer (SQLite) makes concurrent bookings take turns, and
 * each sees the count the one before it left. */
static struct tc_sql q_book =
        TC_SQL("UPDATE vaccination_sessions SET booked = booked + 1"
               " WHERE id = $1 AND booked < capacity AND status = 'open'");
static struct tc_sql q_unbook = TC_SQL("UPDATE vaccination_sessions SET booked = booked "
                                       "- 1 WHERE id = $1 AND booked > 0");
static struct tc_sql q_update =
        TC_SQL("UPDATE vaccination_sessions SET capacity = $2, status = $3,"
               " booked = CASE WHEN $3 = 'cancelled' THEN 0 ELSE booked END"
               " WHERE id = $1 AND status = $4 AND booked <= $2");

static void fill_vsession(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_vsession *s = item;

	s->id = tc_row_i64(r, 0);
	s->site_id = tc_row_i64(r, 1);
	s->day = tc_row_text(r, 2, a);
	s->starts = tc_row_text(r, 3, a);
	s->ends = tc_row_text(r, 4, a);
	s->product = tc_row_text(r, 5, a);
	s->capacity = tc_row_i64(r, 6);
	s->booked = tc_row_i64(r, 7);
	s->status = tc_row_text(r, 8, a);
	s->scope_path = tc_row_text(r, 9, a);
	s->created_at = tc_row_time(r, 10);
	s->created_by = tc_row_null(r, 11) ? 0 : tc_row_i64(r, 11);
	s->site_name = tc_row_text(r, 12, a);
}

enum tc_qs tc_q_vsession_insert(struct tc_dbc *c, struct tc_vsession *s)
{
	enum tc_qs qs = tc_exec(c, &q_next_id, NULL, 0, tc_rows_i64, &s->id);

	if (qs != TC_QS_ONE)
		return qs < 0 ? qs : TC_QS_HARD;
	struct tc_dbv p[] = { TC_P_I64(s->id),          TC_P_I64(s->site_id),
		              TC_P_TEXT(s->day),        TC_P_TEXT(s->starts),
		              TC_P_TEXT(s->ends),       TC_P_TEXT(s->product),
		              TC_P_I64(s->capacity),    TC_P_TEXT(s->scope_path),
		              TC_P_TIME(s->created_at), TC_P_ID(s->created_by) };
	return tc_exec(c, &q_insert, p, 10, NULL, NULL);
}

enum tc_qs tc_q_vsession_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                             struct tc_vsession *out)
{
	struct tc_dbv p[] = { TC_P_I64(id) };
	struct tc_row_into o = { a, out, fill_vsession };
	return tc_exec(c, &q_get, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_vsessions_list(struct tc_dbc *c, const char *scope, int64_t site_id,
                               const char *day, struct tc_page page, struct tc_arena *a,
                               struct tc_vsession **out, size_t *n)
{
	const char *lo, *hi;
	tc_scope_range(a, scope, &lo, &hi);
	struct tc_dbv p[] = { TC_P_TEXT(scope),     TC_P_TEXT(lo),  TC_P_TEXT(hi),
		              TC_P_ID(site_id),     TC_P_TEXT(day), TC_P_I64(page.limit),
		              TC_P_I64(page.offset) };
	struct tc_rows_into into = { .a = a,
		                     .size = sizeof(struct tc_vsession),
		                     .fill = fill_vsession };
	enum tc_qs qs = tc_exec(c, &q_list, p, 7, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

enum tc_qs tc_q_vsession_book(struct tc_dbc *c, int64_t id)
{
	struct tc_dbv p[] = { TC_P_I64(id) };
	return tc_exec(c, &q_book, p, 1, NULL, NULL);
}

enum tc_qs tc_q_vsession_unbook(struct tc_dbc *c, int64_t id)
{
	struct tc_dbv p[] = { TC_P_I64(id) };
	return tc_exec(c, &q_unbook, p, 1, NULL, NULL);
}

enum tc_qs tc_q_vsession_update(struct tc_dbc *c, const struct tc_vsession *before,
                                const struct tc_vsession *after)
{
	struct tc_dbv p[] = { TC_P_I64(before->id), TC_P_I64(after->capacity),
		              TC_P_TEXT(after->status), TC_P_TEXT(before->status) };
	return tc_exec(c, &q_update, p, 4, NULL, NULL);
}
