/* tiemchung stats rebuild [--db PATH|URL] [--data DIR] */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../core/arena.h"
#include "../db/visits.h"
#include "cli.h"

static const char usage[] =
        "usage: tiemchung stats rebuild [--db PATH|URL] [--data DIR]\n"
        "rebuild: recomputes every dose and coverage counter from the doses,\n"
        "         replaces the kept ones, prints the doses counted and every\n"
        "         difference found; exits 1 if there was one.\n"
        "  --db    database (default $TIEMCHUNG_DB, else data/tiemchung.db)\n"
        "  --data  reference data directory (default $TIEMCHUNG_DATA, else data)\n";

struct rebuild_job {
	struct tc_arena *a;
	const char *data_dir;
	int64_t doses, differences;
	char *report;
};

/* The schedule's reference data as the server reads it, then the rebuild,
 * in one write job: one consistent state, no dose committing half-way. */
static tc_err rebuild_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct rebuild_job *j = cls;
	struct tc_vaxref ref;
	tc_err rc = tc_vaxref_load(c, j->data_dir, j->a, &ref, f);

	if (rc != TC_ERR_OK)
		return rc;
	return tc_stats_rebuild(c, &ref, j->a, &j->doses, &j->differences, &j->report, f);
}

int tc_cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, 0, 'd' },
		                              { "data", required_argument, 0, 'D' },
		                              { "help", no_argument, 0, 'h' },
		                              { 0, 0, 0, 0 } };
	const char *where = tc_cli_default_db(), *data = tc_cli_default_data();
	struct tc_fault f = { 0 };
	struct tc_arena a;
	struct tc_db *db;
	int ch, status = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': where = optarg; break;
		case 'D': data = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 1 || strcmp(argv[optind], "rebuild") != 0) {
		fputs(usage, stderr);
		return 2;
	}
	db = tc_cli_open_current(where, "stats");
	if (db == NULL)
		return 1;
	tc_arena_init(&a);
	struct rebuild_job j = { .a = &a, .data_dir = data };
	if (tc_db_run(db, rebuild_run, &j, &f) != TC_ERR_OK) {
		fprintf(stderr, "tiemchung stats rebuild: %s\n",
		        f.message ? f.message : tc_err_message(f.code));
		status = 1;
	} else {
		if (j.report)
			fputs(j.report, stdout);
		printf("%lld doses, %lld differences: %s\n", (long long)j.doses,
		       (long long)j.differences,
		       j.differences ? "the kept counters DIFFERED and were replaced"
		                     : "every counter agrees with the doses");
		status = j.differences ? 1 : 0;
	}
	tc_arena_cleanup(&a);
	tc_db_close(db);
	return status;
}
