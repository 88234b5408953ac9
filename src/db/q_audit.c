/* The append-only audit log. */
#include "../core/arena.h"
#include "dbi.h"

#define AUDIT_COLS \
	"id, at, actor_id, actor, action, entity, entity_id, scope_path, before, after"

static struct tc_sql q_insert = TC_SQL(
	"INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id,"
	" scope_path, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
static struct tc_sql q_list = TC_SQL(
	"SELECT " AUDIT_COLS " FROM audit_log"
	" WHERE " TC_SCOPE_UNDER("scope_path", "$2", "$3")
	" AND (CAST($4 AS TEXT) IS NULL OR entity = CAST($4 AS TEXT))"
	" AND (CAST($5 AS TEXT) IS NULL OR entity_id = CAST($5 AS TEXT))"
	" ORDER BY id DESC LIMIT $6 OFFSET $7");

static void fill_audit(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_audit *e = item;

	e->id = tc_row_i64(r, 0);
	e->at = tc_row_time(r, 1);
	e->actor_id = tc_row_i64(r, 2);
	e->actor = tc_row_text(r, 3, a);
	e->action = tc_row_text(r, 4, a);
	e->entity = tc_row_text(r, 5, a);
	e->entity_id = tc_row_text(r, 6, a);
	e->scope_path = tc_row_text(r, 7, a);
	e->before_json = tc_row_text(r, 8, a);
	e->after_json = tc_row_text(r, 9, a);
}

enum tc_qs tc_q_audit_insert(struct tc_dbc *c, const struct tc_audit *e)
{
	struct tc_dbv p[] = {TC_P_TIME(e->at),        TC_P_ID(e->actor_id),
	                     TC_P_TEXT(e->actor),     TC_P_TEXT(e->action),
	                     TC_P_TEXT(e->entity),    TC_P_TEXT(e->entity_id),
	                     TC_P_TEXT(e->scope_path), TC_P_TEXT(e->before_json),
	                     TC_P_TEXT(e->after_json)};
	return tc_exec(c, &q_insert, p, 9, NULL, NULL);
}

enum tc_qs tc_q_audit_list(struct tc_dbc *c, const char *scope,
                           const char *entity, const char *entity_id,
                           struct tc_page page, struct tc_arena *a,
                           struct tc_audit **out, size_t *n)
{
	const char *lo, *hi;
	tc_scope_range(a, scope, &lo, &hi);
	struct tc_dbv p[] = {TC_P_TEXT(scope),     TC_P_TEXT(lo),        TC_P_TEXT(hi),
	                     TC_P_TEXT(entity),    TC_P_TEXT(entity_id), TC_P_I64(page.limit),
	                     TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_audit),
	                            .fill = fill_audit};
	enum tc_qs qs = tc_exec(c, &q_list, p, 7, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}
