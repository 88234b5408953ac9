/* GET /healthz and GET /metrics. */
#include <microhttpd.h>

#include "api.h"
#include "metrics.h"
#include "server.h"

tc_err tc_api_healthz(struct tc_req *r)
{
	struct tc_db *db = tc_server_db(r->srv);
	int version = 0;

	if (tc_db_ping(db) != TC_ERR_OK || tc_db_schema_version(db, &version) != TC_ERR_OK)
		return tc_reply_json(r, MHD_HTTP_SERVICE_UNAVAILABLE,
		                     json_pack("{s:s, s:s}", "status", "unavailable",
		                               "database", tc_db_kind_name(db)));
	return tc_reply_json(r, tc_server_stopping(r->srv) ? MHD_HTTP_SERVICE_UNAVAILABLE
	                                                  : MHD_HTTP_OK,
	                     json_pack("{s:s, s:s, s:i}", "status",
	                               tc_server_stopping(r->srv) ? "stopping" : "ok",
	                               "database", tc_db_kind_name(db), "schema",
	                               version));
}

tc_err tc_api_metrics(struct tc_req *r)
{
	struct tc_buf b;
	tc_err rc;

	tc_buf_init(&b);
	tc_metrics_render(&b, tc_server_db(r->srv));
	rc = tc_reply_text(r, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
	                   b.data ? b.data : "", b.len);
	tc_buf_cleanup(&b);
	return rc;
}
