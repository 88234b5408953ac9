/* Staff accounts. Password hashes leave the database only for login. */
#include "../core/arena.h"
#include "dbi.h"

#define USER_COLS \
	"users.id, username, role, users.unit_code, facility_id, users.scope_path," \
	" users.active, users.created_at, created_by, session_epoch"
/* The name of the account's place, for lists that people read. */
#define USER_PLACE \
	", COALESCE(un.name_with_type, f.name) FROM users" \
	" LEFT JOIN units un ON un.code = users.unit_code" \
	" LEFT JOIN facilities f ON f.id = users.facility_id"

static struct tc_sql q_insert = TC_SQL(
	"INSERT INTO users (username, password_hash, role, unit_code, facility_id,"
	" scope_path, active, created_at, created_by)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id");
static struct tc_sql q_get =
	TC_SQL("SELECT " USER_COLS USER_PLACE " WHERE users.id = $1");
static struct tc_sql q_by_name = TC_SQL(
	"SELECT " USER_COLS ", NULL, password_hash FROM users WHERE username = $1");
static struct tc_sql q_update = TC_SQL(
	"UPDATE users SET role = $2, unit_code = $3, facility_id = $4,"
	" scope_path = $5, active = $6, session_epoch = session_epoch + 1"
	" WHERE id = $1 AND role = $7 AND scope_path = $8 AND active = $9"
	" AND session_epoch = $10");
static struct tc_sql q_set_password =
	TC_SQL("UPDATE users SET password_hash = $2 WHERE id = $1");
static struct tc_sql q_list = TC_SQL(
	"SELECT " USER_COLS USER_PLACE
	" WHERE " TC_SCOPE_UNDER("users.scope_path", "$2", "$3")
	" AND (CAST($4 AS TEXT) IS NULL OR role = CAST($4 AS TEXT))"
	" ORDER BY users.id LIMIT $5 OFFSET $6");

static void fill_user(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_user *u = item;

	u->id = tc_row_i64(r, 0);
	u->username = tc_row_text(r, 1, a);
	u->role = tc_row_text(r, 2, a);
	u->unit_code = tc_row_text(r, 3, a);
	u->facility_id = tc_row_i64(r, 4);
	u->scope_path = tc_row_text(r, 5, a);
	u->active = tc_row_bool(r, 6);
	u->created_at = tc_row_time(r, 7);
	u->created_by = tc_row_i64(r, 8);
	u->session_epoch = tc_row_i64(r, 9);
	u->place_name = tc_row_text(r, 10, a);
	u->password_hash = NULL;
}

static void fill_user_hash(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_user *u = item;

	fill_user(item, r, a);
	u->password_hash = tc_row_text(r, 11, a);
}

enum tc_qs tc_q_user_insert(struct tc_dbc *c, struct tc_user *u)
{
	struct tc_dbv p[] = {TC_P_TEXT(u->username),   TC_P_TEXT(u->password_hash),
	                     TC_P_TEXT(u->role),       TC_P_TEXT(u->unit_code),
	                     TC_P_ID(u->facility_id),  TC_P_TEXT(u->scope_path),
	                     TC_P_BOOL(u->active),     TC_P_TIME(u->created_at),
	                     TC_P_ID(u->created_by)};
	return tc_exec(c, &q_insert, p, 9, tc_rows_i64, &u->id);
}

enum tc_qs tc_q_user_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                         struct tc_user *out)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	struct tc_row_into o = {a, out, fill_user};
	return tc_exec(c, &q_get, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_user_by_username(struct tc_dbc *c, const char *username,
                                 struct tc_arena *a, struct tc_user *out)
{
	struct tc_dbv p[] = {TC_P_TEXT(username)};
	struct tc_row_into o = {a, out, fill_user_hash};
	return tc_exec(c, &q_by_name, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_user_update(struct tc_dbc *c, const struct tc_user *before,
                            const struct tc_user *u)
{
	struct tc_dbv p[] = {TC_P_I64(u->id),               TC_P_TEXT(u->role),
	                     TC_P_TEXT(u->unit_code),       TC_P_ID(u->facility_id),
	                     TC_P_TEXT(u->scope_path),      TC_P_BOOL(u->active),
	                     TC_P_TEXT(before->role),       TC_P_TEXT(before->scope_path),
	                     TC_P_BOOL(before->active),     TC_P_I64(before->session_epoch)};
	tc_dbc_auth_changed(c);
	return tc_exec(c, &q_update, p, 10, NULL, NULL);
}

enum tc_qs tc_q_user_set_password(struct tc_dbc *c, int64_t id, const char *hash)
{
	struct tc_dbv p[] = {TC_P_I64(id), TC_P_TEXT(hash)};
	tc_dbc_auth_changed(c);
	return tc_exec(c, &q_set_password, p, 2, NULL, NULL);
}

enum tc_qs tc_q_users_list(struct tc_dbc *c, const char *scope, const char *role,
                           struct tc_page page, struct tc_arena *a,
                           struct tc_user **out, size_t *n)
{
	const char *lo, *hi;
	tc_scope_range(a, scope, &lo, &hi);
	struct tc_dbv p[] = {TC_P_TEXT(scope), TC_P_TEXT(lo), TC_P_TEXT(hi), TC_P_TEXT(role),
	                     TC_P_I64(page.limit), TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_user),
	                            .fill = fill_user};
	enum tc_qs qs = tc_exec(c, &q_list, p, 6, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}
