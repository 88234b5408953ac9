/* A request as handlers see it, and the helpers they use. Everything a
 * handler allocates comes from r->arena, released when libmicrohttpd
 * reports the request complete.
 *
 * A handler answers in one of four ways:
 *   - tc_reply_json(r, status, json) and return TC_ERR_OK;
 *   - return an error (the fault in r->fault says which field and why);
 *   - tc_req_write(r, job, cls, after): the connection is suspended, the
 *     job runs in a durable transaction, and `after` builds the answer
 *     once it committed (or the job's error is answered);
 *   - tc_req_write_idem(r, job, cls, render): the same for a write a
 *     client may retry, answered once per Idempotency-Key. */
#ifndef TC_REQUEST_H
#define TC_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/arena.h"
#include "../core/err.h"
#include "../core/jspec.h"
#include "../core/jw.h"
#include "../core/util.h"
#include "../db/db.h"
#include "../domain/access.h"

struct MHD_Connection;
struct MHD_Response;
struct tc_server;
struct tc_route;

enum tc_req_state {
	TC_REQ_NEW,       /* headers seen, body arriving */
	TC_REQ_SUSPENDED, /* waiting for its commit */
	TC_REQ_RESUMED,   /* commit done, answer not yet queued */
	TC_REQ_ANSWERED,
};

#define TC_MAX_PATH_PARAMS 4

struct tc_req {
	struct tc_server *srv;
	struct MHD_Connection *conn;
	struct tc_arena arena;
	const char *method;
	const char *path; /* without the query string */
	const struct tc_route *route;
	int route_index; /* -1 when none matched */
	const char *params[TC_MAX_PATH_PARAMS]; /* {name} captures, in order */
	struct tc_buf body;
	size_t body_limit;
	/* a spooled body (tc_route_spools): its file and size; a handler that
	 * keeps the file empties spool_path, otherwise it is removed with
	 * the request */
	int spool_fd;
	char spool_path[256];
	uint64_t spool_len;
	bool too_large;
	uint64_t discarded; /* bytes of an oversized body dropped */
	char client[64]; /* client address (after a trusted proxy) */
	struct tc_actor actor;
	const char *target_scope; /* set by a route's scope resolver */
	void *target;             /* the record it loaded, if any */
	const char *retry_after;  /* seconds, for 429 answers */
	int64_t t0_us;
	enum tc_req_state state;

	/* the answer */
	unsigned status;
	struct MHD_Response *resp;
	struct tc_fault fault;

	/* a write in flight */
	struct tc_job job;
	tc_err (*after)(struct tc_req *r);
	bool pending; /* handed to the writer; only the MHD thread writes it */
	void *offloaded; /* what tc_req_offload's work was given */
	int64_t resumed_us;
	char log_user[24];
	struct tc_buf out; /* the answer being written */
	struct tc_jw jw;
};

/* Path parameter i (0-based) of the matched pattern, as text. */
const char *tc_req_param(const struct tc_req *r, int i);
/* Path parameter i as a positive id; INVALID_PARAMETER otherwise. */
tc_err tc_req_param_id(struct tc_req *r, int i, int64_t *id);
/* Query parameter, or NULL. */
const char *tc_req_query(const struct tc_req *r, const char *name);
/* Page from ?limit=&offset= (limit 1..max, default def). */
tc_err tc_req_page(struct tc_req *r, int64_t def, int64_t max,
                   struct tc_page *page);
/* Parses the JSON body by spec; refuses other media types. */
tc_err tc_req_body(struct tc_req *r, const struct tc_jfield *spec, void *out);
/* The one jurisdiction check: is `scope` inside the actor's? */
tc_err tc_req_require_scope(struct tc_req *r, const char *scope);

/* Answers are written with the JSON writer into the request's buffer:
 *   struct tc_jw *w = tc_reply_begin(r);
 *   tc_jw_obj(w); ...; tc_jw_end(w);
 *   return tc_reply_end(r, MHD_HTTP_OK);
 */
