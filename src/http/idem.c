/* Writes a client may retry, answered once per Idempotency-Key
 * (tc_req_write_idem in request.h).
 *
 * The key is taken inside the write's own transaction, before the write,
 * and the answer is stored there too: a crash never keeps the write
 * without its answer, and a concurrent request with the same key (on
 * PostgreSQL) waits on the key's row before it could do any of the write,
 * so the write's own unique keys (a document number) never answer it with
 * a conflict instead of the first answer. */
#include <microhttpd.h>
#include <string.h>

#include "../core/tctime.h"
#include "../core/util.h"
#include "../crypto/secret.h"
#include "idem_pack.h"
#include "request.h"
#include "server.h"

#define IDEM_HEADER "Idempotency-Key"
#define IDEM_MAX 255

struct idem {
	struct tc_req *r;
	tc_job_fn run;
	void *cls;
	tc_req_render render;
	struct tc_idem_entry key; /* actor_key, idem_key, request_sha, created_at */
	/* the answer; every attempt of the job starts it afresh */
	unsigned status;
	bool replayed;
	const char *packed; /* the answer as stored, when packing made it smaller */
	bool pack_tried;
	/* the same key's request earlier in the same batch (deferred) */
	struct idem *first;
	uint64_t key_hash; /* of actor_key and idem_key */
};

/* ---- without a key ------------------------------------------------------ */

static tc_err plain_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct idem *st = cls;
	return st->run(c, st->cls, f);
}

static tc_err plain_after(struct tc_req *r)
{
	struct idem *st = r->job.cls;
	unsigned status = st->render(st->cls, tc_reply_begin(r));
	return tc_reply_end(r, status);
}

/* ---- with a key ---------------------------------------------------------- */

/* An answer given before, as this request's (the job owns the request). */
static void answer_again(struct idem *st, const char *body, size_t len, unsigned status)
{
	tc_buf_reset(&st->r->out);
	tc_buf_append(&st->r->out, body, len);
	st->status = status;
	st->replayed = true;
}

/* The key was answered before: the same answer again, if it was for the
 * same request. The body goes to r->out (the job owns the request). */
static tc_err replay(struct idem *st, const struct tc_idem_entry *e, struct tc_fault *f)
{
	if (strcmp(e->request_sha, st->key.request_sha) != 0)
		return tc_fault_set(f, TC_ERR_IDEMPOTENCY_MISMATCH, IDEM_HEADER, NULL);
	if (e->status < 100 || e->status > 599 || e->body == NULL)
		return tc_fault_internal(f, TC_ERR_DB, "an idempotency key without an answer");
	tc_buf_reset(&st->r->out);
	if (!tc_idem_unpack(e->body, &st->r->out))
		return tc_fault_internal(f, TC_ERR_DB,
		                         "a stored answer that does not unpack");
	st->status = (unsigned)e->status;
	st->replayed = true;
	return TC_ERR_OK;
}

/* The answer in r->out packed, once (NULL: kept as it is). */
static void pack_answer(struct idem *st)
{
	const struct tc_buf *out = &st->r->out;

	if (!st->pack_tried && out->data)
		st->packed = tc_idem_pack(out->data, out->len, &st->r->arena);
	st->pack_tried = true;
}

/* Stores the key with the answer render wrote to r->out: one new row on
 * SQLite (serial), the answer of the row reserved first on PostgreSQL. */
static tc_err store_answer(struct tc_dbc *c, struct idem *st, bool serial,
                           struct tc_fault *f)
{
	const struct tc_buf *out = &st->r->out;
	enum tc_qs qs;

	pack_answer(st);
	st->key.status = st->status;
	st->key.body = st->packed ? st->packed : out->data ? out->data : "";
	qs = serial ? tc_q_idem_put(c, &st->key) : tc_q_idem_answer(c, &st->key);
	st->key.body = NULL; /* r->out's or the arena's, not ours */
	if (qs == TC_QS_NONE)
		return tc_fault_internal(f, TC_ERR_DB, "the idempotency key vanished");
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

/* ---- deferred: the answer written off the writer's path (db.h) -------- */

/* On the helper thread: the answer's JSON, into r->out, and packed. */
static void idem_prepare(struct tc_job *j)
{
	struct idem *st = j->cls;

	if (st->first == NULL) {
		st->status = st->render(st->cls, tc_reply_begin(st->r));
		pack_answer(st);
	}
}

/* On the writer, once the batch has run: the key and its answer stored
 * (as idem_run does when nothing is deferred); or, for a second request
 * with the key in one batch, the first one's answer again. */
static tc_err idem_finish(struct tc_dbc *c, struct tc_job *j, struct tc_fault *f)
{
	struct idem *st = j->cls;

	if (st->first) {
		const struct tc_buf *out = &st->first->r->out;
		answer_again(st, out->data, out->len, st->first->status);
		return TC_ERR_OK;
	}
	return store_answer(c, st, true, f);
}

/* The request with the same key earlier in the running batch, if any: its
 * key is not stored yet. */
static struct idem *pending(struct tc_dbc *c, const struct idem *st)
{
	for (struct tc_job *j = tc_dbc_deferred_find(c, st->key_hash); j;
	     j = j->next_same_key) {
		struct idem *o = j->cls;
		if (j->finish == idem_finish &&
		    strcmp(o->key.idem_key, st->key.idem_key) == 0 &&
		    strcmp(o->key.actor_key, st->key.actor_key) == 0)
			return o->first ? o->first : o;
	}
	return NULL;
}

static tc_err idem_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct idem *st = cls;
	struct tc_req *r = st->r;
	struct tc_idem_entry found = {0};
	enum tc_qs qs;
	tc_err rc;

