/* Writing stock at one facility: POST /api/v1/stock/receipts,
 * /stock/adjustments, /stock/wastage, /stock/returns, /stock/vials,
 * /stock/movements/{id}/resolve, and allocations (POST
 * /stock/allocations). The facility named in the body must lie inside
 * the caller's jurisdiction. Each write runs its tc_stock_* operation and
 * its audit record in one transaction; a refused one changes nothing. The
 * audit entity of stock is "<facility_id>/<lot_id>". */
#include <microhttpd.h>
#include <string.h>

#include "../core/tctime.h"
#include "../db/records.h"
#include "../domain/stockrules.h"
#include "api.h"
#include "api_stock.h"

/* ---- one movement at one facility -------------------------------------------------- */

enum mv_kind { MV_RECEIPT, MV_COUNT, MV_WRITEOFF, MV_RETURN, MV_OPEN_VIAL };

struct mv_job {
	struct tc_actor actor;
	struct tc_stock_by by;
	struct tc_arena *a;
	enum mv_kind kind;
	const char *scope; /* the facility's */
	int64_t facility_id, lot_id;
	struct tc_receipt receipt;
	struct tc_count count;
	struct tc_writeoff off;
	const char *party; /* returns */
	/* what was written */
	int64_t movement_id, delta;
	struct tc_open_vial vial;
};

static const char *const mv_actions[] = {
	[MV_RECEIPT] = "receipt",     [MV_COUNT] = "count",
	[MV_WRITEOFF] = "writeoff",   [MV_RETURN] = "return",
	[MV_OPEN_VIAL] = "open_vial",
};

static tc_err mv_op(struct tc_dbc *c, struct mv_job *j, struct tc_fault *f)
{
	switch (j->kind) {
	case MV_RECEIPT:
		return tc_stock_receipt(c, &j->by, &j->receipt, &j->movement_id, f);
	case MV_COUNT: return tc_stock_count(c, &j->by, &j->count, &j->delta, f);
	case MV_WRITEOFF:
		return tc_stock_writeoff(c, &j->by, &j->off, &j->movement_id, f);
	case MV_RETURN:
		return tc_stock_return(c, &j->by, &j->off, j->party, &j->movement_id, f);
	case MV_OPEN_VIAL:
		return tc_stock_open_vial(c, &j->by, j->facility_id, j->lot_id, &j->vial,
		                          f);
	}
	return tc_fault_internal(f, TC_ERR_INTERNAL, "unknown movement");
}

/* What the answer holds, also written to the audit log. */
static void mv_result(struct tc_jw *w, const struct mv_job *j)
{
	switch (j->kind) {
	case MV_RECEIPT:
		tc_jw_kint(w, "movement_id", j->movement_id);
		tc_jw_kint(w, "written_off",
		           j->receipt.vvm >= TC_VVM_UNUSABLE ? j->receipt.quantity : 0);
		break;
	case MV_COUNT:
		tc_jw_kint(w, "delta", j->delta);
		tc_jw_kint(w, "on_hand",
		           j->count.vvm >= TC_VVM_UNUSABLE ? 0 : j->count.counted);
		break;
	case MV_WRITEOFF:
	case MV_RETURN: tc_jw_kint(w, "movement_id", j->movement_id); break;
	case MV_OPEN_VIAL:
		tc_jw_key(w, "vial");
		tc_jw_vial(w, &j->vial);
		break;
	}
}

static const char *mv_audit_json(const struct mv_job *j)
{
	struct tc_jtext t;
	struct tc_jw *w = tc_jtext_begin(&t);

	tc_jw_obj(w);
	tc_jw_kint(w, "facility_id", j->facility_id);
	tc_jw_kint(w, "lot_id", j->lot_id);
	switch (j->kind) {
	case MV_RECEIPT:
		tc_jw_kint(w, "quantity", j->receipt.quantity);
		tc_jw_kstr(w, "source", j->receipt.source);
		tc_jw_kstr(w, "party", j->receipt.party);
		tc_jw_kid(w, "vvm", j->receipt.vvm);
		tc_jw_kstr(w, "note", j->receipt.note);
		break;
	case MV_COUNT:
		tc_jw_kint(w, "counted", j->count.counted);
		tc_jw_kid(w, "vvm", j->count.vvm);
		tc_jw_kstr(w, "reason", j->count.reason);
		tc_jw_kstr(w, "note", j->count.note);
		break;
	case MV_WRITEOFF:
	case MV_RETURN:
		tc_jw_kint(w, "quantity", j->off.quantity);
		tc_jw_kstr(w, "reason", j->off.reason);
		tc_jw_kstr(w, "party", j->party);
		tc_jw_kstr(w, "note", j->off.note);
		break;
	case MV_OPEN_VIAL: break;
	}
	mv_result(w, j);
	tc_jw_end(w);
	return tc_jtext_end(&t, j->a);
}

