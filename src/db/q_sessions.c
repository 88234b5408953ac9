/* Login sessions and failed-login counters. */
#include <string.h>

#include "../core/arena.h"
#include "../core/util.h"
#include "dbi.h"

static struct tc_sql q_insert = TC_SQL(
	"INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at,"
	" expires_at, idle_seconds, user_epoch) VALUES ($1, $2, $3, $4, $5, $6, $7)"
	" RETURNING id");
static struct tc_sql q_lookup = TC_SQL(
	"SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at,"
	" s.idle_seconds, u.username, u.role, u.unit_code, u.facility_id,"
	" u.scope_path, u.active, u.created_at, u.created_by, u.session_epoch"
	" FROM sessions s JOIN users u ON u.id = s.user_id"
	" AND u.session_epoch = s.user_epoch"
	" WHERE s.token_hash = $1 AND u.active = TRUE");
static struct tc_sql q_actor = TC_SQL(
	"SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id"
	" AND u.session_epoch = s.user_epoch"
	" WHERE s.id = $1 AND u.active = TRUE AND u.role = $2 AND u.scope_path = $3");
static struct tc_sql q_touch = TC_SQL(
	"UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2");
static struct tc_sql q_delete = TC_SQL("DELETE FROM sessions WHERE id = $1");
static struct tc_sql q_delete_user = TC_SQL("DELETE FROM sessions WHERE user_id = $1");
static struct tc_sql q_purge = TC_SQL(
	"DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2");

static struct tc_sql q_fail_get = TC_SQL(
	"SELECT failures FROM auth_failures WHERE scope = $1 AND key = $2"
	" AND window_start >= $3");
static struct tc_sql q_fail_add = TC_SQL(
	"INSERT INTO auth_failures (scope, key, window_start, failures)"
	" VALUES ($1, $2, $3, 1) ON CONFLICT (scope, key) DO UPDATE SET"
	" failures = CASE WHEN auth_failures.window_start >= $4"
	"   THEN auth_failures.failures + 1 ELSE 1 END,"
	" window_start = CASE WHEN auth_failures.window_start >= $4"
	"   THEN auth_failures.window_start ELSE excluded.window_start END");
static struct tc_sql q_fail_reserve = TC_SQL(
	"INSERT INTO auth_failures (scope, key, window_start, failures)"
	" VALUES ($1, $2, $3, 1) ON CONFLICT (scope, key) DO UPDATE SET"
	" failures = CASE WHEN auth_failures.window_start >= $4"
	"   THEN auth_failures.failures + 1 ELSE 1 END,"
	" window_start = CASE WHEN auth_failures.window_start >= $4"
	"   THEN auth_failures.window_start ELSE excluded.window_start END"
	" RETURNING failures");
static struct tc_sql q_fail_purge =
	TC_SQL("DELETE FROM auth_failures WHERE window_start < $1");
static struct tc_sql q_fail_clear =
	TC_SQL("DELETE FROM auth_failures WHERE scope = $1 AND key = $2");

enum tc_qs tc_q_session_insert(struct tc_dbc *c, const char *token_hash,
                               struct tc_session *s)
{
	struct tc_dbv p[] = {TC_P_TEXT(token_hash),     TC_P_I64(s->user_id),
	                     TC_P_TIME(s->created_at),  TC_P_TIME(s->last_seen_at),
	                     TC_P_TIME(s->expires_at),  TC_P_I64(s->idle_seconds),
	                     TC_P_I64(s->user_epoch)};
	return tc_exec(c, &q_insert, p, 7, tc_rows_i64, &s->id);
}

struct lookup {
	struct tc_arena *a;
	struct tc_session *s;
	struct tc_user *u;
};

static int take_lookup(void *cls, const struct tc_dbrow *r)
{
	struct lookup *l = cls;

	l->s->id = tc_row_i64(r, 0);
	l->s->user_id = tc_row_i64(r, 1);
	l->s->created_at = tc_row_time(r, 2);
	l->s->last_seen_at = tc_row_time(r, 3);
	l->s->expires_at = tc_row_time(r, 4);
	l->s->idle_seconds = tc_row_i64(r, 5);
	l->u->id = l->s->user_id;
	l->u->username = tc_row_text(r, 6, l->a);
	l->u->role = tc_row_text(r, 7, l->a);
	l->u->unit_code = tc_row_text(r, 8, l->a);
	l->u->facility_id = tc_row_i64(r, 9);
	l->u->scope_path = tc_row_text(r, 10, l->a);
	l->u->active = tc_row_bool(r, 11);
	l->u->created_at = tc_row_time(r, 12);
	l->u->created_by = tc_row_i64(r, 13);
	l->u->session_epoch = tc_row_i64(r, 14);
	l->s->user_epoch = l->u->session_epoch;
	l->u->password_hash = NULL;
	return 1;
}

