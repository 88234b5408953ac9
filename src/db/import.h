/* Imports of citizens from CSV, XLSX and old XLS files: how sites and
 * communes actually deliver lists. The file is read as a stream (a
 * million rows need little memory); every row is accepted (a new
 * record), unchanged (already on file, identical), or rejected with the
 * field and the reason; accepted rows are committed in batches together
 * with the job's counters and the last row they cover, so a job cut off
 * resumes where it stopped and a file imported twice adds nobody twice.
 * A row whose document number is on file with different data is
 * rejected as a conflict naming the fields, never overwritten.
 *
 * Columns are found by their header, in English or Vietnamese, in any
 * order (docs/import.md): id_type / Loại giấy tờ, id_number / Số
 * CCCD/CMND, full_name / Họ và tên, birth_date / Ngày sinh, gender /
 * Giới tính, phone / Số điện thoại, commune_code / Mã xã, address / Địa
 * chỉ, nationality / Quốc tịch, priority_group / Nhóm ưu tiên. */
#ifndef TC_IMPORT_H
#define TC_IMPORT_H

#include <stdbool.h>

#include "../core/jw.h"
#include "../domain/access.h"
#include "db.h"

struct tc_importer;
struct tc_vaxref;

struct tc_import_opts {
	/* "citizens" (NULL too), or "doses": a list of doses given elsewhere
	 * (docs/import.md), each person found or added and each dose recorded
	 * like POST /api/v1/doses, with `ref`'s products and schedules */
	const char *kind;
	const struct tc_vaxref *ref;
	const char *path;      /* the file to read */
	const char *file_name; /* as the user named it (NULL: the path's) */
	const char *encoding;  /* CSV only; NULL: detect */
	const struct tc_actor *actor;
	int batch; /* rows per commit; 0: 2000 */
	/* After every committed batch and at the end; may be NULL. */
	void (*progress)(void *cls, const struct tc_import *job);
	/* Polled between batches: true stops early, the job stays resumable. */
	bool (*should_stop)(void *cls);
	void *cls;
};

/* Opens the file, hashes it, reads and checks its header, and creates the
 * job, or takes up the unfinished job of the same file in the same
 * jurisdiction. Faults name the field "file" (unreadable, not a table, a
 * required column missing) or "encoding"; their text lives in `a`. */
tc_err tc_import_open(struct tc_db *db, const struct tc_import_opts *o,
                      struct tc_importer **out, struct tc_arena *a, struct tc_fault *f);
/* The job as it stands (valid until tc_import_close). */
const struct tc_import *tc_import_job(const struct tc_importer *im);
/* Reads every row and commits them batch by batch, then marks the job
 * done, or failed with the reason (a malformed file, the database gone). */
tc_err tc_import_run(struct tc_importer *im, struct tc_fault *f);
void tc_import_close(struct tc_importer *im);

/* The JSON of GET /api/v1/imports/{id} and of `import --json`. */
void tc_jw_import(struct tc_jw *w, const struct tc_import *j);
/* The rejected rows as CSV: the file's own columns, then "row" and
 * "reason". Appends to `out`. */
tc_err tc_import_rejects_csv(struct tc_dbc *c, const struct tc_import *j, struct tc_buf *out,
                             struct tc_fault *f);

#endif