	st->status = 0;
	st->replayed = false;
	st->first = NULL;
	st->packed = NULL;
	st->pack_tried = false;
	qs = tc_q_idem_get(c, st->key.actor_key, st->key.idem_key, &r->arena, &found);
	if (qs == TC_QS_ONE)
		return replay(st, &found, f);
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (tc_dbc_can_defer(c)) {
		st->first = pending(c, st);
		if (st->first) {
			if (strcmp(st->first->key.request_sha, st->key.request_sha) != 0)
				return tc_fault_set(f, TC_ERR_IDEMPOTENCY_MISMATCH,
				                    IDEM_HEADER, NULL);
			tc_job_defer(c, &r->job, idem_prepare, idem_finish, st->key_hash);
			return TC_ERR_OK;
		}
	}
	/* Writers side by side (PostgreSQL): the key is taken first, so a
	 * concurrent request with it waits on its row. One writer (SQLite):
	 * nothing comes between the look-up and the write, and the key and
	 * its answer go in as one row at the end. */
	bool serial = tc_db_kind(tc_server_db(r->srv)) == TC_DB_SQLITE;
	if (!serial) {
		qs = tc_q_idem_reserve(c, &st->key);
		/* A concurrent request took the key and committed since we
		 * looked: the next attempt of the job finds its answer. */
		if (qs == TC_QS_NONE)
			return tc_fault_set(f, TC_ERR_RETRY, NULL, NULL);
		if (qs < 0)
			return tc_qs_err(qs, f);
	}
	rc = st->run(c, st->cls, f);
	if (rc != TC_ERR_OK)
		return rc; /* rolled back with the key */
	if (tc_dbc_can_defer(c)) { /* SQLite only */
		tc_job_defer(c, &r->job, idem_prepare, idem_finish, st->key_hash);
		return TC_ERR_OK;
	}
	st->status = st->render(st->cls, tc_reply_begin(r));
	return store_answer(c, st, serial, f);
}

static tc_err idem_after(struct tc_req *r)
{
	struct idem *st = r->job.cls;
	tc_err rc = tc_reply_end(r, st->status);

	if (st->replayed)
		tc_reply_header(r, "Idempotent-Replayed", "true");
	return rc;
}

/* ---- the entry ---------------------------------------------------------- */

static bool key_wellformed(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || n > IDEM_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)k[i] < 0x20 || (unsigned char)k[i] > 0x7e)
			return false;
	return true;
}

/* FNV-1a over both, a NUL between: a quick first test among a batch's
 * keys. */
static uint64_t key_hash(const char *actor, const char *key)
{
	uint64_t h = tc_fnv1a(tc_fnv1a(TC_FNV_BASIS, actor), key);
	return h ? h : 1; /* 0 files nothing (tc_job_defer) */
}

static void request_sha(const struct tc_req *r, char out[TC_SHA256_HEX])
{
	struct tc_sha256 *h = tc_sha256_begin();

	/* NUL after method and path: neither holds one, so no two requests
	 * hash the same pieces */
	tc_sha256_update(h, r->method, strlen(r->method) + 1);
	tc_sha256_update(h, r->path, strlen(r->path) + 1);
	if (r->body.len)
		tc_sha256_update(h, r->body.data, r->body.len);
	tc_sha256_end(h, out);
}

tc_err tc_req_write_idem(struct tc_req *r, tc_job_fn run, void *cls,
                         tc_req_render render)
{
	struct idem *st = TC_NEW(&r->arena, struct idem);
	const char *key = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, IDEM_HEADER);
	char sha[TC_SHA256_HEX];

	st->r = r;
	st->run = run;
	st->cls = cls;
	st->render = render;
	if (key == NULL)
		return tc_req_write(r, plain_run, st, plain_after);
	if (!key_wellformed(key))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, IDEM_HEADER,
		                    "an Idempotency-Key is 1 to 255 printable ASCII characters");
	if (r->actor.citizen_phone)
		st->key.actor_key = tc_arena_printf(&r->arena, "c%s", r->actor.citizen_phone);
	else if (r->actor.authenticated && r->actor.user_id > 0)
		st->key.actor_key =
			tc_arena_printf(&r->arena, "u%lld", (long long)r->actor.user_id);
	else /* a public route: nobody to keep the key for */
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, IDEM_HEADER,
		                    "an Idempotency-Key needs a signed-in request");
	request_sha(r, sha);
	st->key.idem_key = tc_arena_strdup(&r->arena, key);
	st->key.request_sha = tc_arena_strdup(&r->arena, sha);
	st->key.created_at = tc_now_us();
	st->key_hash = key_hash(st->key.actor_key, st->key.idem_key);
	return tc_req_write(r, idem_run, st, idem_after);
}
