/* tiemchung import citizens|doses FILE [--db PATH] [--encoding E]
 *                                       [--batch N] [--rejects FILE] [--json] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/arena.h"
#include "../core/jw.h"
#include "../core/tctime.h"
#include "../core/util.h"
#include "../db/import.h"
#include "../db/records.h"
#include "../db/visits.h"
#include "cli.h"

static const char usage[] =
	"usage: tiemchung import citizens|doses FILE [--db PATH|URL] [--encoding E]\n"
	"                      [--batch N] [--rejects OUT.csv] [--node-id N] [--json]\n"
	"Imports people, or doses given elsewhere (paper books, other systems),\n"
	"from a CSV, XLSX or old XLS file whose first row names the columns, in\n"
	"English or Vietnamese, in any order (docs/import.md):\n"
	"  citizens: id_type, id_number, full_name, birth_date, gender, phone,\n"
	"            commune_code, address, nationality, priority_group\n"
	"  doses:    the person's columns (full_name and birth_date required, the\n"
	"            others used to find or add the person), product, given_on,\n"
	"            lot_number, place, source_ref; a dose that breaks a rule of the\n"
	"            schedule is recorded all the same and listed for review\n"
	"Every row is accepted, unchanged (already on file, identical) or rejected\n"
	"with the field and the reason; accepted rows are committed in batches.\n"
	"Running it again on the same file finishes an interrupted import and adds\n"
	"nobody twice.\n"
	"  --encoding E     CSV text: utf-8, windows-1258 or tcvn3 (default: detect)\n"
	"  --batch N        rows per commit (default 20000: the command line has the\n"
	"                   writer to itself; the server commits 2000 at a time)\n"
	"  --rejects FILE   write the rejected rows (original columns, row, reason)\n"
	"  --node-id N      0..15, the part of the ids this run draws (default 15:\n"
	"                   keep 15 for the command line, servers use 0..14)\n"
	"  --json           print the import as JSON when it ends (as GET\n"
	"                   /api/v1/imports/{id} answers)\n"
	"A progress bar is drawn on a terminal. Exit status: 0 when the file was\n"
	"read to its end (even with rejected rows), 1 otherwise.\n";

struct bar {
	bool tty;
	int64_t t0;
};

static void draw(void *cls, const struct tc_import *j)
{
	struct bar *b = cls;
	double secs = (double)(tc_mono_us() - b->t0) / 1e6;
	int filled = (int)(j->progress * 30 / 1000);
	char line[31];

	if (!b->tty)
		return;
	memset(line, '#', (size_t)filled);
	memset(line + filled, '.', (size_t)(30 - filled));
	line[30] = '\0';
	fprintf(stderr, "\r[%s] %3d%%  %lld rows  %lld new  %lld unchanged  %lld rejected  %.0f rows/s ",
	        line, (int)(j->progress / 10), (long long)j->rows, (long long)j->accepted,
	        (long long)j->unchanged, (long long)j->rejected,
	        secs > 0 ? (double)j->rows / secs : 0.0);
	fflush(stderr);
}

static int write_rejects(struct tc_db *db, const struct tc_import *j, const char *path)
{
	struct tc_fault f = {0};
	struct tc_buf b;
	struct tc_dbc *c = tc_db_acquire(db);
	FILE *fp;
	int status = 0;

	if (c == NULL)
		return 1;
	tc_buf_init(&b);
	if (tc_import_rejects_csv(c, j, &b, &f) != TC_ERR_OK) {
		fprintf(stderr, "tiemchung import: cannot read the rejected rows\n");
		status = 1;
	} else if ((fp = fopen(path, "wb")) == NULL || fwrite(b.data, 1, b.len, fp) != b.len ||
	           fclose(fp) != 0) {
		fprintf(stderr, "tiemchung import: cannot write %s\n", path);
		status = 1;
	}
	tc_db_release(db, c);
	tc_buf_cleanup(&b);
	return status;
}

int tc_cmd_import(int argc, char **argv)
{
	enum { O_DB = 256, O_ENC, O_BATCH, O_REJECTS, O_JSON, O_NODE, O_HELP };
	static const struct option opts[] = {{"db", required_argument, 0, O_DB},
	                                     {"encoding", required_argument, 0, O_ENC},
	                                     {"batch", required_argument, 0, O_BATCH},
	                                     {"rejects", required_argument, 0, O_REJECTS},
	                                     {"json", no_argument, 0, O_JSON},
	                                     {"node-id", required_argument, 0, O_NODE},
	                                     {"help", no_argument, 0, O_HELP},
	                                     {0, 0, 0, 0}};
	/* Larger batches write each index page to the log once per batch
	 * rather than once per 2000 rows: the import runs about twice as fast. */
	struct tc_import_opts o = {.actor = &tc_cli_actor, .batch = 20000};
	struct tc_vaxref ref;
	const char *where = tc_cli_default_db(), *rejects = NULL;
	struct tc_db_options dbo = {.readers = 2, .node_id = 15};
	struct bar bar = {.tty = isatty(2), .t0 = tc_mono_us()};
	struct tc_importer *im = NULL;
	struct tc_fault f = {0};
	struct tc_arena a;
	struct tc_db *db;
	bool json = false;
	char *why = NULL;
	int ch, status;
	int64_t batch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case O_DB: where = optarg; break;
		case O_ENC: o.encoding = optarg; break;
		case O_BATCH:
			if (!tc_parse_i64(optarg, 1, 100000, &batch)) {
				fprintf(stderr, "tiemchung import: --batch takes 1 to 100000\n");
				return 2;
			}
			o.batch = (int)batch;
			break;
		case O_REJECTS: rejects = optarg; break;
		case O_JSON: json = true; break;
		case O_NODE:
			if (!tc_parse_i64(optarg, 0, 15, &batch)) {
				fprintf(stderr, "tiemchung import: --node-id takes 0 to 15\n");
				return 2;
			}
			dbo.node_id = (int)batch;
			break;
		case O_HELP: fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 2 ||
	    (strcmp(argv[optind], "citizens") != 0 && strcmp(argv[optind], "doses") != 0)) {
		fputs(usage, stderr);
		return 2;
	}
	o.kind = argv[optind];
	o.path = argv[optind + 1];
	o.progress = draw;
	o.cls = &bar;
	/* a writer thread: rows are read while the last batch commits */
	db = tc_db_open(where, &dbo, &why);
	if (db == NULL) {
		fprintf(stderr, "tiemchung import: %s\n", why ? why : "cannot open the database");
		free(why);
		return 1;
	}
	if (tc_db_check_schema(db, &f) != TC_ERR_OK) {
		fprintf(stderr, "tiemchung import: %s\n", f.message);
		tc_db_close(db);
		return 1;
	}
	tc_arena_init(&a);
	if (strcmp(o.kind, "doses") == 0) {
		struct tc_dbc *c = tc_db_acquire(db);
		tc_err rc = c ? tc_vaxref_load(c, tc_cli_default_data(), &a, &ref, &f)
		              : tc_fault_internal(&f, TC_ERR_DB, "no database connection");
		if (c)
			tc_db_release(db, c);
		if (rc != TC_ERR_OK) {
			fprintf(stderr, "tiemchung import: %s\n",
			        f.message ? f.message : tc_err_message(f.code));
			tc_arena_cleanup(&a);
			tc_db_close(db);
			return 1;
		}
		o.ref = &ref;
	}
	if (tc_import_open(db, &o, &im, &a, &f) != TC_ERR_OK) {
		fprintf(stderr, "tiemchung import: %s%s%s\n", f.field ? f.field : "",
		        f.field ? ": " : "", f.message ? f.message : tc_err_message(f.code));
		tc_arena_cleanup(&a);
		tc_db_close(db);
		return 1;
	}
	status = tc_import_run(im, &f) == TC_ERR_OK ? 0 : 1;
	if (bar.tty)
		fputc('\n', stderr);
	const struct tc_import *j = tc_import_job(im);
	if (status != 0)
		fprintf(stderr, "tiemchung import: %s\n",
		        j->error ? j->error : f.message ? f.message : tc_err_message(f.code));
	if (json) {
		struct tc_buf b;
		struct tc_jw w;
		tc_buf_init(&b);
		tc_jw_init(&w, &b);
		tc_jw_import(&w, j);
		puts(b.data);
		tc_buf_cleanup(&b);
	} else {
		printf("import %lld of %s: %s; %lld rows: %lld new, %lld unchanged, %lld rejected\n",
		       (long long)j->id, j->file_name, j->status, (long long)j->rows,
		       (long long)j->accepted, (long long)j->unchanged, (long long)j->rejected);
	}
	if (rejects && write_rejects(db, j, rejects) != 0)
		status = 1;
	tc_import_close(im);
	tc_arena_cleanup(&a);
	tc_db_close(db);
	return status;
}
