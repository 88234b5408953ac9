/* The personal QR: GET /api/v1/citizens/{id}/qr.svg and .png, and
 * POST /api/v1/citizens/{id}/qr/rotate (the old code stops working).
 * The QR holds an opaque random token, never the ID number. Showing it is
 * a read of the person's record and is audited. */
#include <microhttpd.h>
#include <string.h>

#include "../core/tctime.h"
#include "../crypto/secret.h"
#include "../db/citizens.h"
#include "../db/records.h"
#include "../io/qr.h"
#include "api.h"

struct qr_job {
	struct tc_actor actor;
	struct tc_arena *a;
	int64_t id;
	const char *scope;
	const char *token; /* read, or the new one */
	bool rotate;
	bool png;
};

static tc_err run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct qr_job *q = cls;
	const char *id = tc_arena_printf(q->a, "%lld", (long long)q->id);
	struct tc_citizen ct;
	enum tc_qs qs;

	if (q->rotate) {
		char token[TC_TOKEN_LEN + 1];
		tc_token_new(token);
		q->token = tc_arena_strdup(q->a, token);
		qs = tc_q_citizen_set_qr(c, q->id, q->token, tc_now_us());
		if (qs != TC_QS_ONE)
			return tc_qs_err(qs < 0 ? qs : TC_QS_NONE, f);
		return tc_audit_record(c, &q->actor, "rotate_qr", "citizen", id, q->scope,
		                       NULL, NULL, f);
	}
	qs = tc_q_citizen_get(c, q->id, q->a, &ct);
	if (qs != TC_QS_ONE)
		return tc_qs_err(qs, f);
	q->token = ct.qr_token;
	return tc_audit_record(c, &q->actor, "read_qr", "citizen", id, q->scope, NULL, NULL,
	                       f);
}

static tc_err image_after(struct tc_req *r)
{
	struct qr_job *q = r->job.cls;
	struct tc_buf b;
	tc_err rc;

	tc_buf_init(&b);
	rc = q->png ? tc_qr_png(q->token, strlen(q->token), 8, &b, &r->fault)
	            : tc_qr_svg(q->token, strlen(q->token), &b, &r->fault);
	if (rc == TC_ERR_OK)
		tc_reply_text(r, MHD_HTTP_OK, q->png ? "image/png" : "image/svg+xml", b.data,
		              b.len);
	tc_buf_cleanup(&b);
	return rc;
}

static tc_err rotate_after(struct tc_req *r)
{
	struct qr_job *q = r->job.cls;
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_kbool(w, "rotated", true);
	tc_jw_kstr(w, "qr_token", q->token);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

static tc_err start(struct tc_req *r, bool rotate, bool png)
{
	const struct tc_citizen *ct = r->target;
	struct qr_job *q = TC_NEW(&r->arena, struct qr_job);

	q->actor = r->actor;
	q->a = &r->arena;
	q->id = ct->id;
	q->scope = ct->scope_path;
	q->rotate = rotate;
	q->png = png;
	return tc_req_write(r, run, q, rotate ? rotate_after : image_after);
}

tc_err tc_api_citizen_qr_svg(struct tc_req *r)
{
	return start(r, false, false);
}

tc_err tc_api_citizen_qr_png(struct tc_req *r)
{
	return start(r, false, true);
}

tc_err tc_api_citizen_qr_rotate(struct tc_req *r)
{
	return start(r, true, false);
}
