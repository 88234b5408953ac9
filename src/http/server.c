/* libmicrohttpd glue: one tc_req per request, the route table, the
 * suspend/resume dance around durable writes, access log and metrics,
 * and the graceful stop.
 *
 * Two libmicrohttpd facts shape this file (see DESIGN.md): a response
 * queued on the first callback of a request turns keep-alive off, so
 * answers are queued on a later callback; and a resume that arrives
 * before its suspend is lost, so the connection is suspended before the
 * job is handed to the writer. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/jspec.h"
#include "../core/log.h"
#include "../core/tctime.h"
#include "../db/stock.h"
#include "../db/visits.h"
#include "../domain/screening.h"
#include "../io/screening_csv.h"
#include "auth.h"
#include "authcache.h"
#include "metrics.h"
#include "offload.h"
#include "outbox.h"
#include "router.h"
#include "static.h"

/* An oversized body is read and dropped up to this much, so its 413
 * reaches the client; past it the connection is closed at once. */
#define DISCARD_MAX (16u << 20)

struct tc_server {
	const struct tc_config *cfg;
	struct tc_db *db;
	struct MHD_Daemon *mhd;
	uint16_t port;
	atomic_int stopping;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int active; /* requests begun and not yet completed */
	char trusted[TC_MAX_TRUSTED_PROXIES][INET6_ADDRSTRLEN];
	int ntrusted;
	char *tls_cert, *tls_key;
	struct tc_offload *offload;
	struct tc_authcache *authcache;
	pthread_t housekeeper;
	bool housekeeping;
	struct tc_outbox *outbox;
	int imports; /* import threads running (under mu) */
	/* reference data for the site's steps, read once at start */
	struct tc_arena ref_arena;
	struct tc_vaxref vaxref;
	struct tc_screen_checklist checklist;
};

const struct tc_vaxref *tc_server_vaxref(const struct tc_server *s)
{
	return &s->vaxref;
}

const struct tc_screen_checklist *tc_server_checklist(const struct tc_server *s)
{
	return &s->checklist;
}

/* The products with their schedules, the mixing rules and the screening
 * checklist: what every screening and injection reads. */
static bool load_reference(struct tc_server *srv, char **why)
{
	struct tc_fault f = {0};
	const char *sha;
	struct tc_dbc *c = tc_db_acquire(srv->db);
	tc_err rc;

	if (c == NULL) {
		*why = tc_xstrdup("cannot read the database for the reference data");
		return false;
	}
	rc = tc_vaxref_load(c, srv->cfg->data_dir, &srv->ref_arena, &srv->vaxref, &f);
	tc_db_release(srv->db, c);
	if (rc == TC_ERR_OK)
		rc = tc_screen_csv_load(
		        tc_arena_printf(&srv->ref_arena, "%s/screening", srv->cfg->data_dir),
		        &srv->ref_arena, &srv->checklist, &sha, &f);
	if (rc != TC_ERR_OK) {
		if (asprintf(why, "reference data: %s",
		             f.message ? f.message : tc_err_message(f.code)) < 0)
			*why = NULL;
		return false;
	}
	return true;
}

bool tc_server_import_begin(struct tc_server *s, int max)
{
	bool ok;

	pthread_mutex_lock(&s->mu);
	ok = !atomic_load(&s->stopping) && s->imports < max;
	if (ok)
		s->imports++;
	pthread_mutex_unlock(&s->mu);
	return ok;
}

void tc_server_import_end(struct tc_server *s)
{
	pthread_mutex_lock(&s->mu);
	s->imports--;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

struct tc_outbox *tc_server_outbox(const struct tc_server *s)
{
	return s->outbox;
}

struct tc_offload *tc_server_offload(const struct tc_server *s)
{
	return s->offload;
}

struct tc_authcache *tc_server_authcache(const struct tc_server *s)
{
	return s->authcache;
}

const struct tc_config *tc_server_config(const struct tc_server *s)
{
	return s->cfg;
}

struct tc_db *tc_server_db(const struct tc_server *s)
{
	return s->db;
}

uint16_t tc_server_port(const struct tc_server *s)
{
	return s->port;
}

int tc_server_stopping(const struct tc_server *s)
{
	return atomic_load(&s->stopping);
}

/* ---- client address ---------------------------------------------------- */

static bool normalise_addr(const char *in, char out[INET6_ADDRSTRLEN])
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, in, buf) == 1)
		return inet_ntop(AF_INET, buf, out, INET6_ADDRSTRLEN) != NULL;
	if (inet_pton(AF_INET6, in, buf) == 1)
		return inet_ntop(AF_INET6, buf, out, INET6_ADDRSTRLEN) != NULL;
	return false;
}