static tc_err mv_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct mv_job *j = cls;
	tc_err rc;

	j->movement_id = 0;
	j->delta = 0;
	memset(&j->vial, 0, sizeof j->vial);
	if ((rc = mv_op(c, j, f)) != TC_ERR_OK)
		return rc;
	return tc_audit_record(c, &j->actor, mv_actions[j->kind], "stock",
	                       tc_arena_printf(j->a, "%lld/%lld",
	                                       (long long)j->facility_id,
	                                       (long long)j->lot_id),
	                       j->scope, NULL, mv_audit_json(j), f);
}

static tc_err mv_after(struct tc_req *r)
{
	struct mv_job *j = r->job.cls;
	struct tc_jw *w = tc_reply_begin(r);

	tc_jw_obj(w);
	mv_result(w, j);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_CREATED);
}

/* Checks the facility and hands the job to the writer. */
static tc_err mv_submit(struct tc_req *r, struct mv_job *j)
{
	struct tc_facility fac;
	tc_err rc = tc_api_stock_facility(r, j->facility_id, "facility_id", &fac);

	if (rc != TC_ERR_OK)
		return rc;
	j->actor = r->actor;
	j->a = &r->arena;
	j->scope = fac.scope_path;
	j->by = (struct tc_stock_by){ .actor_id = r->actor.user_id, .now = tc_now_us() };
	return tc_req_write(r, mv_run, j, mv_after);
}

/* ---- POST /api/v1/stock/receipts ----------------------------------------------------- */

struct receipt_body {
	struct tc_jint facility_id, lot_id, quantity, vvm;
	const char *source, *party, *note;
};

static const struct tc_jfield receipt_spec[] = {
	TC_JINT(struct receipt_body, facility_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct receipt_body, lot_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct receipt_body, quantity, TC_JF_REQUIRED, 1, TC_STOCK_MAX_QTY),
	TC_JSTR(struct receipt_body, source, TC_JF_REQUIRED, 1, 16),
	TC_JSTR(struct receipt_body, party, 0, 1, 200),
	TC_JINT(struct receipt_body, vvm, 0, 1, 4),
	TC_JSTR(struct receipt_body, note, TC_JF_MULTILINE, 1, 1000),
	TC_JEND,
};

tc_err tc_api_stock_receipt(struct tc_req *r)
{
	struct mv_job *j = TC_NEW(&r->arena, struct mv_job);
	struct receipt_body b = { 0 };
	tc_err rc = tc_req_body(r, receipt_spec, &b);

	if (rc != TC_ERR_OK)
		return rc;
	if (!tc_stock_source_ok(b.source))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "source",
		                    "source must be covax, donation, purchase or other");
	j->kind = MV_RECEIPT;
	j->facility_id = b.facility_id.v;
	j->lot_id = b.lot_id.v;
	j->receipt = (struct tc_receipt){
		.facility_id = b.facility_id.v,
		.lot_id = b.lot_id.v,
		.quantity = b.quantity.v,
		.vvm = b.vvm.set ? b.vvm.v : 0,
		.source = b.source,
		.party = b.party,
		.note = b.note,
	};
	return mv_submit(r, j);
}

/* ---- POST /api/v1/stock/adjustments (a physical count) ---------------------------------- */

struct count_body {
	struct tc_jint facility_id, lot_id, counted, vvm;
	const char *reason, *note;
};

static const struct tc_jfield count_spec[] = {
	TC_JINT(struct count_body, facility_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct count_body, lot_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct count_body, counted, TC_JF_REQUIRED, 0, TC_STOCK_MAX_QTY),
	TC_JINT(struct count_body, vvm, 0, 1, 4),
	TC_JSTR(struct count_body, reason, 0, 1, 500),
	TC_JSTR(struct count_body, note, TC_JF_MULTILINE, 1, 1000),
	TC_JEND,
};

tc_err tc_api_stock_adjustment(struct tc_req *r)
{
	struct mv_job *j = TC_NEW(&r->arena, struct mv_job);
	struct count_body b = { 0 };
	tc_err rc = tc_req_body(r, count_spec, &b);

	if (rc != TC_ERR_OK)
		return rc;
	j->kind = MV_COUNT;
	j->facility_id = b.facility_id.v;
	j->lot_id = b.lot_id.v;
	j->count = (struct tc_count){
		.facility_id = b.facility_id.v,
		.lot_id = b.lot_id.v,
		.counted = b.counted.v,
		.vvm = b.vvm.set ? b.vvm.v : 0,
		.reason = b.reason,
		.note = b.note,
	};
	return mv_submit(r, j);
}

