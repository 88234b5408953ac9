#include "auth.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "../core/config.h"
#include "../core/log.h"
#include "../core/tctime.h"
#include "../crypto/secret.h"
#include "authcache.h"
#include "server.h"

int64_t tc_auth_idle_seconds(const struct tc_config *cfg, enum tc_role role)
{
	if (role == TC_ROLE_SITE_STAFF || role == TC_ROLE_SITE_MANAGER)
		return cfg->site_session_idle_s;
	return cfg->session_idle_s;
}

/* A background write of a session's last-seen time: nobody waits on it. */
struct touch {
	struct tc_job job;
	int64_t session_id, now;
};

static tc_err touch_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct touch *t = cls;
	enum tc_qs qs = tc_q_session_touch(c, t->session_id, t->now);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

static void touch_done(struct tc_job *j)
{
	free(j);
}

/* The token of "Authorization: Bearer <token>", or NULL with the fault. */
static const char *bearer(struct tc_req *r)
{
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	                                            MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
		tc_fault_set(&r->fault, TC_ERR_UNAUTHENTICATED, NULL,
		             "log in and send 'Authorization: Bearer <token>'");
		return NULL;
	}
	h += 7;
	while (*h == ' ')
		h++;
	if (!tc_token_wellformed(h)) {
		tc_fault_set(&r->fault, TC_ERR_UNAUTHENTICATED, NULL, "the bearer token is malformed");
		return NULL;
	}
	return h;
}

/* The session behind a token's hash, from the cache or the database. */
static tc_err find_session(struct tc_req *r, const char *hash, int64_t *last_seen)
{
	struct tc_authcache *ac = tc_server_authcache(r->srv);
	uint64_t epoch = tc_db_auth_epoch(tc_server_db(r->srv));
	int64_t mono = tc_mono_us();
	struct tc_session s;
	struct tc_user u;
	struct tc_dbc *c;
	enum tc_qs qs;
	tc_err rc;

	if (tc_authcache_get(ac, hash, epoch, mono, &r->arena, &r->actor, last_seen))
		return TC_ERR_OK;
	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	memset(&s, 0, sizeof(s));
	memset(&u, 0, sizeof(u));
	qs = tc_q_session_lookup(c, hash, &r->arena, &s, &u);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	if (qs == TC_QS_NONE)
		return tc_fault_set(&r->fault, TC_ERR_UNAUTHENTICATED, NULL,
		                    "the session does not exist or was ended");
	if (!tc_role_parse(u.role, &r->actor.role))
		return tc_fault_internal(&r->fault, TC_ERR_INTERNAL,
		                         "unknown role stored");
	r->actor.user_id = u.id;
	r->actor.session_id = s.id;
	r->actor.username = u.username;
	r->actor.scope = u.scope_path;
	r->actor.unit_code = u.unit_code;
	r->actor.facility_id = u.facility_id;
	r->actor.session_expires_at = s.expires_at;
	r->actor.session_idle_s = s.idle_seconds;
	*last_seen = s.last_seen_at;
	tc_authcache_put(ac, hash, epoch, mono, &r->actor, s.last_seen_at);
	return TC_ERR_OK;
}

tc_err tc_auth_request(struct tc_req *r)
{
	const char *h = bearer(r);
	char hash[TC_SHA256_HEX];
	int64_t now, last_seen = 0;
	tc_err rc;

	if (h == NULL)
		return r->fault.code;
	tc_sha256_hex(h, strlen(h), hash);
	if ((rc = find_session(r, hash, &last_seen)) != TC_ERR_OK)
		return rc;
	now = tc_now_us();
	if (now >= r->actor.session_expires_at ||
	    now - last_seen > r->actor.session_idle_s * 1000000)
		return tc_fault_set(&r->fault, TC_ERR_TOKEN_EXPIRED, NULL, NULL);
	r->actor.authenticated = true;
	snprintf(r->log_user, sizeof(r->log_user), "%lld", (long long)r->actor.user_id);
	/* Write last-seen at most every tenth of the idle time (and at least
	 * once a minute), so that reading does not mean writing. */
	int64_t every = r->actor.session_idle_s * 100000;
	if (every > 60 * 1000000)
		every = 60 * 1000000;
	if (now - last_seen >= every && !tc_server_stopping(r->srv)) {
		struct touch *t = tc_xcalloc(1, sizeof(*t));
		t->session_id = r->actor.session_id;
		t->now = now;
		t->job.run = touch_run;
		t->job.cls = t;
		t->job.done = touch_done;
		tc_authcache_seen(tc_server_authcache(r->srv), hash, now);
		tc_db_submit(tc_server_db(r->srv), &t->job);
	}
	return TC_ERR_OK;
}

static tc_err ctouch_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct touch *t = cls;
	enum tc_qs qs = tc_q_csession_touch(c, t->session_id, t->now);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

tc_err tc_auth_citizen(struct tc_req *r)
{
	const struct tc_config *cfg = tc_server_config(r->srv);
	const char *token = bearer(r);
	char hash[TC_SHA256_HEX];
	struct tc_csession s;
	struct tc_dbc *c;
	enum tc_qs qs;
	int64_t now, idle_us = (int64_t)cfg->citizen_session_idle_s * 1000000;
	tc_err rc;

	if (token == NULL)
		return r->fault.code;
	tc_sha256_hex(token, strlen(token), hash);
	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	memset(&s, 0, sizeof(s));
	qs = tc_q_csession_lookup(c, hash, &r->arena, &s);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	if (qs == TC_QS_NONE)
		return tc_fault_set(&r->fault, TC_ERR_UNAUTHENTICATED, NULL,
		                    "sign in with a code sent to your phone");
	now = tc_now_us();
	if (now >= s.expires_at || now - s.last_seen_at > idle_us)
		return tc_fault_set(&r->fault, TC_ERR_TOKEN_EXPIRED, NULL, NULL);
	r->actor.authenticated = true;
	r->actor.user_id = 0;
	r->actor.session_id = s.id;
	r->actor.role = TC_ROLE__COUNT;
	r->actor.scope = "-"; /* inside nothing: citizens reach their own records only */
	r->actor.citizen_phone = s.phone;
	r->actor.username = tc_arena_printf(&r->arena, "citizen %s", s.phone);
	r->actor.session_expires_at = s.expires_at;
	r->actor.session_idle_s = cfg->citizen_session_idle_s;
	snprintf(r->log_user, sizeof(r->log_user), "c%lld", (long long)s.id);
	int64_t every = idle_us / 10 < 60 * 1000000 ? idle_us / 10 : 60 * 1000000;
	if (now - s.last_seen_at >= every && !tc_server_stopping(r->srv)) {
		struct touch *t = tc_xcalloc(1, sizeof(*t));
		t->session_id = s.id;
		t->now = now;
		t->job.run = ctouch_run;
		t->job.cls = t;
		t->job.done = touch_done;
		tc_db_submit(tc_server_db(r->srv), &t->job);
	}
	return TC_ERR_OK;
}