enum tc_qs tc_q_session_lookup(struct tc_dbc *c, const char *token_hash,
                               struct tc_arena *a, struct tc_session *s,
                               struct tc_user *u)
{
	struct tc_dbv p[] = {TC_P_TEXT(token_hash)};
	struct lookup l = {a, s, u};
	return tc_exec(c, &q_lookup, p, 1, take_lookup, &l);
}

/* Within one transaction an actor found current stays so, unless the
 * transaction itself changed a session or an account: a batch of writes
 * by one member of staff looks them up once. */
static bool actor_seen(const struct tc_dbc *c, int64_t session_id, const char *role,
                       const char *scope)
{
	for (int i = 0; i < c->n_actors_seen && !c->auth_changed; i++) {
		const struct tc_actor_seen *a = &c->actors_seen[i];
		if (a->session_id == session_id && strcmp(a->role, role) == 0 &&
		    strcmp(a->scope, scope) == 0)
			return true;
	}
	return false;
}

static void remember_actor(struct tc_dbc *c, int64_t session_id, const char *role,
                           const char *scope)
{
	struct tc_actor_seen *a;

	if (c->n_actors_seen == TC_ARRAY_LEN(c->actors_seen) || c->auth_changed ||
	    strlen(role) >= sizeof(a->role) || strlen(scope) >= sizeof(a->scope))
		return;
	a = &c->actors_seen[c->n_actors_seen++];
	a->session_id = session_id;
	strcpy(a->role, role);
	strcpy(a->scope, scope);
}

enum tc_qs tc_q_actor_current(struct tc_dbc *c, int64_t session_id, const char *role,
                              const char *scope)
{
	struct tc_dbv p[] = {TC_P_I64(session_id), TC_P_TEXT(role), TC_P_TEXT(scope)};
	enum tc_qs qs;

	if (actor_seen(c, session_id, role, scope))
		return TC_QS_ONE;
	qs = tc_exec(c, &q_actor, p, 3, NULL, NULL);
	if (qs > 0)
		remember_actor(c, session_id, role, scope);
	return qs;
}

enum tc_qs tc_q_session_touch(struct tc_dbc *c, int64_t id, int64_t now)
{
	struct tc_dbv p[] = {TC_P_I64(id), TC_P_TIME(now)};
	return tc_exec(c, &q_touch, p, 2, NULL, NULL);
}

enum tc_qs tc_q_session_delete(struct tc_dbc *c, int64_t id)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	tc_dbc_auth_changed(c);
	return tc_exec(c, &q_delete, p, 1, NULL, NULL);
}

enum tc_qs tc_q_sessions_delete_user(struct tc_dbc *c, int64_t user_id)
{
	struct tc_dbv p[] = {TC_P_I64(user_id)};
	tc_dbc_auth_changed(c);
	return tc_exec(c, &q_delete_user, p, 1, NULL, NULL);
}

enum tc_qs tc_q_sessions_purge(struct tc_dbc *c, int64_t now, int64_t idle_before)
{
	struct tc_dbv p[] = {TC_P_TIME(now), TC_P_TIME(idle_before)};
	enum tc_qs qs = tc_exec(c, &q_purge, p, 2, NULL, NULL);

	if (qs > 0)
		tc_dbc_auth_changed(c);
	return qs;
}

enum tc_qs tc_q_authfail_get(struct tc_dbc *c, const char *scope,
                             const char *key, int64_t window_start,
                             int64_t *failures)
{
	struct tc_dbv p[] = {TC_P_TEXT(scope), TC_P_TEXT(key), TC_P_TIME(window_start)};
	*failures = 0;
	return tc_exec(c, &q_fail_get, p, 3, tc_rows_i64, failures);
}

enum tc_qs tc_q_authfail_add(struct tc_dbc *c, const char *scope,
                             const char *key, int64_t now, int64_t window_start)
{
	struct tc_dbv p[] = {TC_P_TEXT(scope), TC_P_TEXT(key), TC_P_TIME(now),
	                     TC_P_TIME(window_start)};
	return tc_exec(c, &q_fail_add, p, 4, NULL, NULL);
}

enum tc_qs tc_q_authfail_reserve(struct tc_dbc *c, const char *scope,
                                 const char *key, int64_t now, int64_t window_start,
                                 int64_t *attempts)
{
	struct tc_dbv p[] = {TC_P_TEXT(scope), TC_P_TEXT(key), TC_P_TIME(now),
	                     TC_P_TIME(window_start)};
	*attempts = 0;
	return tc_exec(c, &q_fail_reserve, p, 4, tc_rows_i64, attempts);
}

enum tc_qs tc_q_authfail_clear(struct tc_dbc *c, const char *scope,
                               const char *key)
{
	struct tc_dbv p[] = {TC_P_TEXT(scope), TC_P_TEXT(key)};
	return tc_exec(c, &q_fail_clear, p, 2, NULL, NULL);
}

enum tc_qs tc_q_authfail_purge(struct tc_dbc *c, int64_t before)
{
	struct tc_dbv p[] = {TC_P_TIME(before)};
	return tc_exec(c, &q_fail_purge, p, 1, NULL, NULL);
}