static void peer_address(struct tc_server *srv, struct tc_req *r)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char peer[INET6_ADDRSTRLEN] = "-";

	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, peer,
			          sizeof(peer));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
			          peer, sizeof(peer));
	}
	snprintf(r->client, sizeof(r->client), "%s", peer);
	for (int i = 0; i < srv->ntrusted; i++) {
		if (strcmp(srv->trusted[i], peer) != 0)
			continue;
		/* The proxy appends the address it saw: take the last entry. */
		const char *xff = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
		                                              "X-Forwarded-For");
		if (xff == NULL)
			break;
		const char *last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		while (*last == ' ' || *last == '\t')
			last++;
		char tmp[INET6_ADDRSTRLEN + 1], norm[INET6_ADDRSTRLEN];
		size_t n = strcspn(last, " \t");
		if (n == 0 || n >= sizeof(tmp))
			break;
		memcpy(tmp, last, n);
		tmp[n] = '\0';
		if (normalise_addr(tmp, norm))
			snprintf(r->client, sizeof(r->client), "%s", norm);
		break;
	}
}

/* ---- answers ----------------------------------------------------------- */

static void answer_error(struct tc_req *r, tc_err rc)
{
	struct tc_fault *f = &r->fault;
	unsigned status = tc_err_status(rc);
	struct tc_jw *w;

	if (f->code != rc) {
		f->code = rc;
		f->field = NULL;
		f->message = NULL;
	}
	if (status >= 500) {
		tc_error("%s %s: %s: %s (%s:%d)", r->method, r->path, tc_err_code(rc),
		         f->message ? f->message : "-", f->file ? f->file : "?", f->line);
		f->message = NULL; /* never leak internals */
		f->field = NULL;
	}
	w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "error");
	tc_jw_obj(w);
	tc_jw_kstr(w, "code", tc_err_code(rc));
	tc_jw_kstr(w, "message", f->message ? f->message : tc_err_message(rc));
	if (f->field)
		tc_jw_kstr(w, "field", f->field);
	if (f->existing_id && rc == TC_ERR_CONFLICT)
		tc_jw_kint(w, "existing_id", f->existing_id);
	if (rc == TC_ERR_SCHEDULE && f->reason)
		tc_jw_kstr(w, "reason", f->reason);
	if (rc == TC_ERR_SCHEDULE && f->earliest)
		tc_jw_kstr(w, "earliest", f->earliest);
	tc_jw_end(w);
	tc_jw_end(w);
	tc_reply_end(r, status);
	if (r->retry_after && (rc == TC_ERR_RATE_LIMITED || rc == TC_ERR_RETRY))
		MHD_add_response_header(r->resp, MHD_HTTP_HEADER_RETRY_AFTER, r->retry_after);
}

static enum MHD_Result queue(struct tc_req *r)
{
	enum MHD_Result ok;

	if (r->resp == NULL)
		answer_error(r, TC_ERR_INTERNAL);
	if (tc_server_stopping(r->srv))
		MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ok = MHD_queue_response(r->conn, r->status, r->resp);
	MHD_destroy_response(r->resp);
	r->resp = NULL;
	r->state = TC_REQ_ANSWERED;
	return ok;
}

/* ---- writes ------------------------------------------------------------ */

void tc_req_suspend(struct tc_req *r, tc_err (*after)(struct tc_req *r))
{
	r->after = after;
	r->pending = true;
	r->state = TC_REQ_SUSPENDED;
	tc_metrics_suspended(1);
	/* Suspend before handing the request on: a resume that came first
	 * would be lost. */
	MHD_suspend_connection(r->conn);
}

void tc_req_resume_ok(struct tc_req *r)
{
	r->job.rc = TC_ERR_OK;
	r->resumed_us = tc_mono_us();
	r->state = TC_REQ_RESUMED;
	MHD_resume_connection(r->conn); /* r may be gone after this */
}

static void job_done(struct tc_job *j)
{
	struct tc_req *r = (struct tc_req *)((char *)j - offsetof(struct tc_req, job));

	r->resumed_us = tc_mono_us();
	r->state = TC_REQ_RESUMED;
	MHD_resume_connection(r->conn);
}

