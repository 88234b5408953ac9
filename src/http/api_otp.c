/* Citizens sign in with a one-time code sent to their phone:
 * POST /api/v1/auth/otp {phone} and POST /api/v1/auth/otp/verify
 * {phone, code}. Codes are six random digits, stored only as
 * SHA-256(salt || phone || code), live five minutes and allow five
 * attempts; sending is limited per phone and per client address. */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "../core/config.h"
#include "../core/tctime.h"
#include "../crypto/secret.h"
#include "../db/records.h"
#include "../domain/idnum.h"
#include "api.h"
#include "outbox.h"
#include "server.h"

#define OTP_TTL_S 300
#define OTP_MAX_ATTEMPTS 5
#define SALT_BYTES 16

struct otp_body {
	const char *phone;
	const char *code;
};

static const struct tc_jfield send_spec[] = {
	TC_JSTR(struct otp_body, phone, TC_JF_REQUIRED, 1, 20),
	TC_JEND,
};

static const struct tc_jfield verify_spec[] = {
	TC_JSTR(struct otp_body, phone, TC_JF_REQUIRED, 1, 20),
	TC_JSTR(struct otp_body, code, TC_JF_REQUIRED, 1, 12),
	TC_JEND,
};

static void code_hash(const char *salt, const char *phone, const char *code,
                      char out[TC_SHA256_HEX])
{
	char buf[2 * SALT_BYTES + TC_PHONE_LEN + 8];
	int n = snprintf(buf, sizeof(buf), "%s%s%s", salt, phone, code);
	tc_sha256_hex(buf, (size_t)n, out);
	tc_wipe(buf, sizeof(buf));
}

/* ---- POST /api/v1/auth/otp ---------------------------------------------- */

struct otp_send {
	char phone[TC_PHONE_LEN];
	char phone_key[TC_SHA256_HEX], addr_key[TC_SHA256_HEX];
	int64_t now, window_start;
	int max_phone, max_addr;
	bool limited;
	struct tc_arena *a;
	struct tc_actor actor;
};

static tc_err send_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct otp_send *s = cls;
	int64_t n_phone = 0, n_addr = 0;
	char code[7], salt[2 * SALT_BYTES + 1], hash[TC_SHA256_HEX];
	struct tc_otp o;
	struct tc_message m;
	enum tc_qs qs;

	s->limited = false;
	qs = tc_q_authfail_reserve(c, "otp_phone", s->phone_key, s->now, s->window_start,
	                           &n_phone);
	if (qs >= 0)
		qs = tc_q_authfail_reserve(c, "otp_addr", s->addr_key, s->now, s->window_start,
		                           &n_addr);
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (n_phone > s->max_phone || n_addr > s->max_addr) {
		/* answered 429 but committed, so the counters keep counting */
		s->limited = true;
		return TC_ERR_OK;
	}
	tc_otp_new(code);
	tc_random_hex(SALT_BYTES, salt);
	code_hash(salt, s->phone, code, hash);
	o = (struct tc_otp){.phone = s->phone, .code_hash = hash, .salt = salt,
	                    .created_at = s->now, .expires_at = s->now + OTP_TTL_S * 1000000LL};
	qs = tc_q_otp_put(c, &o);
	if (qs < 0)
		return tc_qs_err(qs, f);
	/* Plain ASCII: every handset shows it, in one SMS. */
	m = (struct tc_message){
		.channel = "sms",
		.recipient = s->phone,
		.kind = "otp",
		.body = tc_arena_printf(s->a,
		                        "Ma xac thuc Tiem chung COVID-19: %s. Ma co hieu luc "
		                        "5 phut. Khong chia se ma nay cho bat ky ai.",
		                        code),
		.created_at = s->now,
	};
	tc_wipe(code, sizeof(code));
	qs = tc_q_outbox_add(c, &m);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

static tc_err send_after(struct tc_req *r)
{
	struct otp_send *s = r->job.cls;
	struct tc_jw *w;

	if (s->limited) {
		r->retry_after = tc_arena_printf(&r->arena, "%d",
		                                 tc_server_config(r->srv)->login_window_s);
		return tc_fault_set(&r->fault, TC_ERR_RATE_LIMITED, "phone",
		                    "too many codes asked for; try again later");
	}
	tc_outbox_kick(tc_server_outbox(r->srv));
	w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_kbool(w, "sent", true);
	tc_jw_kint(w, "expires_in", OTP_TTL_S);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_ACCEPTED);
}

