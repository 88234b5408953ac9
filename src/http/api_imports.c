/* Imports: POST /api/v1/imports/citizens (the file as the request body,
 * spooled to a temporary file as it arrives; ?name=FILE&encoding=E), GET /api/v1/imports, GET /api/v1/imports/{id}
 * (progress and counts), GET /api/v1/imports/{id}/rejects.csv (the
 * rejected rows with their reasons). The file is checked (format, header)
 * before the answer; its rows are then imported by a thread of their
 * own, batch by batch, while the client follows the job. */
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/log.h"
#include "../db/import.h"
#include "../db/records.h"
#include "api.h"
#include "offload.h"
#include "server.h"

#define MAX_IMPORTS 2

static enum tc_qs get_import(struct tc_dbc *c, int64_t id, struct tc_arena *a, void *out)
{
	return tc_q_import_get(c, id, a, out);
}

tc_err tc_scope_import_id(struct tc_req *r)
{
	struct tc_import *j = TC_NEW(&r->arena, struct tc_import);
	tc_err rc = tc_req_load_by_id(r, get_import, j);

	if (rc != TC_ERR_OK)
		return rc;
	r->target = j;
	r->target_scope = j->scope_path;
	return TC_ERR_OK;
}

struct runner {
	struct tc_server *srv;
	struct tc_importer *im;
	struct tc_actor actor;
	char path[256];
};

static void runner_free(struct runner *run)
{
	free((char *)run->actor.username);
	free((char *)run->actor.scope);
	free(run);
}

static bool stopping(void *cls)
{
	struct runner *run = cls;
	return tc_server_stopping(run->srv);
}

static void *run_import(void *arg)
{
	struct runner *run = arg;
	struct tc_fault f = {0};

	if (tc_import_run(run->im, &f) != TC_ERR_OK)
		tc_warn("import %lld: %s", (long long)tc_import_job(run->im)->id,
		        f.message ? f.message : tc_err_code(f.code));
	struct tc_server *srv = run->srv;
	tc_import_close(run->im);
	unlink(run->path);
	runner_free(run);
	tc_server_import_end(srv);
	return NULL;
}

static void reply_import(struct tc_req *r, unsigned status, const struct tc_import *j)
{
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "import");
	tc_jw_import(w, j);
	tc_jw_end(w);
	tc_reply_end(r, status);
}

/* On the offload pool: checks the spooled upload and creates the job
 * (hashing a large file must not hold a libmicrohttpd worker). */
struct upload {
	struct runner *run;
	struct tc_db *db;
	const char *kind; /* citizens, doses */
	const struct tc_vaxref *ref;
	const char *name, *encoding;
	tc_err rc;
	struct tc_fault fault;
	struct tc_arena *a;
};

static void upload_open(void *cls)
{
	struct upload *u = cls;
	struct runner *run = u->run;
	struct tc_import_opts o = {.kind = u->kind,
	                           .ref = u->ref,
	                           .path = run->path,
	                           .file_name = u->name ? u->name : "upload",
	                           .encoding = u->encoding,
	                           .actor = &run->actor,
	                           .should_stop = stopping,
	                           .cls = run};

	/* the request's arena is not touched by another thread meanwhile */
	u->rc = tc_import_open(u->db, &o, &run->im, u->a, &u->fault);
	if (u->rc != TC_ERR_OK)
		unlink(run->path);
}

static tc_err upload_after(struct tc_req *r)
{
	struct upload *u = r->offloaded;
	struct runner *run = u->run;
	pthread_t th;

	if (u->rc != TC_ERR_OK) {
		r->fault = u->fault;
		runner_free(run);
		tc_server_import_end(r->srv);
		return u->rc;
	}
	reply_import(r, MHD_HTTP_ACCEPTED, tc_import_job(run->im));
	if (pthread_create(&th, NULL, run_import, run) != 0)
		tc_die("cannot start an import thread");
	pthread_detach(th);
	return TC_ERR_OK;
}