tc_err tc_req_write(struct tc_req *r, tc_job_fn run, void *cls,
                    tc_err (*after)(struct tc_req *r))
{
	memset(&r->job, 0, sizeof(r->job));
	/* checked again inside the transaction: the router's check (maybe
	 * from the session cache) is a moment old by then */
	if (r->actor.authenticated && r->actor.role != TC_ROLE__COUNT)
		r->job.actor = &r->actor;
	r->job.run = run;
	r->job.cls = cls;
	r->job.done = job_done;
	tc_req_suspend(r, after);
	tc_db_submit(r->srv->db, &r->job);
	return TC_ERR_OK;
}

/* ---- the request cycle ------------------------------------------------- */

static struct tc_req *req_new(struct tc_server *srv, struct MHD_Connection *conn,
                              const char *url, const char *method)
{
	struct tc_req *r = tc_xcalloc(1, sizeof(*r));
	bool path_known;
	const char *allow;

	r->srv = srv;
	r->conn = conn;
	r->t0_us = tc_mono_us();
	tc_arena_init(&r->arena);
	tc_buf_init(&r->body);
	tc_buf_init(&r->out);
	r->spool_fd = -1;
	r->method = tc_arena_strdup(&r->arena, method);
	r->path = tc_arena_strdup(&r->arena, url);
	snprintf(r->log_user, sizeof(r->log_user), "-");
	r->route_index = tc_route_match(r->method, r->path, r->params, &r->arena,
	                                &path_known, &allow);
	r->route = r->route_index >= 0 ? &tc_routes[r->route_index] : NULL;
	r->body_limit = r->route && r->route->body_limit ? r->route->body_limit
	                                                  : srv->cfg->body_limit;
	if (r->route == NULL && path_known) {
		r->status = MHD_HTTP_METHOD_NOT_ALLOWED;
		r->fault.message = allow; /* used by dispatch for the Allow header */
	}
	peer_address(srv, r);
	pthread_mutex_lock(&srv->mu);
	srv->active++;
	pthread_mutex_unlock(&srv->mu);
	tc_metrics_inflight(1);
	return r;
}

/* Appends a piece of a spooled body to its temporary file. */
static tc_err spool(struct tc_req *r, const char *data, size_t n)
{
	if (r->spool_fd < 0) {
		const char *tmp = getenv("TMPDIR");
		snprintf(r->spool_path, sizeof(r->spool_path), "%s/tiemchung-upload.XXXXXX",
		         tmp && *tmp ? tmp : "/tmp");
		r->spool_fd = mkstemp(r->spool_path);
		if (r->spool_fd < 0) {
			r->spool_path[0] = '\0';
			return tc_fault_internal(&r->fault, TC_ERR_IO, "cannot spool an upload");
		}
	}
	while (n > 0) {
		ssize_t k = write(r->spool_fd, data, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return tc_fault_internal(&r->fault, TC_ERR_IO, "cannot spool an upload");
		data += k;
		n -= (size_t)k;
		r->spool_len += (uint64_t)k;
	}
	return TC_ERR_OK;
}

static void req_free(struct tc_req *r)
{
	if (r->spool_fd >= 0)
		close(r->spool_fd);
	if (r->spool_path[0])
		unlink(r->spool_path);
	if (r->resp)
		MHD_destroy_response(r->resp);
	tc_buf_cleanup(&r->body);
	tc_buf_cleanup(&r->out);
	tc_arena_cleanup(&r->arena);
	free(r);
}

struct arg_check {
	struct tc_req *r;
	const char *bad; /* first parameter that is not clean text */
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind,
                                 const char *key, const char *value)
{
	struct arg_check *ac = cls;
	(void)kind;
	if (tc_utf8_check(key, strlen(key), false) < 0 ||
	    (value && tc_utf8_check(value, strlen(value), false) < 0)) {
		size_t n = strlen(key);
		ac->bad = tc_utf8_check(key, n, false) < 0 || n > 64
		                  ? "?"
		                  : tc_arena_strndup(&ac->r->arena, key, n);
		return MHD_NO;
	}
	return MHD_YES;
}

/* Query strings and path parameters reach SQL and JSON: they must be
 * text. Checked once, here, for every route. */
static tc_err check_params(struct tc_req *r)
{
	struct arg_check ac = {r, NULL};

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_arg, &ac);
	if (ac.bad)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, ac.bad,
		                    "a query parameter is not valid UTF-8 text");
	for (int i = 0; i < TC_MAX_PATH_PARAMS && r->params[i]; i++)
		if (tc_utf8_check(r->params[i], strlen(r->params[i]), false) < 0)
			return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "path",
			                    "the path is not valid UTF-8 text");
	return TC_ERR_OK;
}