/* ---- POST /api/v1/stock/wastage, /stock/returns --------------------------------------- */

struct off_body {
	struct tc_jint facility_id, lot_id, quantity;
	const char *reason, *party, *note;
};

static const struct tc_jfield wastage_spec[] = {
	TC_JINT(struct off_body, facility_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct off_body, lot_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct off_body, quantity, TC_JF_REQUIRED, 1, TC_STOCK_MAX_QTY),
	TC_JSTR(struct off_body, reason, TC_JF_REQUIRED, 1, 32),
	TC_JSTR(struct off_body, note, TC_JF_MULTILINE, 1, 1000),
	TC_JEND,
};

static const struct tc_jfield return_spec[] = {
	TC_JINT(struct off_body, facility_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct off_body, lot_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct off_body, quantity, TC_JF_REQUIRED, 1, TC_STOCK_MAX_QTY),
	TC_JSTR(struct off_body, reason, TC_JF_REQUIRED, 1, 500),
	TC_JSTR(struct off_body, party, 0, 1, 200),
	TC_JSTR(struct off_body, note, TC_JF_MULTILINE, 1, 1000),
	TC_JEND,
};

static tc_err writeoff(struct tc_req *r, bool is_return)
{
	struct mv_job *j = TC_NEW(&r->arena, struct mv_job);
	struct off_body b = { 0 };
	tc_err rc = tc_req_body(r, is_return ? return_spec : wastage_spec, &b);

	if (rc != TC_ERR_OK)
		return rc;
	if (!is_return && !tc_stock_writeoff_reason_ok(b.reason))
		return tc_fault_set(
		        &r->fault, TC_ERR_INVALID_FIELD, "reason",
		        "reason must be opened_vial_expired, breakage, cold_chain, "
		        "vvm, expired, recall or other");
	j->kind = is_return ? MV_RETURN : MV_WRITEOFF;
	j->facility_id = b.facility_id.v;
	j->lot_id = b.lot_id.v;
	j->party = b.party;
	j->off = (struct tc_writeoff){
		.facility_id = b.facility_id.v,
		.lot_id = b.lot_id.v,
		.quantity = b.quantity.v,
		.reason = b.reason,
		.note = b.note,
	};
	return mv_submit(r, j);
}

tc_err tc_api_stock_wastage(struct tc_req *r)
{
	return writeoff(r, false);
}

tc_err tc_api_stock_return(struct tc_req *r)
{
	return writeoff(r, true);
}

/* ---- POST /api/v1/stock/vials ------------------------------------------------------------ */

struct vial_body {
	struct tc_jint facility_id, lot_id;
};

static const struct tc_jfield vial_spec[] = {
	TC_JINT(struct vial_body, facility_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct vial_body, lot_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JEND,
};

tc_err tc_api_stock_vial_open(struct tc_req *r)
{
	struct mv_job *j = TC_NEW(&r->arena, struct mv_job);
	struct vial_body b = { 0 };
	tc_err rc = tc_req_body(r, vial_spec, &b);

	if (rc != TC_ERR_OK)
		return rc;
	j->kind = MV_OPEN_VIAL;
	j->facility_id = b.facility_id.v;
	j->lot_id = b.lot_id.v;
	return mv_submit(r, j);
}

/* ---- POST /api/v1/stock/movements/{id}/resolve ------------------------------------------ */

static enum tc_qs get_movement(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                               void *out)
{
	return tc_q_movement_get(c, id, a, out);
}

tc_err tc_scope_movement_id(struct tc_req *r)
{
	struct tc_movement *m = TC_NEW(&r->arena, struct tc_movement);
	tc_err rc = tc_req_load_by_id(r, get_movement, m);

	if (rc != TC_ERR_OK)
		return rc;
	r->target = m;
	r->target_scope = m->scope_path;
	return TC_ERR_OK;
}

struct resolve_body {
	const char *resolution;
};

static const struct tc_jfield resolve_spec[] = {
	TC_JSTR(struct resolve_body, resolution, TC_JF_REQUIRED | TC_JF_MULTILINE, 1,
	        1000),
	TC_JEND,
};

struct resolve_job {
	struct tc_actor actor;
	struct tc_stock_by by;
	struct tc_arena *a;
	int64_t id;
	const char *resolution;
	struct tc_movement m;
};

static tc_err resolve_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct resolve_job *j = cls;
	struct tc_jtext t;
	tc_err rc;
	enum tc_qs qs;

	if ((rc = tc_stock_resolve(c, &j->by, j->id, j->resolution, f)) != TC_ERR_OK)
		return rc;
	if ((qs = tc_q_movement_get(c, j->id, j->a, &j->m)) != TC_QS_ONE)
		return tc_qs_err(qs, f);
	tc_jw_movement(tc_jtext_begin(&t), &j->m);
	return tc_audit_record(c, &j->actor, "resolve", "stock",
	                       tc_arena_printf(j->a, "%lld/%lld",
	                                       (long long)j->m.facility_id,
	                                       (long long)j->m.lot_id),
	                       j->m.scope_path, NULL, tc_jtext_end(&t, j->a), f);
}