tc_err tc_api_otp_send(struct tc_req *r)
{
	const struct tc_config *cfg = tc_server_config(r->srv);
	struct otp_send *s = TC_NEW(&r->arena, struct otp_send);
	struct otp_body b = {0};
	char *key;
	tc_err rc;

	rc = tc_req_body(r, send_spec, &b);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_phone_normalize(b.phone, s->phone, &r->fault);
	if (rc != TC_ERR_OK)
		return rc;
	key = tc_arena_printf(&r->arena, "otp:%s", s->phone);
	tc_sha256_hex(key, strlen(key), s->phone_key);
	tc_sha256_hex(r->client, strlen(r->client), s->addr_key);
	s->now = tc_now_us();
	s->window_start = s->now - (int64_t)cfg->login_window_s * 1000000;
	s->max_phone = cfg->otp_max_per_phone;
	s->max_addr = cfg->otp_max_per_addr;
	s->a = &r->arena;
	return tc_req_write(r, send_run, s, send_after);
}

/* ---- POST /api/v1/auth/otp/verify ------------------------------------------ */

enum outcome { OK, WRONG, EXPIRED, TOO_MANY };

struct otp_verify {
	char phone[TC_PHONE_LEN];
	const char *code;
	int64_t now, max_s;
	enum outcome outcome;
	char token[TC_TOKEN_LEN + 1];
	char token_hash[TC_SHA256_HEX];
	struct tc_csession s;
	struct tc_arena *a;
};

static tc_err verify_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct otp_verify *v = cls;
	char hash[TC_SHA256_HEX];
	struct tc_otp o;
	enum tc_qs qs;

	/* the attempt is counted before the code is compared, and committed
	 * whatever the answer: concurrent guesses stay within the limit */
	qs = tc_q_otp_attempt(c, v->phone, v->now, OTP_MAX_ATTEMPTS, v->a, &o);
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE) {
		/* why: none, expired, or used up */
		qs = tc_q_otp_get(c, v->phone, v->a, &o);
		if (qs < 0)
			return tc_qs_err(qs, f);
		v->outcome = qs == TC_QS_ONE && v->now < o.expires_at ? TOO_MANY : EXPIRED;
		return TC_ERR_OK;
	}
	code_hash(o.salt, v->phone, v->code, hash);
	if (!tc_secret_equal(hash, o.code_hash)) {
		v->outcome = o.attempts >= OTP_MAX_ATTEMPTS ? TOO_MANY : WRONG;
		return TC_ERR_OK;
	}
	/* a code works once: only the request that deletes it signs in */
	qs = tc_q_otp_delete(c, v->phone);
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE) {
		v->outcome = EXPIRED;
		return TC_ERR_OK;
	}
	v->outcome = OK;
	v->s = (struct tc_csession){.phone = v->phone, .created_at = v->now,
	                            .last_seen_at = v->now, .expires_at = v->now + v->max_s};
	qs = tc_q_csession_insert(c, v->token_hash, &v->s);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

static tc_err verify_after(struct tc_req *r)
{
	struct otp_verify *v = r->job.cls;
	struct tc_jw *w;
	tc_err rc;

	switch (v->outcome) {
	case EXPIRED:
		return tc_fault_set(&r->fault, TC_ERR_BAD_CREDENTIALS, "code",
		                    "no valid code for this phone: ask for a new one");
	case TOO_MANY:
		return tc_fault_set(&r->fault, TC_ERR_RATE_LIMITED, "code",
		                    "too many wrong codes: ask for a new one");
	case WRONG:
		return tc_fault_set(&r->fault, TC_ERR_BAD_CREDENTIALS, "code",
		                    "the code is wrong");
	case OK:
		break;
	}
	w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_kstr(w, "token", v->token);
	tc_jw_kstr(w, "phone", v->phone);
	tc_jw_key(w, "expires_at");
	tc_jw_time(w, v->s.expires_at);
	tc_jw_end(w);
	tc_wipe(v->token, sizeof(v->token));
	rc = tc_reply_end(r, MHD_HTTP_OK);
	return rc;
}

tc_err tc_api_otp_verify(struct tc_req *r)
{
	const struct tc_config *cfg = tc_server_config(r->srv);
	struct otp_verify *v = TC_NEW(&r->arena, struct otp_verify);
	struct otp_body b = {0};
	size_t n;
	tc_err rc;

	rc = tc_req_body(r, verify_spec, &b);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_phone_normalize(b.phone, v->phone, &r->fault);
	if (rc != TC_ERR_OK)
		return rc;
	n = strlen(b.code);
	if (n != 6 || strspn(b.code, "0123456789") != 6)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "code",
		                    "the code is the six digits sent by SMS");
	v->code = b.code;
	v->now = tc_now_us();
	v->max_s = (int64_t)cfg->citizen_session_max_s * 1000000;
	v->a = &r->arena;
	tc_token_new(v->token);
	tc_sha256_hex(v->token, strlen(v->token), v->token_hash);
	return tc_req_write(r, verify_run, v, verify_after);
}