static void dispatch(struct tc_req *r)
{
	tc_err rc;

	if (r->route == NULL) {
		if (r->status == MHD_HTTP_METHOD_NOT_ALLOWED) {
			const char *allow = r->fault.message;
			tc_fault_clear(&r->fault);
			answer_error(r, TC_ERR_METHOD_NOT_ALLOWED);
			if (allow)
				MHD_add_response_header(r->resp, MHD_HTTP_HEADER_ALLOW, allow);
			return;
		}
		if (strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0) {
			answer_error(r, TC_ERR_NO_ROUTE);
			return;
		}
		rc = tc_static_serve(r, r->srv->cfg->web_dir);
		if (rc != TC_ERR_OK)
			answer_error(r, rc);
		return;
	}
	rc = check_params(r);
	if (rc != TC_ERR_OK) {
		answer_error(r, rc);
		return;
	}
	if (r->route->roles == TC_CITIZEN_ONLY) {
		rc = tc_auth_citizen(r);
		if (rc != TC_ERR_OK) {
			answer_error(r, rc);
			return;
		}
	} else if (r->route->roles != TC_PUBLIC) {
		rc = tc_auth_request(r);
		if (rc == TC_ERR_OK && !(r->route->roles & TC_ROLE_BIT(r->actor.role)))
			rc = tc_fault_set(&r->fault, TC_ERR_FORBIDDEN, NULL,
			                  "your role may not do this");
		if (rc != TC_ERR_OK) {
			answer_error(r, rc);
			return;
		}
	}
	if (r->route->scope) {
		rc = r->route->scope(r);
		if (rc == TC_ERR_OK && r->target_scope)
			rc = tc_req_require_scope(r, r->target_scope);
		if (rc != TC_ERR_OK) {
			answer_error(r, rc);
			return;
		}
	}
	rc = r->route->handler(r);
	if (r->pending) /* never read r->state here: the writer may own it */
		return;
	if (rc != TC_ERR_OK)
		answer_error(r, rc);
}

