/* Facilities: warehouses, district health centres, vaccination sites. */
#include "../core/arena.h"
#include "dbi.h"

#define FAC_COLS \
	"id, kind, name, unit_code, address, daily_capacity, active, scope_path, created_at"

/* The id is drawn first so that the facility's own path ("<unit
 * path>/F<id>") is written with the row. On SQLite the one writer makes
 * MAX(id) + 1 safe (and cheap: the largest rowid); PostgreSQL takes the
 * identity sequence. Plain statements: SQLite's RETURNING and INSERT ...
 * SELECT both go through a temporary table. */
static struct tc_sql q_next_id =
	TC_SQL2("SELECT nextval(pg_get_serial_sequence('facilities', 'id'))",
	        "SELECT COALESCE(MAX(id), 0) + 1 FROM facilities");
static struct tc_sql q_insert = TC_SQL(
	"INSERT INTO facilities (id, kind, name, unit_code, address, daily_capacity,"
	" active, scope_path, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
static struct tc_sql q_get = TC_SQL("SELECT " FAC_COLS " FROM facilities WHERE id = $1");
static struct tc_sql q_by_name = TC_SQL(
	"SELECT " FAC_COLS " FROM facilities WHERE unit_code = $1 AND name = $2");
static struct tc_sql q_list = TC_SQL(
	"SELECT " FAC_COLS " FROM facilities"
	" WHERE " TC_SCOPE_UNDER("scope_path", "$2", "$3")
	" AND (CAST($4 AS TEXT) IS NULL OR kind = CAST($4 AS TEXT))"
	" ORDER BY id LIMIT $5 OFFSET $6");

static void fill_facility(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_facility *f = item;

	f->id = tc_row_i64(r, 0);
	f->kind = tc_row_text(r, 1, a);
	f->name = tc_row_text(r, 2, a);
	f->unit_code = tc_row_text(r, 3, a);
	f->address = tc_row_text(r, 4, a);
	f->daily_capacity = tc_row_i64(r, 5);
	f->active = tc_row_bool(r, 6);
	f->scope_path = tc_row_text(r, 7, a);
	f->created_at = tc_row_time(r, 8);
}

enum tc_qs tc_q_facility_insert(struct tc_dbc *c, const char *unit_path,
                                struct tc_facility *fac, struct tc_arena *a)
{
	enum tc_qs qs = tc_exec(c, &q_next_id, NULL, 0, tc_rows_i64, &fac->id);

	if (qs != TC_QS_ONE)
		return qs < 0 ? qs : TC_QS_HARD;
	fac->scope_path = tc_arena_printf(a, "%s/F%lld", unit_path, (long long)fac->id);
	struct tc_dbv p[] = {TC_P_I64(fac->id),           TC_P_TEXT(fac->kind),
	                     TC_P_TEXT(fac->name),        TC_P_TEXT(fac->unit_code),
	                     TC_P_TEXT(fac->address),     TC_P_I64(fac->daily_capacity),
	                     TC_P_BOOL(fac->active),      TC_P_TEXT(fac->scope_path),
	                     TC_P_TIME(fac->created_at)};
	return tc_exec(c, &q_insert, p, 9, NULL, NULL);
}

enum tc_qs tc_q_facility_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                             struct tc_facility *out)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	struct tc_row_into o = {a, out, fill_facility};
	return tc_exec(c, &q_get, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_facility_by_name(struct tc_dbc *c, const char *unit_code,
                                 const char *name, struct tc_arena *a,
                                 struct tc_facility *out)
{
	struct tc_dbv p[] = {TC_P_TEXT(unit_code), TC_P_TEXT(name)};
	struct tc_row_into o = {a, out, fill_facility};
	return tc_exec(c, &q_by_name, p, 2, tc_rows_one, &o);
}

enum tc_qs tc_q_facilities_list(struct tc_dbc *c, const char *scope,
                                const char *kind, struct tc_page page,
                                struct tc_arena *a, struct tc_facility **out,
                                size_t *n)
{
	const char *lo, *hi;
	tc_scope_range(a, scope, &lo, &hi);
	struct tc_dbv p[] = {TC_P_TEXT(scope), TC_P_TEXT(lo), TC_P_TEXT(hi), TC_P_TEXT(kind),
	                     TC_P_I64(page.limit), TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_facility),
	                            .fill = fill_facility};
	enum tc_qs qs = tc_exec(c, &q_list, p, 6, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}
