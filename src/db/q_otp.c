/* One-time codes, citizens' sessions and the outbox. */
#include "../core/arena.h"
#include "dbi.h"

static struct tc_sql q_otp_put = TC_SQL(
	"INSERT INTO otp_codes (phone, code_hash, salt, created_at, expires_at, attempts)"
	" VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (phone) DO UPDATE SET"
	" code_hash = excluded.code_hash, salt = excluded.salt,"
	" created_at = excluded.created_at, expires_at = excluded.expires_at, attempts = 0");
static struct tc_sql q_otp_get = TC_SQL(
	"SELECT phone, code_hash, salt, created_at, expires_at, attempts FROM otp_codes"
	" WHERE phone = $1");
static struct tc_sql q_otp_attempt = TC_SQL(
	"UPDATE otp_codes SET attempts = attempts + 1 WHERE phone = $1 AND expires_at > $2"
	" AND attempts < $3"
	" RETURNING phone, code_hash, salt, created_at, expires_at, attempts");
static struct tc_sql q_otp_delete = TC_SQL("DELETE FROM otp_codes WHERE phone = $1");

static struct tc_sql q_cs_insert = TC_SQL(
	"INSERT INTO citizen_sessions (token_hash, phone, created_at, last_seen_at,"
	" expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id");
static struct tc_sql q_cs_lookup = TC_SQL(
	"SELECT id, phone, created_at, last_seen_at, expires_at FROM citizen_sessions"
	" WHERE token_hash = $1");
static struct tc_sql q_cs_touch =
	TC_SQL("UPDATE citizen_sessions SET last_seen_at = $2 WHERE id = $1");
static struct tc_sql q_cs_delete = TC_SQL("DELETE FROM citizen_sessions WHERE id = $1");
static struct tc_sql q_cs_purge = TC_SQL(
	"DELETE FROM citizen_sessions WHERE expires_at < $1 OR last_seen_at < $2");

#define MSG_COLS                                                                  \
	"id, channel, recipient, kind, body, status, attempts, next_try, created_at," \
	" sent_at, last_error"
static struct tc_sql q_out_add = TC_SQL(
	"INSERT INTO outbox (channel, recipient, kind, body, status, attempts, next_try,"
	" created_at) VALUES ($1, $2, $3, $4, 'queued', 0, $5, $5)");
static struct tc_sql q_out_due = TC_SQL(
	"SELECT " MSG_COLS " FROM outbox WHERE status = 'queued' AND next_try <= $1"
	" ORDER BY next_try, id LIMIT $2");
static struct tc_sql q_out_claim = TC_SQL(
	"UPDATE outbox SET next_try = $3 WHERE id = $1 AND status = 'queued'"
	" AND next_try = $2");
static struct tc_sql q_out_mark = TC_SQL(
	"UPDATE outbox SET status = $2, attempts = $3, next_try = $4, last_error = $5,"
	" sent_at = $6,"
	" body = CASE WHEN kind = 'otp' AND $2 <> 'queued' THEN '(one-time code, not kept)'"
	" ELSE body END WHERE id = $1");
static struct tc_sql q_out_for = TC_SQL(
	"SELECT " MSG_COLS " FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT $2");

static void fill_otp(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_otp *o = item;
	o->phone = tc_row_text(r, 0, a);
	o->code_hash = tc_row_text(r, 1, a);
	o->salt = tc_row_text(r, 2, a);
	o->created_at = tc_row_time(r, 3);
	o->expires_at = tc_row_time(r, 4);
	o->attempts = tc_row_i64(r, 5);
}

enum tc_qs tc_q_otp_put(struct tc_dbc *c, const struct tc_otp *o)
{
	struct tc_dbv p[] = {TC_P_TEXT(o->phone), TC_P_TEXT(o->code_hash), TC_P_TEXT(o->salt),
	                     TC_P_TIME(o->created_at), TC_P_TIME(o->expires_at)};
	return tc_exec(c, &q_otp_put, p, 5, NULL, NULL);
}