static void resumed(struct tc_req *r)
{
	tc_err rc;

	tc_metrics_suspended(-1);
	tc_metrics_resume_wait(tc_mono_us() - r->resumed_us);
	rc = r->job.rc;
	if (rc == TC_ERR_OK) {
		rc = r->after(r);
	} else {
		r->fault = r->job.fault;
	}
	if (rc != TC_ERR_OK && !r->pending)
		answer_error(r, rc);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	struct tc_server *srv = cls;
	struct tc_req *r = *con_cls;

	(void)version;
	if (r == NULL) {
		const char *cl;
		int64_t len;

		r = req_new(srv, conn, url, method);
		*con_cls = r;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && tc_parse_i64(cl, 0, INT64_MAX, &len) && (uint64_t)len > r->body_limit) {
			const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
			                                                 MHD_HTTP_HEADER_EXPECT);
			r->too_large = true;
			/* A client that waits for "100 Continue" gets the refusal
			 * instead and never sends the body; so does one announcing
			 * more than is worth reading. Others are answered once their
			 * body has been read and dropped, so that the answer is not
			 * lost to a reset. */
			if ((expect && strcasecmp(expect, "100-continue") == 0) ||
			    (uint64_t)len > DISCARD_MAX) {
				answer_error(r, TC_ERR_TOO_LARGE);
				return queue(r);
			}
		}
		/* A spooled upload is refused before a byte of it is kept. */
		if (r->route && tc_route_spools(r->route) && !r->too_large) {
			tc_err rc = tc_auth_request(r);
			if (rc == TC_ERR_OK && !(r->route->roles & TC_ROLE_BIT(r->actor.role)))
				rc = tc_fault_set(&r->fault, TC_ERR_FORBIDDEN, NULL,
				                  "your role may not do this");
			if (rc != TC_ERR_OK) {
				answer_error(r, rc);
				return queue(r);
			}
		}
		return MHD_YES;
	}
	switch (r->state) {
	case TC_REQ_RESUMED:
		r->pending = false;
		resumed(r);
		if (r->pending) /* suspended again: hashing, then a write */
			return MHD_YES;
		return queue(r);
	case TC_REQ_ANSWERED:
		*upload_size = 0; /* the rest of a refused body */
		return MHD_YES;
	case TC_REQ_SUSPENDED:
		return MHD_YES; /* cannot happen: a suspended request gets no calls */
	case TC_REQ_NEW:
		break;
	}
	if (*upload_size) {
		if (!r->too_large &&
		    r->body.len + r->spool_len + *upload_size > r->body_limit)
			r->too_large = true;
		if (r->too_large) {
			r->discarded += *upload_size;
			*upload_size = 0;
			if (r->discarded > DISCARD_MAX) {
				answer_error(r, TC_ERR_TOO_LARGE);
				return queue(r);
			}
			return MHD_YES;
		}
		if (r->route && tc_route_spools(r->route)) {
			if (spool(r, upload, *upload_size) != TC_ERR_OK) {
				answer_error(r, TC_ERR_IO);
				return queue(r);
			}
			*upload_size = 0;
			return MHD_YES;
		}
		tc_buf_append(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->spool_fd >= 0) {
		close(r->spool_fd);
		r->spool_fd = -1;
	}
	if (r->too_large) {
		answer_error(r, TC_ERR_TOO_LARGE);
		return queue(r);
	}
	dispatch(r);
	if (r->pending)
		return MHD_YES;
	return queue(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct tc_server *srv = cls;
	struct tc_req *r = *con_cls;
	int64_t us;
	unsigned status;

	(void)conn;
	if (r == NULL)
		return;
	*con_cls = NULL;
	us = tc_mono_us() - r->t0_us;
	/* 499: the client went away before it was answered. */
	(void)toe;
	status = r->state == TC_REQ_ANSWERED ? r->status : 499;
	tc_metrics_request(r->route_index, status, us);
	tc_log_access(r->method, r->path, status, (long long)us, r->log_user);
	req_free(r);
	tc_metrics_inflight(-1);
	pthread_mutex_lock(&srv->mu);
	srv->active--;
	if (srv->active == 0)
		pthread_cond_broadcast(&srv->cv);
	pthread_mutex_unlock(&srv->mu);
}

/* ---- housekeeping -------------------------------------------------------- */

struct purge {
	struct tc_job job;
	int64_t now, idle_before, window_before, citizen_idle_before, idem_before;
};

static tc_err purge_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct purge *p = cls;
	enum tc_qs qs = tc_q_sessions_purge(c, p->now, p->idle_before);
	if (qs >= 0)
		qs = tc_q_authfail_purge(c, p->window_before);
	if (qs >= 0)
		qs = tc_q_csessions_purge(c, p->now, p->citizen_idle_before);
	if (qs >= 0)
		qs = tc_q_idem_purge(c, p->idem_before);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

static void purge_done(struct tc_job *j)
{
	if (j->rc != TC_ERR_OK && j->rc != TC_ERR_UNAVAILABLE)
		tc_warn("housekeeping: purging old sessions and idempotency keys failed: %s",
		        tc_err_code(j->rc));
	free(j);
}

struct sweep {
	struct tc_job job;
	int64_t wasted;
};

static tc_err sweep_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct sweep *s = cls;
	struct tc_stock_by by = {.actor_id = 0, .now = tc_now_us()};
	return tc_stock_sweep(c, &by, 0, &s->wasted, f);
}

static void sweep_done(struct tc_job *j)
{
	struct sweep *s = (struct sweep *)j;

	if (j->rc != TC_ERR_OK && j->rc != TC_ERR_UNAVAILABLE)
		tc_warn("housekeeping: sweeping open vials failed: %s", tc_err_code(j->rc));
	else if (j->rc == TC_ERR_OK && s->wasted > 0)
		tc_info("housekeeping: %lld doses left in expired open vials written off",
		        (long long)s->wasted);
	free(s);
}

