/* POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/me.
 *
 * A login goes through four steps, suspended in between so that no
 * libmicrohttpd worker ever waits on a disk or on Argon2id:
 *   1. read the account and the client address's failures (refuse at
 *      once when the address is over its limit);
 *   2. a write reserves one attempt for the username and returns the
 *      count (refuse when over the limit: concurrent guesses cannot all
 *      slip under it);
 *   3. the password is checked on the hashing pool;
 *   4. a write creates the session and clears the username's count, or
 *      counts a failure for the client address.
 * Counts are stored (every server process sees them) under SHA-256 keys,
 * never as typed. */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "../core/config.h"
#include "../core/tctime.h"
#include "../crypto/secret.h"
#include "../db/records.h"
#include "api.h"
#include "auth.h"
#include "offload.h"
#include "server.h"

struct login_body {
	const char *username;
	const char *password;
};

static const struct tc_jfield login_spec[] = {
	TC_JSTR(struct login_body, username, TC_JF_REQUIRED, 1, 64),
	TC_JSTR(struct login_body, password, TC_JF_REQUIRED, 1, 1024),
	TC_JEND,
};

struct login {
	struct login_body b;
	struct tc_user user;
	bool found; /* the account exists and is active */
	bool ok;    /* the password matched */
	int64_t attempts;
	char user_key[TC_SHA256_HEX];
	char addr_key[TC_SHA256_HEX];
	char token[TC_TOKEN_LEN + 1];
	char token_hash[TC_SHA256_HEX];
	struct tc_session s;
	int64_t now, window_start;
	struct tc_actor actor;
};

static tc_err rate_limited(struct tc_req *r)
{
	r->retry_after = tc_arena_printf(&r->arena, "%d",
	                                 tc_server_config(r->srv)->login_window_s);
	return tc_fault_set(&r->fault, TC_ERR_RATE_LIMITED, NULL,
	                    "too many failed logins; try again later");
}

/* 4. */
static tc_err finish_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct login *l = cls;
	enum tc_qs qs;

	if (!l->ok) {
		qs = tc_q_authfail_add(c, "addr", l->addr_key, l->now, l->window_start);
		return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
	}
	l->s.id = 0;
	qs = tc_q_session_insert(c, l->token_hash, &l->s);
	if (qs >= 0)
		qs = tc_q_authfail_clear(c, "user", l->user_key);
	if (qs < 0)
		return tc_qs_err(qs, f);
	return tc_audit_record(c, &l->actor, "login", "session", "-", l->user.scope_path,
	                       NULL, NULL, f);
}

static tc_err finish_after(struct tc_req *r)
{
	struct login *l = r->job.cls;
	struct tc_jw *w;
	tc_err rc;

	if (!l->ok)
		return tc_fault_set(&r->fault, TC_ERR_BAD_CREDENTIALS, NULL, NULL);
	w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_kstr(w, "token", l->token);
	tc_jw_key(w, "user");
	tc_jw_user(w, &l->user);
	tc_jw_key(w, "expires_at");
	tc_jw_time(w, l->s.expires_at);
	tc_jw_kint(w, "idle_seconds", l->s.idle_seconds);
	tc_jw_end(w);
	tc_wipe(l->token, sizeof(l->token));
	rc = tc_reply_end(r, MHD_HTTP_OK);
	return rc;
}

/* 3. On the hashing pool. */
static void verify(void *cls)
{
	struct login *l = cls;
	size_t n = strlen(l->b.password);

	if (l->found)
		l->ok = tc_password_verify(l->user.password_hash, l->b.password);
	else
		tc_password_burn(l->b.password); /* as slow as a wrong password */
	tc_wipe((char *)l->b.password, n);
}

static tc_err verify_after(struct tc_req *r)
{
	const struct tc_config *cfg = tc_server_config(r->srv);
	struct login *l = r->offloaded;
	enum tc_role role;

	if (l->ok) {
		if (!tc_role_parse(l->user.role, &role))
			return tc_fault_internal(&r->fault, TC_ERR_INTERNAL, "unknown role stored");
		tc_token_new(l->token);
		tc_sha256_hex(l->token, TC_TOKEN_LEN, l->token_hash);
		l->s.user_id = l->user.id;
		l->s.user_epoch = l->user.session_epoch;
		l->s.created_at = l->s.last_seen_at = l->now;
		l->s.idle_seconds = tc_auth_idle_seconds(cfg, role);
		l->s.expires_at = l->now + (int64_t)cfg->session_max_s * 1000000;
		l->actor = (struct tc_actor){.authenticated = true,
		                             .user_id = l->user.id,
		                             .username = l->user.username,
		                             .role = role,
		                             .scope = l->user.scope_path};
		snprintf(r->log_user, sizeof(r->log_user), "%lld", (long long)l->user.id);
	}
	l->user.password_hash = NULL;
	return tc_req_write(r, finish_run, l, finish_after);
}