enum tc_qs tc_q_otp_get(struct tc_dbc *c, const char *phone, struct tc_arena *a,
                        struct tc_otp *out)
{
	struct tc_dbv p[] = {TC_P_TEXT(phone)};
	struct tc_row_into o = {a, out, fill_otp};
	return tc_exec(c, &q_otp_get, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_otp_attempt(struct tc_dbc *c, const char *phone, int64_t now,
                            int64_t max_attempts, struct tc_arena *a, struct tc_otp *out)
{
	struct tc_dbv p[] = {TC_P_TEXT(phone), TC_P_TIME(now), TC_P_I64(max_attempts)};
	struct tc_row_into o = {a, out, fill_otp};
	return tc_exec(c, &q_otp_attempt, p, 3, tc_rows_one, &o);
}

enum tc_qs tc_q_otp_delete(struct tc_dbc *c, const char *phone)
{
	struct tc_dbv p[] = {TC_P_TEXT(phone)};
	return tc_exec(c, &q_otp_delete, p, 1, NULL, NULL);
}

enum tc_qs tc_q_csession_insert(struct tc_dbc *c, const char *token_hash,
                                struct tc_csession *s)
{
	struct tc_dbv p[] = {TC_P_TEXT(token_hash), TC_P_TEXT(s->phone),
	                     TC_P_TIME(s->created_at), TC_P_TIME(s->last_seen_at),
	                     TC_P_TIME(s->expires_at)};
	return tc_exec(c, &q_cs_insert, p, 5, tc_rows_i64, &s->id);
}

static void fill_cs(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_csession *s = item;
	s->id = tc_row_i64(r, 0);
	s->phone = tc_row_text(r, 1, a);
	s->created_at = tc_row_time(r, 2);
	s->last_seen_at = tc_row_time(r, 3);
	s->expires_at = tc_row_time(r, 4);
}

enum tc_qs tc_q_csession_lookup(struct tc_dbc *c, const char *token_hash,
                                struct tc_arena *a, struct tc_csession *out)
{
	struct tc_dbv p[] = {TC_P_TEXT(token_hash)};
	struct tc_row_into o = {a, out, fill_cs};
	return tc_exec(c, &q_cs_lookup, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_csession_touch(struct tc_dbc *c, int64_t id, int64_t now)
{
	struct tc_dbv p[] = {TC_P_I64(id), TC_P_TIME(now)};
	return tc_exec(c, &q_cs_touch, p, 2, NULL, NULL);
}

enum tc_qs tc_q_csession_delete(struct tc_dbc *c, int64_t id)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	return tc_exec(c, &q_cs_delete, p, 1, NULL, NULL);
}

enum tc_qs tc_q_csessions_purge(struct tc_dbc *c, int64_t now, int64_t idle_before)
{
	struct tc_dbv p[] = {TC_P_TIME(now), TC_P_TIME(idle_before)};
	return tc_exec(c, &q_cs_purge, p, 2, NULL, NULL);
}

enum tc_qs tc_q_outbox_add(struct tc_dbc *c, const struct tc_message *m)
{
	struct tc_dbv p[] = {TC_P_TEXT(m->channel), TC_P_TEXT(m->recipient),
	                     TC_P_TEXT(m->kind), TC_P_TEXT(m->body),
	                     TC_P_TIME(m->created_at)};
	return tc_exec(c, &q_out_add, p, 5, NULL, NULL);
}

static void fill_msg(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_message *m = item;
	m->id = tc_row_i64(r, 0);
	m->channel = tc_row_text(r, 1, a);
	m->recipient = tc_row_text(r, 2, a);
	m->kind = tc_row_text(r, 3, a);
	m->body = tc_row_text(r, 4, a);
	m->status = tc_row_text(r, 5, a);
	m->attempts = tc_row_i64(r, 6);
	m->next_try = tc_row_time(r, 7);
	m->created_at = tc_row_time(r, 8);
	m->sent_at = tc_row_time(r, 9);
	m->last_error = tc_row_text(r, 10, a);
}

static enum tc_qs collect(struct tc_dbc *c, struct tc_sql *q, const struct tc_dbv *p,
                          int np, struct tc_arena *a, struct tc_message **out, size_t *n)
{
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_message),
	                            .fill = fill_msg};
	enum tc_qs qs = tc_exec(c, q, p, np, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

enum tc_qs tc_q_outbox_due(struct tc_dbc *c, int64_t now, int64_t limit,
                           struct tc_arena *a, struct tc_message **out, size_t *n)
{
	struct tc_dbv p[] = {TC_P_TIME(now), TC_P_I64(limit)};
	return collect(c, &q_out_due, p, 2, a, out, n);
}

enum tc_qs tc_q_outbox_claim(struct tc_dbc *c, const struct tc_message *m,
                             int64_t lease_until)
{
	struct tc_dbv p[] = {TC_P_I64(m->id), TC_P_TIME(m->next_try), TC_P_TIME(lease_until)};
	return tc_exec(c, &q_out_claim, p, 3, NULL, NULL);
}

enum tc_qs tc_q_outbox_mark(struct tc_dbc *c, const struct tc_message *m)
{
	struct tc_dbv p[] = {TC_P_I64(m->id),        TC_P_TEXT(m->status),
	                     TC_P_I64(m->attempts),  TC_P_TIME(m->next_try),
	                     TC_P_TEXT(m->last_error),
	                     m->sent_at ? TC_P_TIME(m->sent_at) : TC_P_NULL};
	return tc_exec(c, &q_out_mark, p, 6, NULL, NULL);
}

enum tc_qs tc_q_outbox_for(struct tc_dbc *c, const char *recipient, int64_t limit,
                           struct tc_arena *a, struct tc_message **out, size_t *n)
{
	struct tc_dbv p[] = {TC_P_TEXT(recipient), TC_P_I64(limit)};
	return collect(c, &q_out_for, p, 2, a, out, n);
}