static void submit_purge(struct tc_server *srv)
{
	const struct tc_config *cfg = srv->cfg;
	int64_t idle = cfg->session_idle_s > cfg->site_session_idle_s ? cfg->session_idle_s
	                                                             : cfg->site_session_idle_s;
	struct purge *p = tc_xcalloc(1, sizeof(*p));

	p->now = tc_now_us();
	p->idle_before = p->now - idle * 1000000;
	p->citizen_idle_before = p->now - (int64_t)cfg->citizen_session_idle_s * 1000000;
	p->window_before = p->now - (int64_t)cfg->login_window_s * 1000000;
	p->idem_before = p->now - (int64_t)TC_IDEM_KEEP_S * 1000000;
	p->job.run = purge_run;
	p->job.cls = p;
	p->job.done = purge_done;
	tc_db_submit(srv->db, &p->job);
}

/* Every minute: write off the doses left in opened vials past their
 * hours. Every ten minutes: drop sessions past their end or idle for
 * longer than any idle limit, failed-login counts whose window is over,
 * and idempotency keys older than a day. */
static void *housekeeper_main(void *arg)
{
	struct tc_server *srv = arg;
	unsigned round = 0;

	pthread_mutex_lock(&srv->mu);
	while (srv->housekeeping) {
		struct timespec ts;
		pthread_mutex_unlock(&srv->mu);
		struct sweep *s = tc_xcalloc(1, sizeof(*s));
		s->job.run = sweep_run;
		s->job.cls = s;
		s->job.done = sweep_done;
		tc_db_submit(srv->db, &s->job);
		if (round++ % 10 == 0)
			submit_purge(srv);
		pthread_mutex_lock(&srv->mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 60;
		while (srv->housekeeping &&
		       pthread_cond_timedwait(&srv->cv, &srv->mu, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&srv->mu);
	return NULL;
}

/* ---- start and stop ---------------------------------------------------- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss,
                        socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(listen, ':');
	int64_t port;
	size_t hn;

	if (colon == NULL || !tc_parse_i64(colon + 1, 0, 65535, &port))
		return -1;
	hn = (size_t)(colon - listen);
	if (hn == 0 || hn >= sizeof(host))
		return -1;
	memcpy(host, listen, hn);
	host[hn] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && host[hn - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		host[hn - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return 0;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
		return -1;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	*len = sizeof(*s4);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct tc_buf b;
	char chunk[4096];
	size_t n;

	if (fp == NULL)
		return NULL;
	tc_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		tc_buf_append(&b, chunk, n);
	fclose(fp);
	if (b.data == NULL)
		tc_buf_append(&b, "", 0);
	return b.data;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	tc_warn("libmicrohttpd: %s", line);
}

struct tc_server *tc_server_start(const struct tc_config *cfg, struct tc_db *db,
                                  char **why)
{
	struct tc_server *srv = tc_xcalloc(1, sizeof(*srv));
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
	                 MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;

	*why = NULL;
	srv->cfg = cfg;
	srv->db = db;
	pthread_mutex_init(&srv->mu, NULL);
	pthread_cond_init(&srv->cv, NULL);
	tc_arena_init(&srv->ref_arena);
	if (!load_reference(srv, why))
		goto fail;
	for (int i = 0; i < cfg->ntrusted; i++) {
		if (!normalise_addr(cfg->trusted_proxies[i], srv->trusted[srv->ntrusted])) {
			if (asprintf(why, "--trusted-proxy %s is not an IP address",
			             cfg->trusted_proxies[i]) < 0)
				*why = NULL;
			goto fail;
		}
		srv->ntrusted++;
	}
	if (parse_listen(cfg->listen, &ss, &sslen) != 0) {
		if (asprintf(why, "--listen %s: expected ADDRESS:PORT, e.g. 127.0.0.1:8080"
		                  " or [::1]:8080", cfg->listen) < 0)
			*why = NULL;
		goto fail;
	}
	if (cfg->tls_cert || cfg->tls_key) {
		if (!cfg->tls_cert || !cfg->tls_key) {
			*why = tc_xstrdup("--tls-cert and --tls-key go together");
			goto fail;
		}
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			*why = tc_xstrdup("this libmicrohttpd has no TLS support");
			goto fail;
		}
		srv->tls_cert = slurp(cfg->tls_cert);
		srv->tls_key = slurp(cfg->tls_key);
		if (!srv->tls_cert || !srv->tls_key) {
			if (asprintf(why, "cannot read %s: %s",
			             srv->tls_cert ? cfg->tls_key : cfg->tls_cert,
			             strerror(errno)) < 0)
				*why = NULL;
			goto fail;
		}
		flags |= MHD_USE_TLS;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	struct MHD_OptionItem tls_opts[] = {
		{srv->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, srv->tls_cert},
		{srv->tls_key ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, srv->tls_key},
		{MHD_OPTION_END, 0, NULL},
	};
	/* A session ended by another process (the command line, a second
	 * server) is seen within a second; one ended here at once. */
	srv->authcache = tc_authcache_new(16384, 1000000);
	srv->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads > 0 ? cfg->threads : 1),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->conn_timeout_s,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)8192,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_ARRAY, tls_opts,
		MHD_OPTION_END);
	if (srv->mhd == NULL) {
		if (asprintf(why, "cannot listen on %s: %s", cfg->listen,
		             errno ? strerror(errno) : "libmicrohttpd refused") < 0)
			*why = NULL;
		goto fail;
	}
	srv->offload = tc_offload_new(cfg->hash_threads > 0 ? cfg->hash_threads : 2, 64);
	srv->outbox = tc_outbox_start(db, cfg->sms_gateway_url);
	srv->housekeeping = true;
	if (pthread_create(&srv->housekeeper, NULL, housekeeper_main, srv) != 0)
		tc_die("cannot start the housekeeping thread");
	info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	return srv;
