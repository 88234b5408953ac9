/* Idempotency keys: the first answer to a write that carried one. */
#include "../core/arena.h"
#include "dbi.h"

static struct tc_sql q_get = TC_SQL(
	"SELECT actor_key, idem_key, request_sha, status, body, created_at"
	" FROM idempotency_keys WHERE actor_key = $1 AND idem_key = $2");
/* On PostgreSQL a concurrent transaction holding the same key makes this
 * wait for it: once it commits nothing is inserted (NONE), once it rolls
 * back the key is ours. */
static struct tc_sql q_reserve = TC_SQL(
	"INSERT INTO idempotency_keys (actor_key, idem_key, request_sha, status, body,"
	" created_at) VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT DO NOTHING");
static struct tc_sql q_put = TC_SQL(
	"INSERT INTO idempotency_keys (actor_key, idem_key, request_sha, status, body,"
	" created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING");
static struct tc_sql q_answer = TC_SQL(
	"UPDATE idempotency_keys SET status = $3, body = $4"
	" WHERE actor_key = $1 AND idem_key = $2");
static struct tc_sql q_purge =
	TC_SQL("DELETE FROM idempotency_keys WHERE created_at < $1");

static void fill_idem(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_idem_entry *e = item;
	e->actor_key = tc_row_text(r, 0, a);
	e->idem_key = tc_row_text(r, 1, a);
	e->request_sha = tc_row_text(r, 2, a);
	e->status = tc_row_i64(r, 3);
	e->body = tc_row_text(r, 4, a);
	e->created_at = tc_row_time(r, 5);
}

enum tc_qs tc_q_idem_get(struct tc_dbc *c, const char *actor_key, const char *idem_key,
                         struct tc_arena *a, struct tc_idem_entry *out)
{
	struct tc_dbv p[] = {TC_P_TEXT(actor_key), TC_P_TEXT(idem_key)};
	struct tc_row_into o = {a, out, fill_idem};
	return tc_exec(c, &q_get, p, 2, tc_rows_one, &o);
}

enum tc_qs tc_q_idem_reserve(struct tc_dbc *c, const struct tc_idem_entry *e)
{
	struct tc_dbv p[] = {TC_P_TEXT(e->actor_key), TC_P_TEXT(e->idem_key),
	                     TC_P_TEXT(e->request_sha), TC_P_TIME(e->created_at)};
	return tc_exec(c, &q_reserve, p, 4, NULL, NULL);
}

enum tc_qs tc_q_idem_put(struct tc_dbc *c, const struct tc_idem_entry *e)
{
	struct tc_dbv p[] = {TC_P_TEXT(e->actor_key),   TC_P_TEXT(e->idem_key),
	                     TC_P_TEXT(e->request_sha), TC_P_I64(e->status),
	                     TC_P_TEXT(e->body),        TC_P_TIME(e->created_at)};
	return tc_exec(c, &q_put, p, 6, NULL, NULL);
}

enum tc_qs tc_q_idem_answer(struct tc_dbc *c, const struct tc_idem_entry *e)
{
	struct tc_dbv p[] = {TC_P_TEXT(e->actor_key), TC_P_TEXT(e->idem_key),
	                     TC_P_I64(e->status), TC_P_TEXT(e->body)};
	return tc_exec(c, &q_answer, p, 4, NULL, NULL);
}

enum tc_qs tc_q_idem_purge(struct tc_dbc *c, int64_t before)
{
	struct tc_dbv p[] = {TC_P_TIME(before)};
	return tc_exec(c, &q_purge, p, 1, NULL, NULL);
}
