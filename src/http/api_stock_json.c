/* The supply chain's JSON views and the checks its handlers share
 * (api_stock.h). */
#include <jansson.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../domain/appointment.h"
#include "../domain/birthdate.h"
#include "api_stock.h"

int64_t tc_api_stock_today(int64_t now_us, char out[11])
{
	int64_t day = tc_vn_day(now_us);

	tc_day_format(day, out);
	return day;
}

/* ---- JSON views ------------------------------------------------------------ */

void tc_jw_kid(struct tc_jw *w, const char *key, int64_t id)
{
	tc_jw_key(w, key);
	if (id)
		tc_jw_int(w, id);
	else
		tc_jw_null(w);
}

void tc_jw_lot(struct tc_jw *w, const struct tc_lot *l, const char *today)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "id", l->id);
	tc_jw_kstr(w, "product", l->product);
	tc_jw_kstr(w, "product_name", l->product_name);
	tc_jw_kstr(w, "lot_number", l->lot_number);
	tc_jw_kstr(w, "expiry", l->expiry);
	tc_jw_kstr(w, "manufacturer", l->manufacturer);
	tc_jw_kbool(w, "quarantined", l->quarantined);
	tc_jw_kstr(w, "quarantine_reason", l->quarantined ? l->quarantine_reason : NULL);
	tc_jw_kbool(w, "expired", l->expiry && strcmp(l->expiry, today) < 0);
	tc_jw_kint(w, "doses_per_vial", l->doses_per_vial);
	tc_jw_key(w, "created_at");
	tc_jw_time(w, l->created_at);
	tc_jw_end(w);
}

void tc_jw_movement(struct tc_jw *w, const struct tc_movement *m)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "id", m->id);
	tc_jw_kstr(w, "kind", m->kind);
	tc_jw_kint(w, "lot_id", m->lot_id);
	tc_jw_kstr(w, "lot_number", m->lot_number);
	tc_jw_kstr(w, "product", m->product);
	tc_jw_kint(w, "quantity", m->quantity);
	tc_jw_kstr(w, "src", m->src);
	tc_jw_kstr(w, "dst", m->dst);
	tc_jw_kid(w, "facility_id", m->facility_id);
	tc_jw_kstr(w, "facility_name", m->facility_name);
	tc_jw_kid(w, "transfer_id", m->transfer_id);
	tc_jw_kstr(w, "party", m->party);
	tc_jw_kstr(w, "reason", m->reason);
	tc_jw_kstr(w, "note", m->note);
	tc_jw_kid(w, "vvm", m->vvm);
	tc_jw_kid(w, "dose_id", m->dose_id);
	tc_jw_kstr(w, "flag", m->flag);
	tc_jw_kstr(w, "resolution", m->resolution);
	tc_jw_key(w, "resolved_at");
	tc_jw_time(w, m->resolved_at);
	tc_jw_key(w, "at");
	tc_jw_time(w, m->at);
	tc_jw_kid(w, "actor_id", m->actor_id);
	tc_jw_end(w);
}

void tc_jw_transfer(struct tc_jw *w, const struct tc_transfer *t, bool items)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "id", t->id);
	tc_jw_kint(w, "from_facility", t->from_facility);
	tc_jw_kstr(w, "from_name", t->from_name);
	tc_jw_kint(w, "to_facility", t->to_facility);
	tc_jw_kstr(w, "to_name", t->to_name);
	tc_jw_kid(w, "allocation_id", t->allocation_id);
	tc_jw_kbool(w, "is_return", t->is_return);
	tc_jw_kstr(w, "status", t->status);
	tc_jw_kstr(w, "note", t->note);
	tc_jw_kstr(w, "discrepancy_reason", t->discrepancy_reason);
	tc_jw_key(w, "shipped_at");
	tc_jw_time(w, t->shipped_at);
	tc_jw_key(w, "received_at");
	tc_jw_time(w, t->received_at);
	if (items) {
		tc_jw_key(w, "items");
		tc_jw_arr(w);
		for (size_t i = 0; i < t->nitems; i++) {
			const struct tc_transfer_item *it = &t->items[i];
			tc_jw_obj(w);
			tc_jw_kint(w, "lot_id", it->lot_id);
			tc_jw_kstr(w, "lot_number", it->lot_number);
			tc_jw_kstr(w, "product", it->product);
			tc_jw_kstr(w, "expiry", it->expiry);
			tc_jw_kint(w, "shipped", it->shipped);
			tc_jw_kint(w, "in_transit", it->in_transit);
			tc_jw_key(w, "received");
			if (it->received >= 0)
				tc_jw_int(w, it->received);
			else
				tc_jw_null(w);
			tc_jw_kid(w, "vvm", it->vvm);
			tc_jw_end(w);
		}
		tc_jw_end(w);
	}
	tc_jw_end(w);
}