struct tc_jw *tc_reply_begin(struct tc_req *r);
/* Answers with JSON text that outlives the request (it is not copied). */
tc_err tc_reply_static(struct tc_req *r, unsigned status, const char *json, size_t len);
tc_err tc_reply_end(struct tc_req *r, unsigned status);
/* Queues a text answer with the given content type (copied). */
tc_err tc_reply_text(struct tc_req *r, unsigned status, const char *type,
                     const char *text, size_t len);
/* Adds a header to the answer the last tc_reply_* call made (copied). */
void tc_reply_header(struct tc_req *r, const char *name, const char *value);

/* Suspends the connection, hands `run` to the writer, and answers with
 * `after` once the transaction is durable. Returns TC_ERR_OK: the answer
 * comes later. A staff member's write first checks, in the transaction,
 * that their session and account still hold (tc_actor_still_current):
 * `run` need not. `cls` must live in r->arena (or longer). While the request
 * is suspended the job (on the writer thread) owns the request's arena;
 * the handler touches nothing after this call. */
tc_err tc_req_write(struct tc_req *r, tc_job_fn run, void *cls,
                    tc_err (*after)(struct tc_req *r));

/* Writes the success answer's JSON with `w` from the job's state (`cls`,
 * after `run` succeeded) and returns its HTTP status. It may run on the
 * writer thread inside the transaction, or (an idempotent write on SQLite)
 * on a helper thread while the writer runs later jobs: it must not fail,
 * block or touch the database, and may use only `cls` and the request's
 * own arena. */
typedef unsigned (*tc_req_render)(void *cls, struct tc_jw *w);

/* Idempotency keys are kept this long (housekeeping purges older ones). */
#define TC_IDEM_KEEP_S (24 * 3600)

/* tc_req_write for a write a client may retry (idem.c). Without an
 * Idempotency-Key header it is tc_req_write with an `after` that answers
 * what `render` writes. With one (1-255 printable ASCII characters, else
 * 400 invalid_field), the key belongs to the signed-in account ("u<id>" or
 * "c<phone>") and, inside the job's transaction:
 *   - a key already answered for the same request (SHA-256 of method,
 *     path and body) skips `run` and answers the stored status and body
 *     again with `Idempotent-Replayed: true`;
 *   - a key answered for a different request fails with 422
 *     idempotency_key_reused;
 *   - a new key is taken before `run`, and `render`'s answer is stored in
 *     the same transaction as the write, so a crash never keeps one
 *     without the other. A job that fails stores nothing: the client may
 *     retry it. On PostgreSQL a concurrent request with the same key
 *     waits for the first, then answers its answer.
 * Not for spooled routes (the body must be in r->body). Returns TC_ERR_OK
 * when the answer comes later, an error to answer at once otherwise. */
tc_err tc_req_write_idem(struct tc_req *r, tc_job_fn run, void *cls,
                         tc_req_render render);

/* The pieces of the above, for other kinds of waiting (offload.c):
 * suspend with the function that answers later, and resume once the
 * waited-for work succeeded. */
void tc_req_suspend(struct tc_req *r, tc_err (*after)(struct tc_req *r));
void tc_req_resume_ok(struct tc_req *r);

/* For scope resolvers: loads the record named by the path's first {id}
 * with `get` (a query's thin wrapper) into `out`, on a borrowed read
 * connection. NOT_FOUND and bad ids answer as usual. */
typedef enum tc_qs (*tc_get_by_id)(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                                   void *out);
tc_err tc_req_load_by_id(struct tc_req *r, tc_get_by_id get, void *out);

/* Borrow a read connection for the request; fills the fault when none. */
tc_err tc_req_dbc(struct tc_req *r, struct tc_dbc **c);
void tc_req_dbc_release(struct tc_req *r, struct tc_dbc *c);


#endif
