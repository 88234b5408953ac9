/* Helpers handlers use on a request: parameters, bodies, answers. */
#include "request.h"

#include <microhttpd.h>
#include <string.h>

#include "../core/log.h"
#include "../core/tctime.h"
#include "router.h"
#include "server.h"

const char *tc_req_param(const struct tc_req *r, int i)
{
	return i >= 0 && i < TC_MAX_PATH_PARAMS ? r->params[i] : NULL;
}

tc_err tc_req_param_id(struct tc_req *r, int i, int64_t *id)
{
	const char *s = tc_req_param(r, i);

	if (s == NULL || !tc_parse_i64(s, 1, INT64_MAX, id))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "id",
		                    "the id in the path must be a positive integer");
	return TC_ERR_OK;
}

const char *tc_req_query(const struct tc_req *r, const char *name)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
	return v && *v ? v : NULL;
}

tc_err tc_req_page(struct tc_req *r, int64_t def, int64_t max, struct tc_page *page)
{
	const char *l = tc_req_query(r, "limit"), *o = tc_req_query(r, "offset");

	page->limit = def;
	page->offset = 0;
	if (l && !tc_parse_i64(l, 1, max, &page->limit))
		return tc_fault_setf(&r->fault, &r->arena, TC_ERR_INVALID_PARAMETER,
		                     "limit", "limit must be a whole number from 1 to %lld",
		                     (long long)max);
	if (o && !tc_parse_i64(o, 0, INT32_MAX, &page->offset))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "offset",
		                    "offset must be a whole number, 0 or more");
	return TC_ERR_OK;
}

tc_err tc_req_body(struct tc_req *r, const struct tc_jfield *spec, void *out)
{
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	                                             MHD_HTTP_HEADER_CONTENT_TYPE);

	if (ct && strncasecmp(ct, "application/json", 16) != 0)
		return tc_fault_set(&r->fault, TC_ERR_UNSUPPORTED_MEDIA, NULL, NULL);
	return tc_jspec_parse(r->body.data ? r->body.data : "", r->body.len, spec, out,
	                      &r->arena, &r->fault);
}

tc_err tc_req_require_scope(struct tc_req *r, const char *scope)
{
	if (!tc_scope_contains(r->actor.scope, scope))
		return tc_fault_set(&r->fault, TC_ERR_OUT_OF_JURISDICTION, NULL, NULL);
	return TC_ERR_OK;
}

static void add_api_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        "application/json; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
}

struct tc_jw *tc_reply_begin(struct tc_req *r)
{
	tc_buf_reset(&r->out);
	tc_jw_init(&r->jw, &r->out);
	return &r->jw;
}

tc_err tc_reply_static(struct tc_req *r, unsigned status, const char *json, size_t len)
{
	if (r->resp)
		MHD_destroy_response(r->resp);
	r->resp = MHD_create_response_from_buffer(len, (void *)json, MHD_RESPMEM_PERSISTENT);
	if (r->resp == NULL)
		tc_die("cannot create a response");
	add_api_headers(r->resp);
	r->status = status;
	return TC_ERR_OK;
}

tc_err tc_reply_end(struct tc_req *r, unsigned status)
{
	if (r->resp)
		MHD_destroy_response(r->resp);
	if (r->out.data == NULL)
		tc_buf_append(&r->out, "", 0);
	/* the buffer goes to libmicrohttpd, which frees it */
	r->resp = MHD_create_response_from_buffer(r->out.len, r->out.data,
	                                          MHD_RESPMEM_MUST_FREE);
	if (r->resp == NULL)
		tc_die("cannot create a response");
	tc_buf_init(&r->out);
	add_api_headers(r->resp);
	r->status = status;
	return TC_ERR_OK;
}

tc_err tc_reply_text(struct tc_req *r, unsigned status, const char *type,
                     const char *text, size_t len)
{
	if (r->resp)
		MHD_destroy_response(r->resp);
	r->resp = MHD_create_response_from_buffer(len, (void *)text,
	                                          MHD_RESPMEM_MUST_COPY);
	if (r->resp == NULL)
		tc_die("cannot create a response");
	MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r->resp, "X-Content-Type-Options", "nosniff");
	r->status = status;
	return TC_ERR_OK;
}

void tc_reply_header(struct tc_req *r, const char *name, const char *value)
{
	if (r->resp && MHD_add_response_header(r->resp, name, value) != MHD_YES)
		tc_die("cannot add a response header");
}

tc_err tc_req_dbc(struct tc_req *r, struct tc_dbc **c)
{
	*c = tc_db_acquire(tc_server_db(r->srv));
	/* NULL only when a connection cannot be opened: the database is down
	 * or restarting (logged by tc_db_acquire), not a fault of ours */
	if (*c == NULL)
		return tc_fault_set(&r->fault, TC_ERR_UNAVAILABLE, NULL,
		                    "the database cannot be reached; try again shortly");
	return TC_ERR_OK;
}

void tc_req_dbc_release(struct tc_req *r, struct tc_dbc *c)
{
	tc_db_release(tc_server_db(r->srv), c);
}


tc_err tc_req_load_by_id(struct tc_req *r, tc_get_by_id get, void *out)
{
	struct tc_dbc *c;
	int64_t id;
	enum tc_qs qs;
	tc_err rc;

	rc = tc_req_param_id(r, 0, &id);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	qs = get(c, id, &r->arena, out);
	tc_req_dbc_release(r, c);
	return qs == TC_QS_ONE ? TC_ERR_OK : tc_qs_err(qs, &r->fault);
}
