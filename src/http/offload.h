/* CPU-heavy work (Argon2id password hashing) runs on a small pool of its
 * own, never on the libmicrohttpd workers: a burst of logins must not
 * stall check-ins. The request is suspended meanwhile, as for a write. */
#ifndef TC_OFFLOAD_H
#define TC_OFFLOAD_H

#include "request.h"

struct tc_offload;

/* `threads` workers; at most `max_pending` tasks wait (others are refused
 * with 503 busy at once). */
struct tc_offload *tc_offload_new(int threads, int max_pending);
/* Finishes every task already taken, then stops the threads. */
void tc_offload_free(struct tc_offload *o);

/* Suspends r, runs fn(cls) on a pool thread, resumes r and answers with
 * after(r) (which may suspend again, for a write). `cls` must live in
 * r->arena. Returns TC_ERR_OK, or RETRY when the pool is full. */
tc_err tc_req_offload(struct tc_req *r, void (*fn)(void *cls), void *cls,
                      tc_err (*after)(struct tc_req *r));

#endif