static tc_err resolve_after(struct tc_req *r)
{
	struct resolve_job *j = r->job.cls;
	struct tc_jw *w = tc_reply_begin(r);

	tc_jw_obj(w);
	tc_jw_key(w, "movement");
	tc_jw_movement(w, &j->m);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_CREATED);
}

tc_err tc_api_stock_movement_resolve(struct tc_req *r)
{
	const struct tc_movement *m = r->target;
	struct resolve_job *j = TC_NEW(&r->arena, struct resolve_job);
	struct resolve_body b = { 0 };
	tc_err rc = tc_req_body(r, resolve_spec, &b);

	if (rc != TC_ERR_OK)
		return rc;
	j->actor = r->actor;
	j->a = &r->arena;
	j->by = (struct tc_stock_by){ .actor_id = r->actor.user_id, .now = tc_now_us() };
	j->id = m->id;
	j->resolution = b.resolution;
	return tc_req_write(r, resolve_run, j, resolve_after);
}

/* ---- POST /api/v1/stock/allocations ----------------------------------------------------- */

struct alloc_body {
	struct tc_jint from_facility, to_facility, quantity;
	const char *product, *note;
};

static const struct tc_jfield alloc_spec[] = {
	TC_JINT(struct alloc_body, from_facility, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct alloc_body, to_facility, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JSTR(struct alloc_body, product, TC_JF_REQUIRED, 1, 100),
	TC_JINT(struct alloc_body, quantity, TC_JF_REQUIRED, 1, TC_STOCK_MAX_QTY),
	TC_JSTR(struct alloc_body, note, TC_JF_MULTILINE, 1, 1000),
	TC_JEND,
};

struct alloc_job {
	struct tc_actor actor;
	struct tc_arena *a;
	struct tc_allocation in, al;
};

static tc_err alloc_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct alloc_job *j = cls;
	struct tc_jtext t;
	enum tc_qs qs;

	j->al = j->in;
	if ((qs = tc_q_allocation_insert(c, &j->al)) < 0)
		return tc_qs_err(qs, f);
	if ((qs = tc_q_allocation_get(c, j->al.id, j->a, &j->al)) != TC_QS_ONE)
		return tc_qs_err(qs, f);
	tc_jw_allocation(tc_jtext_begin(&t), &j->al);
	return tc_audit_record(c, &j->actor, "create", "allocation",
	                       tc_arena_printf(j->a, "%lld", (long long)j->al.id),
	                       j->al.from_scope, NULL, tc_jtext_end(&t, j->a), f);
}

static tc_err alloc_after(struct tc_req *r)
{
	struct alloc_job *j = r->job.cls;
	struct tc_jw *w = tc_reply_begin(r);

	tc_jw_obj(w);
	tc_jw_key(w, "allocation");
	tc_jw_allocation(w, &j->al);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_CREATED);
}

tc_err tc_api_stock_allocation_create(struct tc_req *r)
{
	struct alloc_job *j = TC_NEW(&r->arena, struct alloc_job);
	struct alloc_body b = { 0 };
	struct tc_facility from, to;
	struct tc_product_info p;
	struct tc_dbc *c;
	bool is_return;
	enum tc_qs qs;
	tc_err rc = tc_req_body(r, alloc_spec, &b);

	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_api_stock_route(r, b.from_facility.v, b.to_facility.v, &from, &to,
	                        &is_return);
	if (rc != TC_ERR_OK)
		return rc;
	if (is_return)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "to_facility",
		                    "doses are allocated down the chain, not back up it");
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_product_info(c, b.product, &r->arena, &p);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	if (qs == TC_QS_NONE)
		return tc_fault_set(
		        &r->fault, TC_ERR_INVALID_FIELD, "product",
		        "product must be a vaccine code from GET /api/v1/products");
	j->actor = r->actor;
	j->a = &r->arena;
	j->in = (struct tc_allocation){
		.from_facility = from.id,
		.to_facility = to.id,
		.product = p.code,
		.quantity = b.quantity.v,
		.status = "open",
		.note = b.note,
		.from_scope = from.scope_path,
		.to_scope = to.scope_path,
		.created_at = tc_now_us(),
		.created_by = r->actor.user_id,
		.from_name = from.name,
		.to_name = to.name,
	};
	return tc_req_write(r, alloc_run, j, alloc_after);
}
