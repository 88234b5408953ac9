/* Imports of spreadsheets: jobs, rejected rows, and the lookups an import
 * makes to recognise people already on file. */
#include "../core/arena.h"
#include "dbi.h"

#define JOB_COLS                                                                   \
	"id, kind, file_name, file_sha256, format, encoding, header, status, rows,"   \
	" accepted, rejected, unchanged, last_row, progress, error, scope_path,"      \
	" created_by, created_at, updated_at, runner"

static struct tc_sql q_insert = TC_SQL(
	"INSERT INTO import_jobs (kind, file_name, file_sha256, format, encoding, header,"
	" status, scope_path, created_by, created_at, updated_at, runner)"
	" VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $8, $9, $9, $10) RETURNING id");
static struct tc_sql q_get = TC_SQL("SELECT " JOB_COLS " FROM import_jobs WHERE id = $1");
static struct tc_sql q_unfinished = TC_SQL(
	"SELECT " JOB_COLS " FROM import_jobs WHERE file_sha256 = $1 AND scope_path = $2"
	" AND status = 'running' ORDER BY id DESC LIMIT 1");
static struct tc_sql q_update = TC_SQL(
	"UPDATE import_jobs SET status = $2, rows = $3, accepted = $4, rejected = $5,"
	" unchanged = $6, last_row = $7, progress = $8, error = $9, updated_at = $10"
	" WHERE id = $1 AND runner = $11");
static struct tc_sql q_claim = TC_SQL(
	"UPDATE import_jobs SET runner = $2, updated_at = $4 WHERE id = $1"
	" AND status = 'running' AND updated_at < $3");
static struct tc_sql q_list = TC_SQL(
	"SELECT " JOB_COLS " FROM import_jobs WHERE " TC_SCOPE_UNDER("scope_path", "$2", "$3")
	" ORDER BY id DESC LIMIT $4 OFFSET $5");
static struct tc_sql q_reject_add = TC_SQL(
	"INSERT INTO import_rejects (job_id, row_no, field, reason, cells)"
	" VALUES ($1, $2, $3, $4, $5) ON CONFLICT (job_id, row_no) DO NOTHING");
static struct tc_sql q_rejects = TC_SQL(
	"SELECT row_no, field, reason, cells FROM import_rejects WHERE job_id = $1"
	" AND row_no > $2 ORDER BY row_no LIMIT $3");

#define CIT_COLS_C                                                                     \
	"c.id, c.id_type, c.id_number, c.full_name, c.family_name, c.given_name,"      \
	" c.name_key, c.last_word_key, c.birth_date, c.birth_year, c.gender, c.phone," \
	" c.commune_code, c.address, c.nationality, c.priority_group, c.guardian_id,"  \
	" c.scope_path, c.verification, c.flags, c.qr_token, c.source, c.version,"      \
	" c.created_at, c.updated_at, c.created_by"
static struct tc_sql q_by_doc = TC_SQL(
	"SELECT " CIT_COLS_C " FROM citizen_documents d JOIN citizens c ON c.id = d.citizen_id"
	" WHERE d.doc_key = $1");
static struct tc_sql q_undocumented = TC_SQL(
	"SELECT " CIT_COLS_C " FROM citizens c WHERE c.name_key = $1 AND c.birth_date = $2"
	" AND c.commune_code = $3 AND c.id_type = 'none' LIMIT 1");

static void fill_job(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_import *j = item;
	j->id = tc_row_i64(r, 0);
	j->kind = tc_row_text(r, 1, a);
	j->file_name = tc_row_text(r, 2, a);
	j->file_sha256 = tc_row_text(r, 3, a);
	j->format = tc_row_text(r, 4, a);
	j->encoding = tc_row_text(r, 5, a);
	j->header = tc_row_text(r, 6, a);
	j->status = tc_row_text(r, 7, a);
	j->rows = tc_row_i64(r, 8);
	j->accepted = tc_row_i64(r, 9);
	j->rejected = tc_row_i64(r, 10);
	j->unchanged = tc_row_i64(r, 11);
	j->last_row = tc_row_i64(r, 12);
	j->progress = tc_row_i64(r, 13);
	j->error = tc_row_text(r, 14, a);
	j->scope_path = tc_row_text(r, 15, a);
	j->created_by = tc_row_i64(r, 16);
	j->created_at = tc_row_time(r, 17);
	j->updated_at = tc_row_time(r, 18);
	j->runner = tc_row_text(r, 19, a);
}

