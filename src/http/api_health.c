/* GET /healthz and GET /metrics. */
#include <microhttpd.h>

#include "api.h"
#include "metrics.h"
#include "server.h"

tc_err tc_api_healthz(struct tc_req *r)
{
	struct tc_db *db = tc_server_db(r->srv);
	int version = 0;

	bool up = tc_db_ping(db) == TC_ERR_OK && tc_db_schema_version(db, &version) == TC_ERR_OK;
	bool stopping = tc_server_stopping(r->srv);
	struct tc_jw *w = tc_reply_begin(r);

	tc_jw_obj(w);
	tc_jw_kstr(w, "status", !up ? "unavailable" : stopping ? "stopping" : "ok");
	tc_jw_kstr(w, "database", tc_db_kind_name(db));
	if (up)
		tc_jw_kint(w, "schema", version);
	tc_jw_end(w);
	return tc_reply_end(r, up && !stopping ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE);
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
