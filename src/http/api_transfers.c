/* Transfers between facilities: POST /api/v1/stock/transfers (ship), GET
 * /api/v1/stock/transfers?facility=&status=, GET /api/v1/stock/transfers/{id}
 * and POST /api/v1/stock/transfers/{id}/receive. Shipping is by the
 * sender's jurisdiction (tc_stock_route_ok: the receiver inside it too,
 * or up the sender's chain for a return); receiving by the receiver's. */
#include <microhttpd.h>
#include <string.h>

#include "../core/tctime.h"
#include "../db/records.h"
#include "api.h"
#include "api_stock.h"

/* Lines of one transfer. */
#define MAX_ITEMS 100

static const char *transfer_json(const struct tc_transfer *t, struct tc_arena *a)
{
	struct tc_jtext x;

	tc_jw_transfer(tc_jtext_begin(&x), t, true);
	return tc_jtext_end(&x, a);
}

static tc_err reply_transfer(struct tc_req *r, unsigned status,
                             const struct tc_transfer *t)
{
	struct tc_jw *w = tc_reply_begin(r);

	tc_jw_obj(w);
	tc_jw_key(w, "transfer");
	tc_jw_transfer(w, t, true);
	tc_jw_end(w);
	return tc_reply_end(r, status);
}

/* ---- scope resolver: the end of the transfer inside the caller's jurisdiction ---- */

static enum tc_qs get_transfer(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                               void *out)
{
	return tc_q_transfer_get(c, id, a, out);
}

tc_err tc_scope_transfer_id(struct tc_req *r)
{
	struct tc_transfer *t = TC_NEW(&r->arena, struct tc_transfer);
	tc_err rc = tc_req_load_by_id(r, get_transfer, t);

	if (rc != TC_ERR_OK)
		return rc;
	r->target = t;
	r->target_scope = tc_scope_contains(r->actor.scope, t->to_scope) ? t->to_scope
	                                                                 : t->from_scope;
	return TC_ERR_OK;
}

/* ---- POST /api/v1/stock/transfers ---------------------------------------------------------- */

struct ship_body {
	struct tc_jint from_facility, to_facility, allocation_id;
	const char *note;
};

static const struct tc_jfield ship_spec[] = {
	TC_JINT(struct ship_body, from_facility, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct ship_body, to_facility, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct ship_body, allocation_id, 0, 1, INT64_MAX),
	TC_JSTR(struct ship_body, note, TC_JF_MULTILINE, 1, 1000),
	TC_JEND,
};

struct ship_item {
	struct tc_jint lot_id, quantity;
};

static const struct tc_jfield ship_item_spec[] = {
	TC_JINT(struct ship_item, lot_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct ship_item, quantity, TC_JF_REQUIRED, 1, TC_STOCK_MAX_QTY),
	TC_JEND,
};

struct ship_job {
	struct tc_actor actor;
	struct tc_stock_by by;
	struct tc_arena *a;
	struct tc_transfer in; /* as asked: the items are copied for each run */
	struct tc_transfer t;
};

static tc_err ship_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct ship_job *j = cls;
	tc_err rc;
	enum tc_qs qs;

	j->t = j->in;
	j->t.items = TC_NEWN(j->a, struct tc_transfer_item, j->in.nitems);
	memcpy(j->t.items, j->in.items, sizeof *j->in.items * j->in.nitems);
	if ((rc = tc_stock_ship(c, &j->by, &j->t, j->a, f)) != TC_ERR_OK)
		return rc;
	/* read back with the names and the lines' lots */
	if ((qs = tc_q_transfer_get(c, j->t.id, j->a, &j->t)) != TC_QS_ONE)
		return tc_qs_err(qs, f);
	return tc_audit_record(c, &j->actor, "ship", "transfer",
	                       tc_arena_printf(j->a, "%lld", (long long)j->t.id),
	                       j->t.from_scope, NULL, transfer_json(&j->t, j->a), f);
}

static tc_err ship_after(struct tc_req *r)
{
	struct ship_job *j = r->job.cls;
	return reply_transfer(r, MHD_HTTP_CREATED, &j->t);
}

tc_err tc_api_transfer_ship(struct tc_req *r)
{
	struct ship_job *j = TC_NEW(&r->arena, struct ship_job);
	struct ship_body b = { 0 };
	struct ship_item *items;
	struct tc_facility from, to;
	size_t n;
	bool is_return = false;
	tc_err rc =
	        tc_api_stock_body_items(r, ship_spec, &b, ship_item_spec, sizeof *items,
	                                MAX_ITEMS, (void **)&items, &n);

	if (rc != TC_ERR_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < i; k++)
			if (items[k].lot_id.v == items[i].lot_id.v)
				return tc_fault_setf(
				        &r->fault, &r->arena, TC_ERR_INVALID_FIELD,
				        tc_arena_printf(&r->arena, "items[%zu].lot_id",
				                        i),
				        "lot %lld is named twice: one line per lot",
				        (long long)items[i].lot_id.v);
	rc = tc_api_stock_route(r, b.from_facility.v, b.to_facility.v, &from, &to,
	                        &is_return);
	if (rc != TC_ERR_OK)
		return rc;
	j->actor = r->actor;
	j->a = &r->arena;
	j->by = (struct tc_stock_by){ .actor_id = r->actor.user_id, .now = tc_now_us() };
	j->in = (struct tc_transfer){
		.from_facility = from.id,
		.to_facility = to.id,
		.allocation_id = b.allocation_id.set ? b.allocation_id.v : 0,
		.is_return = is_return,
		.note = b.note,
		.from_scope = from.scope_path,
		.to_scope = to.scope_path,
		.from_name = from.name,
		.to_name = to.name,
		.items = TC_NEWN(&r->arena, struct tc_transfer_item, n),
		.nitems = n,
	};
	for (size_t i = 0; i < n; i++)
		j->in.items[i] = (struct tc_transfer_item){
			.lot_id = items[i].lot_id.v,
			.shipped = items[i].quantity.v,
			.in_transit = items[i].quantity.v,
			.received = -1,
		};
	return tc_req_write(r, ship_run, j, ship_after);
}

