/* GET /api/v1/units?parent=CODE and GET /api/v1/units/{code}:
 * Vietnam's administrative units, open to every signed-in user; the list
 * also as GET /api/v1/public/units for the citizen portal (public data). */
#include <microhttpd.h>

#include "../db/records.h"
#include "api.h"

tc_err tc_api_units_list(struct tc_req *r)
{
	const char *parent = tc_req_query(r, "parent");
	const struct tc_units *units;
	const char *body;
	struct tc_dbc *c;
	size_t len = 0;
	tc_err rc;

	if (parent == NULL)
		parent = "VN";
	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	units = tc_db_units(c);
	tc_req_dbc_release(r, c);
	if (units == NULL)
		return tc_fault_internal(&r->fault, TC_ERR_DB, "cannot read the units");
	body = tc_units_children_json(units, parent, &len);
	if (body == NULL)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "parent",
		                    "no administrative unit has that code");
	/* written once per generation, which outlives every answer */
	return tc_reply_static(r, MHD_HTTP_OK, body, len);
}

tc_err tc_api_unit_get(struct tc_req *r)
{
	const struct tc_units *units;
	const struct tc_unit *u;
	struct tc_dbc *c;
	tc_err rc;

	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	units = tc_db_units(c);
	tc_req_dbc_release(r, c);
	if (units == NULL)
		return tc_fault_internal(&r->fault, TC_ERR_DB, "cannot read the units");
	u = tc_units_get(units, tc_req_param(r, 0));
	if (u == NULL)
		return tc_fault_set(&r->fault, TC_ERR_NOT_FOUND, NULL, "no administrative unit has that code");
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "unit");
	tc_jw_obj(w);
	tc_jw_unit_fields(w, u);
	tc_jw_kstr(w, "path", u->path);
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}