/* 2. */
static tc_err reserve_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct login *l = cls;
	enum tc_qs qs = tc_q_authfail_reserve(c, "user", l->user_key, l->now,
	                                      l->window_start, &l->attempts);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

static tc_err reserve_after(struct tc_req *r)
{
	struct login *l = r->job.cls;

	if (l->attempts > tc_server_config(r->srv)->login_max_per_user) {
		tc_wipe((char *)l->b.password, strlen(l->b.password));
		return rate_limited(r);
	}
	r->offloaded = l;
	return tc_req_offload(r, verify, l, verify_after);
}

/* 1. */
tc_err tc_api_login(struct tc_req *r)
{
	const struct tc_config *cfg = tc_server_config(r->srv);
	struct login *l = TC_NEW(&r->arena, struct login);
	struct tc_dbc *c;
	int64_t fails_addr = 0;
	enum tc_qs qs;
	tc_err rc;

	rc = tc_req_body(r, login_spec, &l->b);
	if (r->body.data)
		tc_wipe(r->body.data, r->body.len);
	if (rc != TC_ERR_OK)
		return rc;
	l->now = tc_now_us();
	l->window_start = l->now - (int64_t)cfg->login_window_s * 1000000;
	tc_sha256_hex(l->b.username, strlen(l->b.username), l->user_key);
	tc_sha256_hex(r->client, strlen(r->client), l->addr_key);

	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		goto fail;
	qs = tc_q_authfail_get(c, "addr", l->addr_key, l->window_start, &fails_addr);
	if (qs >= 0)
		qs = tc_q_user_by_username(c, l->b.username, &r->arena, &l->user);
	tc_req_dbc_release(r, c);
	if (qs < 0) {
		rc = tc_qs_err(qs, &r->fault);
		goto fail;
	}
	if (fails_addr >= cfg->login_max_per_addr) {
		rc = rate_limited(r);
		goto fail;
	}
	l->found = qs == TC_QS_ONE && l->user.active;
	return tc_req_write(r, reserve_run, l, reserve_after);
fail:
	tc_wipe((char *)l->b.password, strlen(l->b.password));
	return rc;
}

struct logout {
	struct tc_actor actor;
};

static tc_err logout_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct logout *lo = cls;
	enum tc_qs qs = tc_q_session_delete(c, lo->actor.session_id);

	if (qs < 0)
		return tc_qs_err(qs, f);
	return tc_audit_record(c, &lo->actor, "logout", "session", "-", lo->actor.scope,
	                       NULL, NULL, f);
}

static tc_err logout_after(struct tc_req *r)
{
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_kbool(w, "logged_out", true);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

tc_err tc_api_logout(struct tc_req *r)
{
	struct logout *lo = TC_NEW(&r->arena, struct logout);

	lo->actor = r->actor;
	return tc_req_write(r, logout_run, lo, logout_after);
}

tc_err tc_api_me(struct tc_req *r)
{
	struct tc_dbc *c;
	struct tc_user u;
	struct tc_place place;
	enum tc_qs qs;
	tc_err rc;

	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_user_get(c, r->actor.user_id, &r->arena, &u);
	if (qs == TC_QS_ONE)
		rc = tc_place_resolve(c, u.unit_code, u.facility_id, &r->arena, &place,
		                      &r->fault);
	tc_req_dbc_release(r, c);
	if (qs != TC_QS_ONE)
		return tc_qs_err(qs, &r->fault);
	if (rc != TC_ERR_OK)
		return rc;
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "user");
	tc_jw_obj(w);
	tc_jw_user_fields(w, &u);
	tc_jw_kstr(w, "jurisdiction_name", place.name);
	tc_jw_end(w);
	tc_jw_key(w, "session");
	tc_jw_obj(w);
	tc_jw_key(w, "expires_at");
	tc_jw_time(w, r->actor.session_expires_at);
	tc_jw_kint(w, "idle_seconds", r->actor.session_idle_s);
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}