/* ---- GET /api/v1/stock/transfers?facility=&status= ------------------------------------------ */

tc_err tc_api_transfers_list(struct tc_req *r)
{
	const char *status = tc_req_query(r, "status");
	struct tc_transfer *t;
	struct tc_page page;
	struct tc_dbc *c;
	int64_t fid = 0;
	bool set;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	rc = tc_api_stock_query_int(r, "facility", 1, INT64_MAX, false, &fid, &set);
	if (rc != TC_ERR_OK)
		return rc;
	if (!set)
		fid = 0;
	if (status && strcmp(status, "in_transit") != 0 &&
	    strcmp(status, "received") != 0)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "status",
		                    "status must be in_transit or received");
	if ((rc = tc_req_page(r, 100, 1000, &page)) != TC_ERR_OK)
		return rc;
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_transfers_list(c, r->target_scope, fid, status, page, &r->arena, &t,
	                         &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "transfers");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		tc_jw_transfer(w, &t[i], false);
	tc_jw_end(w);
	tc_jw_kint(w, "limit", page.limit);
	tc_jw_kint(w, "offset", page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- GET /api/v1/stock/transfers/{id} ---------------------------------------------------------- */

tc_err tc_api_transfer_get(struct tc_req *r)
{
	return reply_transfer(r, MHD_HTTP_OK, r->target);
}

/* ---- POST /api/v1/stock/transfers/{id}/receive ------------------------------------------------- */

struct receive_body {
	const char *reason;
};

static const struct tc_jfield receive_spec[] = {
	TC_JSTR(struct receive_body, reason, TC_JF_MULTILINE, 1, 500),
	TC_JEND,
};

struct receive_item {
	struct tc_jint lot_id, received, vvm;
};

static const struct tc_jfield receive_item_spec[] = {
	TC_JINT(struct receive_item, lot_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct receive_item, received, TC_JF_REQUIRED, 0, TC_STOCK_MAX_QTY),
	TC_JINT(struct receive_item, vvm, 0, 1, 4),
	TC_JEND,
};

struct receive_job {
	struct tc_actor actor;
	struct tc_stock_by by;
	struct tc_arena *a;
	int64_t id;
	struct tc_arrival *arr;
	size_t narr;
	const char *reason;
	struct tc_transfer t;
};

static tc_err receive_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct receive_job *j = cls;
	tc_err rc;
	enum tc_qs qs;
	struct tc_jtext x;

	memset(&j->t, 0, sizeof j->t);
	rc = tc_stock_receive(c, &j->by, j->id, j->arr, j->narr, j->reason, j->a, &j->t,
	                      f);
	if (rc != TC_ERR_OK)
		return rc;
	if ((qs = tc_q_transfer_get(c, j->id, j->a, &j->t)) != TC_QS_ONE)
		return tc_qs_err(qs, f);
	struct tc_jw *w = tc_jtext_begin(&x);
	tc_jw_obj(w);
	tc_jw_key(w, "transfer");
	tc_jw_transfer(w, &j->t, true);
	tc_jw_kstr(w, "reason", j->reason);
	tc_jw_end(w);
	return tc_audit_record(c, &j->actor, "receive", "transfer",
	                       tc_arena_printf(j->a, "%lld", (long long)j->id),
	                       j->t.to_scope, NULL, tc_jtext_end(&x, j->a), f);
}

static tc_err receive_after(struct tc_req *r)
{
	struct receive_job *j = r->job.cls;
	return reply_transfer(r, MHD_HTTP_CREATED, &j->t);
}

tc_err tc_api_transfer_receive(struct tc_req *r)
{
	struct receive_job *j = TC_NEW(&r->arena, struct receive_job);
	struct receive_body b = { 0 };
	struct receive_item *items;
	struct tc_transfer t;
	struct tc_dbc *c;
	size_t n;
	enum tc_qs qs;
	tc_err rc = tc_req_param_id(r, 0, &j->id);

	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_api_stock_body_items(r, receive_spec, &b, receive_item_spec,
	                             sizeof *items, MAX_ITEMS, (void **)&items, &n);
	if (rc != TC_ERR_OK)
		return rc;
	/* the receiver's jurisdiction, with the field named */
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_transfer_get(c, j->id, &r->arena, &t);
	tc_req_dbc_release(r, c);
	if (qs == TC_QS_NONE)
		return tc_fault_set(&r->fault, TC_ERR_NOT_FOUND, NULL,
		                    "no such transfer");
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	if (!tc_scope_contains(r->actor.scope, t.to_scope))
		return tc_fault_setf(&r->fault, &r->arena, TC_ERR_OUT_OF_JURISDICTION,
		                     "to_facility",
		                     "to_facility: %s lies outside your jurisdiction",
		                     t.to_name ? t.to_name : "the receiver");
	j->actor = r->actor;
	j->a = &r->arena;
	j->by = (struct tc_stock_by){ .actor_id = r->actor.user_id, .now = tc_now_us() };
	j->reason = b.reason;
	j->narr = n;
	j->arr = TC_NEWN(&r->arena, struct tc_arrival, n);
	for (size_t i = 0; i < n; i++)
		j->arr[i] = (struct tc_arrival){
			.lot_id = items[i].lot_id.v,
			.received = items[i].received.v,
			.vvm = items[i].vvm.set ? items[i].vvm.v : 0,
		};
	return tc_req_write(r, receive_run, j, receive_after);
}