void tc_jw_allocation(struct tc_jw *w, const struct tc_allocation *al)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "id", al->id);
	tc_jw_kint(w, "from_facility", al->from_facility);
	tc_jw_kstr(w, "from_name", al->from_name);
	tc_jw_kint(w, "to_facility", al->to_facility);
	tc_jw_kstr(w, "to_name", al->to_name);
	tc_jw_kstr(w, "product", al->product);
	tc_jw_kint(w, "quantity", al->quantity);
	tc_jw_kint(w, "shipped", al->shipped);
	tc_jw_kstr(w, "status", al->status);
	tc_jw_kstr(w, "note", al->note);
	tc_jw_key(w, "created_at");
	tc_jw_time(w, al->created_at);
	tc_jw_end(w);
}

void tc_jw_vial(struct tc_jw *w, const struct tc_open_vial *v)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "id", v->id);
	tc_jw_kint(w, "facility_id", v->facility_id);
	tc_jw_kint(w, "lot_id", v->lot_id);
	tc_jw_kstr(w, "lot_number", v->lot_number);
	tc_jw_kstr(w, "product", v->product);
	tc_jw_kint(w, "doses", v->doses);
	tc_jw_kint(w, "used", v->used);
	tc_jw_key(w, "opened_at");
	tc_jw_time(w, v->opened_at);
	tc_jw_key(w, "usable_until");
	tc_jw_time(w, v->usable_until);
	tc_jw_end(w);
}

struct tc_jw *tc_jtext_begin(struct tc_jtext *t)
{
	tc_buf_init(&t->b);
	tc_jw_init(&t->w, &t->b);
	return &t->w;
}

const char *tc_jtext_end(struct tc_jtext *t, struct tc_arena *a)
{
	const char *out = tc_arena_strndup(a, t->b.data, t->b.len);

	tc_buf_cleanup(&t->b);
	return out;
}

/* ---- requests ---------------------------------------------------------------- */

static tc_err facility_load(struct tc_req *r, int64_t id, const char *field,
                            struct tc_facility *out)
{
	struct tc_dbc *c;
	enum tc_qs qs;
	tc_err rc = tc_req_dbc(r, &c);

	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_facility_get(c, id, &r->arena, out);
	tc_req_dbc_release(r, c);
	if (qs == TC_QS_NONE)
		return tc_fault_setf(&r->fault, &r->arena, TC_ERR_INVALID_FIELD, field,
		                     "%s: there is no facility %lld", field,
		                     (long long)id);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	return TC_ERR_OK;
}

static tc_err outside(struct tc_req *r, const char *field, const struct tc_facility *fac)
{
	return tc_fault_setf(&r->fault, &r->arena, TC_ERR_OUT_OF_JURISDICTION, field,
	                     "%s: %s lies outside your jurisdiction", field, fac->name);
}

tc_err tc_api_stock_facility(struct tc_req *r, int64_t id, const char *field,
                             struct tc_facility *out)
{
	tc_err rc = facility_load(r, id, field, out);

	if (rc != TC_ERR_OK)
		return rc;
	if (!tc_scope_contains(r->actor.scope, out->scope_path))
		return outside(r, field, out);
	return TC_ERR_OK;
}

tc_err tc_api_stock_route(struct tc_req *r, int64_t from_id, int64_t to_id,
                          struct tc_facility *from, struct tc_facility *to,
                          bool *is_return)
{
	tc_err rc = facility_load(r, from_id, "from_facility", from);

	if (rc == TC_ERR_OK)
		rc = facility_load(r, to_id, "to_facility", to);
	if (rc != TC_ERR_OK)
		return rc;
	if (from_id == to_id)
		return tc_fault_set(
		        &r->fault, TC_ERR_INVALID_FIELD, "to_facility",
		        "to_facility must be another facility than from_facility");
	if (!tc_stock_route_ok(r->actor.scope, from->scope_path, to->scope_path,
	                       is_return)) {
		if (!tc_scope_contains(r->actor.scope, from->scope_path))
			return outside(r, "from_facility", from);
		return outside(r, "to_facility", to);
	}
	return TC_ERR_OK;
}