enum tc_qs tc_q_import_insert(struct tc_dbc *c, struct tc_import *j)
{
	struct tc_dbv p[] = {TC_P_TEXT(j->kind),       TC_P_TEXT(j->file_name),
	                     TC_P_TEXT(j->file_sha256), TC_P_TEXT(j->format),
	                     TC_P_TEXT(j->encoding),   TC_P_TEXT(j->header),
	                     TC_P_TEXT(j->scope_path), TC_P_ID(j->created_by),
	                     TC_P_TIME(j->created_at), TC_P_TEXT(j->runner)};
	return tc_exec(c, &q_insert, p, 10, tc_rows_i64, &j->id);
}

enum tc_qs tc_q_import_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                           struct tc_import *out)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	struct tc_row_into o = {a, out, fill_job};
	return tc_exec(c, &q_get, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_import_unfinished(struct tc_dbc *c, const char *sha256, const char *scope,
                                  struct tc_arena *a, struct tc_import *out)
{
	struct tc_dbv p[] = {TC_P_TEXT(sha256), TC_P_TEXT(scope)};
	struct tc_row_into o = {a, out, fill_job};
	return tc_exec(c, &q_unfinished, p, 2, tc_rows_one, &o);
}

enum tc_qs tc_q_import_update(struct tc_dbc *c, const struct tc_import *j)
{
	struct tc_dbv p[] = {TC_P_I64(j->id),        TC_P_TEXT(j->status),
	                     TC_P_I64(j->rows),      TC_P_I64(j->accepted),
	                     TC_P_I64(j->rejected),  TC_P_I64(j->unchanged),
	                     TC_P_I64(j->last_row),  TC_P_I64(j->progress),
	                     TC_P_TEXT(j->error),    TC_P_TIME(j->updated_at),
	                     TC_P_TEXT(j->runner)};
	return tc_exec(c, &q_update, p, 11, NULL, NULL);
}

enum tc_qs tc_q_import_claim(struct tc_dbc *c, int64_t id, const char *runner,
                             int64_t stale_before, int64_t now)
{
	struct tc_dbv p[] = {TC_P_I64(id), TC_P_TEXT(runner), TC_P_TIME(stale_before),
	                     TC_P_TIME(now)};
	return tc_exec(c, &q_claim, p, 4, NULL, NULL);
}

enum tc_qs tc_q_imports_list(struct tc_dbc *c, const char *scope, struct tc_page page,
                             struct tc_arena *a, struct tc_import **out, size_t *n)
{
	const char *lo, *hi;
	tc_scope_range(a, scope, &lo, &hi);
	struct tc_dbv p[] = {TC_P_TEXT(scope), TC_P_TEXT(lo), TC_P_TEXT(hi),
	                     TC_P_I64(page.limit), TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_import), .fill = fill_job};
	enum tc_qs qs = tc_exec(c, &q_list, p, 5, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

enum tc_qs tc_q_import_reject_add(struct tc_dbc *c, int64_t job_id,
                                  const struct tc_import_reject *r)
{
	struct tc_dbv p[] = {TC_P_I64(job_id), TC_P_I64(r->row_no), TC_P_TEXT(r->field),
	                     TC_P_TEXT(r->reason), TC_P_TEXT(r->cells)};
	return tc_exec(c, &q_reject_add, p, 5, NULL, NULL);
}

static void fill_reject(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_import_reject *x = item;
	x->row_no = tc_row_i64(r, 0);
	x->field = tc_row_text(r, 1, a);
	x->reason = tc_row_text(r, 2, a);
	x->cells = tc_row_text(r, 3, a);
}

enum tc_qs tc_q_import_rejects(struct tc_dbc *c, int64_t job_id, int64_t after,
                               int64_t limit, struct tc_arena *a,
                               struct tc_import_reject **out, size_t *n)
{
	struct tc_dbv p[] = {TC_P_I64(job_id), TC_P_I64(after), TC_P_I64(limit)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_import_reject),
	                            .fill = fill_reject};
	enum tc_qs qs = tc_exec(c, &q_rejects, p, 3, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

enum tc_qs tc_q_citizen_by_document(struct tc_dbc *c, const char *doc_key,
                                    struct tc_arena *a, struct tc_citizen *out)
{
	struct tc_dbv p[] = {TC_P_TEXT(doc_key)};
	struct tc_row_into o = {a, out, tc_fill_citizen};
	return tc_exec(c, &q_by_doc, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_citizen_undocumented(struct tc_dbc *c, const char *name_key,
                                     const char *birth_date, const char *commune_code,
                                     struct tc_arena *a, struct tc_citizen *out)
{
	struct tc_dbv p[] = {TC_P_TEXT(name_key), TC_P_TEXT(birth_date),
	                     TC_P_TEXT(commune_code)};
	struct tc_row_into o = {a, out, tc_fill_citizen};
	return tc_exec(c, &q_undocumented, p, 3, tc_rows_one, &o);
}