fail:
	tc_authcache_free(srv->authcache);
	free(srv->tls_cert);
	free(srv->tls_key);
	tc_arena_cleanup(&srv->ref_arena);
	pthread_mutex_destroy(&srv->mu);
	pthread_cond_destroy(&srv->cv);
	free(srv);
	return NULL;
}

/* Waits until no request has been in progress for a quiet spell (a
 * worker may be about to pick up a request that already arrived), or the
 * deadline passes. */
static bool wait_idle(struct tc_server *srv, int64_t deadline_us)
{
	const int64_t quiet_us = 300000;
	int64_t idle_since = 0;
	bool idle = false;

	pthread_mutex_lock(&srv->mu);
	for (;;) {
		int64_t now = tc_mono_us();
		if (srv->active > 0) {
			idle_since = 0;
		} else if (idle_since == 0) {
			idle_since = now;
		} else if (now - idle_since >= quiet_us) {
			idle = true;
			break;
		}
		if (now >= deadline_us)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&srv->cv, &srv->mu, &ts);
	}
	pthread_mutex_unlock(&srv->mu);
	return idle;
}

void tc_server_stop(struct tc_server *srv)
{
	MHD_socket fd;
	int64_t deadline;
	int left;

	if (srv == NULL)
		return;
	atomic_store(&srv->stopping, 1);
	pthread_mutex_lock(&srv->mu);
	srv->housekeeping = false;
	pthread_cond_broadcast(&srv->cv);
	pthread_mutex_unlock(&srv->mu);
	pthread_join(srv->housekeeper, NULL);
	/* Imports stop after their batch in hand; they resume when run again. */
	pthread_mutex_lock(&srv->mu);
	while (srv->imports > 0)
		pthread_cond_wait(&srv->cv, &srv->mu);
	pthread_mutex_unlock(&srv->mu);
	/* 1. Stop accepting; connections already open keep being served. */
	fd = MHD_quiesce_daemon(srv->mhd);
	/* 2. Let requests in progress finish, writes included. */
	deadline = tc_mono_us() + (int64_t)srv->cfg->shutdown_grace_s * 1000000;
	wait_idle(srv, deadline);
	/* 3. Finish the hashing already taken, then drain the writer: every
	 * queued job commits and its suspended connection is resumed; later
	 * writes answer 503. */
	tc_offload_free(srv->offload);
	srv->offload = NULL;
	tc_db_drain(srv->db);
	wait_idle(srv, tc_mono_us() + 2000000);
	/* No request can kick the outbox any more: its worker may stop. */
	tc_outbox_stop(srv->outbox);
	srv->outbox = NULL;
	pthread_mutex_lock(&srv->mu);
	left = srv->active;
	pthread_mutex_unlock(&srv->mu);
	if (left)
		tc_warn("stopping with %d request(s) still open", left);
	/* 4. No connection is suspended now: libmicrohttpd may stop. */
	MHD_stop_daemon(srv->mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	free(srv->tls_cert);
	free(srv->tls_key);
	tc_authcache_free(srv->authcache);
	tc_arena_cleanup(&srv->ref_arena);
	pthread_mutex_destroy(&srv->mu);
	pthread_cond_destroy(&srv->cv);
	free(srv);
}