/* One item of the array, by spec, into `slot`. */
static tc_err parse_item(struct tc_req *r, json_t *v, size_t i,
                         const struct tc_jfield *item_spec, void *slot)
{
	char *text;
	tc_err rc;

	if (!json_is_object(v))
		return tc_fault_setf(&r->fault, &r->arena, TC_ERR_WRONG_TYPE,
		                     tc_arena_printf(&r->arena, "items[%zu]", i),
		                     "items[%zu] must be an object", i);
	text = json_dumps(v, JSON_COMPACT);
	if (text == NULL)
		return tc_fault_internal(&r->fault, TC_ERR_INTERNAL, "json_dumps");
	rc = tc_jspec_parse(text, strlen(text), item_spec, slot, &r->arena, &r->fault);
	free(text);
	if (rc != TC_ERR_OK && r->fault.field)
		r->fault.field =
		        tc_arena_printf(&r->arena, "items[%zu].%s", i, r->fault.field);
	return rc;
}

tc_err tc_api_stock_body_items(struct tc_req *r, const struct tc_jfield *spec, void *out,
                               const struct tc_jfield *item_spec, size_t item_size,
                               size_t max_items, void **items, size_t *nitems)
{
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	                                             MHD_HTTP_HEADER_CONTENT_TYPE);
	json_error_t jerr;
	json_t *root, *arr = NULL, *v;
	char *rest = NULL;
	size_t k;
	tc_err rc = TC_ERR_OK;

	*items = NULL;
	*nitems = 0;
	if (ct && strncasecmp(ct, "application/json", 16) != 0)
		return tc_fault_set(&r->fault, TC_ERR_UNSUPPORTED_MEDIA, NULL, NULL);
	if (r->body.len == 0)
		return tc_fault_set(
		        &r->fault, TC_ERR_BAD_JSON, NULL,
		        "the request body is empty; a JSON object is required");
	root = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return tc_fault_setf(&r->fault, &r->arena, TC_ERR_BAD_JSON, NULL,
		                     "malformed JSON at line %d, column %d: %s",
		                     jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		rc = tc_fault_set(&r->fault, TC_ERR_NOT_OBJECT, NULL, NULL);
		goto out;
	}
	arr = json_incref(json_object_get(root, "items"));
	json_object_del(root, "items");
	if (arr == NULL) {
		rc = tc_fault_set(&r->fault, TC_ERR_MISSING_FIELD, "items",
		                  "items (a list of lots and quantities) is required");
		goto out;
	}
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > max_items) {
		rc = tc_fault_setf(&r->fault, &r->arena, TC_ERR_INVALID_FIELD, "items",
		                   "items must be a list of 1 to %zu objects", max_items);
		goto out;
	}
	*items = tc_arena_zalloc(&r->arena, item_size * json_array_size(arr));
	json_array_foreach(arr, k, v)
	{
		rc = parse_item(r, v, k, item_spec, (char *)*items + k * item_size);
		if (rc != TC_ERR_OK)
			goto out;
	}
	*nitems = json_array_size(arr);
	rest = json_dumps(root, JSON_COMPACT);
	if (rest == NULL) {
		rc = tc_fault_internal(&r->fault, TC_ERR_INTERNAL, "json_dumps");
		goto out;
	}
	rc = tc_jspec_parse(rest, strlen(rest), spec, out, &r->arena, &r->fault);
out:
	free(rest);
	json_decref(arr);
	json_decref(root);
	return rc;
}

tc_err tc_api_stock_query_int(struct tc_req *r, const char *name, int64_t lo, int64_t hi,
                              bool required, int64_t *out, bool *set)
{
	const char *v = tc_req_query(r, name);

	*set = false;
	if (v == NULL && !required)
		return TC_ERR_OK;
	if (v == NULL || !tc_parse_i64(v, lo, hi, out))
		return tc_fault_setf(&r->fault, &r->arena, TC_ERR_INVALID_PARAMETER, name,
		                     "%s must be a whole number from %lld to %lld", name,
		                     (long long)lo, (long long)hi);
	*set = true;
	return TC_ERR_OK;
}

tc_err tc_api_stock_query_day(struct tc_req *r, const char *name, int64_t *day)
{
	const char *v = tc_req_query(r, name);

	if (v == NULL || !tc_day_parse(v, day))
		return tc_fault_setf(&r->fault, &r->arena, TC_ERR_INVALID_PARAMETER, name,
		                     "%s must be a date written YYYY-MM-DD", name);
	return TC_ERR_OK;
}