/* The upload of either kind of list. */
static tc_err import_upload(struct tc_req *r, const char *kind)
{
	const char *name = tc_req_query(r, "name");
	struct upload *u = TC_NEW(&r->arena, struct upload);
	struct runner *run;
	tc_err rc;

	if (r->spool_len == 0 || r->spool_path[0] == '\0')
		return tc_fault_set(&r->fault, TC_ERR_MISSING_FIELD, "file",
		                    "send the file (CSV, XLSX or XLS) as the request body");
	if (name && (strlen(name) > 200 || strchr(name, '/')))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "name",
		                    "name is the file's name, at most 200 characters");
	if (!tc_server_import_begin(r->srv, MAX_IMPORTS))
		return tc_fault_set(&r->fault, TC_ERR_UNAVAILABLE, NULL,
		                    "two imports are running already; try again when one ends");
	run = tc_xcalloc(1, sizeof(*run));
	run->srv = r->srv;
	run->actor = r->actor;
	run->actor.username = tc_xstrdup(r->actor.username ? r->actor.username : "-");
	run->actor.scope = tc_xstrdup(r->actor.scope);
	run->actor.unit_code = NULL; /* the rest of the actor lives in the request */
	run->actor.citizen_phone = NULL;
	/* the import takes the spooled file over */
	snprintf(run->path, sizeof(run->path), "%s", r->spool_path);
	r->spool_path[0] = '\0';
	*u = (struct upload){.run = run, .db = tc_server_db(r->srv), .kind = kind,
	                     .ref = tc_server_vaxref(r->srv), .name = name,
	                     .encoding = tc_req_query(r, "encoding"), .a = &r->arena};
	r->offloaded = u;
	rc = tc_req_offload(r, upload_open, u, upload_after);
	if (rc != TC_ERR_OK) {
		unlink(run->path);
		runner_free(run);
		tc_server_import_end(r->srv);
	}
	return rc;
}

tc_err tc_api_import_citizens(struct tc_req *r)
{
	return import_upload(r, "citizens");
}

/* Doses given elsewhere: paper books, other systems (docs/import.md). */
tc_err tc_api_import_doses(struct tc_req *r)
{
	return import_upload(r, "doses");
}

tc_err tc_api_import_get(struct tc_req *r)
{
	reply_import(r, MHD_HTTP_OK, r->target);
	return TC_ERR_OK;
}

tc_err tc_api_imports_list(struct tc_req *r)
{
	struct tc_import *js;
	struct tc_page page;
	struct tc_dbc *c;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	rc = tc_req_page(r, 50, 500, &page);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_imports_list(c, r->target_scope, page, &r->arena, &js, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "imports");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		tc_jw_import(w, &js[i]);
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* The rejected rows hold personal data: the download is audited. The file
 * is built on the offload pool from a read connection (a large one must
 * hold neither a libmicrohttpd worker nor the writer); the writer only
 * records the export, and the answer waits for that record. */
struct rejects {
	struct tc_actor actor;
	const struct tc_import *job;
	struct tc_db *db;
	struct tc_buf csv;  /* built on the pool */
	const char *text;   /* then kept in the request's arena */
	size_t len;
	struct tc_arena *a;
	tc_err rc;
	struct tc_fault fault;
};

static void rejects_build(void *cls)
{
	struct rejects *x = cls;
	struct tc_dbc *c = tc_db_acquire(x->db);

	if (c == NULL) {
		x->rc = tc_fault_internal(&x->fault, TC_ERR_DB, "no database connection");
		return;
	}
	x->rc = tc_import_rejects_csv(c, x->job, &x->csv, &x->fault);
	tc_db_release(x->db, c);
}

static tc_err rejects_audit(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct rejects *x = cls;
	return tc_audit_record(c, &x->actor, "export", "import",
	                       tc_arena_printf(x->a, "%lld", (long long)x->job->id),
	                       x->job->scope_path, NULL, "{\"what\":\"rejected rows\"}", f);
}

static tc_err rejects_reply(struct tc_req *r)
{
	struct rejects *x = r->job.cls;
	tc_err rc = tc_reply_text(r, MHD_HTTP_OK, "text/csv; charset=utf-8", x->text, x->len);
	MHD_add_response_header(r->resp, "Content-Disposition",
	                        "attachment; filename=\"rejected-rows.csv\"");
	return rc;
}

static tc_err rejects_built(struct tc_req *r)
{
	struct rejects *x = r->offloaded;

	x->text = tc_arena_strndup(&r->arena, x->csv.data ? x->csv.data : "", x->csv.len);
	x->len = x->csv.len;
	tc_buf_cleanup(&x->csv);
	if (x->rc != TC_ERR_OK) {
		r->fault = x->fault;
		return x->rc;
	}
	return tc_req_write(r, rejects_audit, x, rejects_reply);
}

tc_err tc_api_import_rejects(struct tc_req *r)
{
	struct rejects *x = TC_NEW(&r->arena, struct rejects);
	tc_err rc;

	x->actor = r->actor;
	x->job = r->target;
	x->db = tc_server_db(r->srv);
	x->a = &r->arena;
	tc_buf_init(&x->csv);
	r->offloaded = x;
	rc = tc_req_offload(r, rejects_build, x, rejects_built);
	if (rc != TC_ERR_OK)
		tc_buf_cleanup(&x->csv);
	return rc;
}
