/* tiemchung stock check|sweep [--db PATH|URL] */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/tctime.h"
#include "../db/stock.h"
#include "cli.h"

static const char usage[] =
	"usage: tiemchung stock check [--db PATH|URL]\n"
	"       tiemchung stock sweep [--db PATH|URL]\n"
	"check: recomputes every stock balance (each facility and lot, each\n"
	"       transfer line in transit) from the ledger of movements and compares;\n"
	"       prints the counts and every difference; exits 1 if there is one.\n"
	"sweep: writes off the doses left in opened multi-dose vials past their\n"
	"       usable hours (the server does this every minute by itself).\n";

struct check_job {
	struct tc_arena *a;
	int64_t balances, movements, problems;
	char *report;
};

/* Run as a write job so that it sees one consistent state, with no
 * movement committing half-way through the sums. */
static tc_err check_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct check_job *j = cls;
	return tc_stock_check(c, j->a, &j->balances, &j->movements, &j->problems, &j->report,
	                      f);
}

static tc_err sweep_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct tc_stock_by by = {.actor_id = 0, .now = tc_now_us()};
	return tc_stock_sweep(c, &by, 0, cls, f);
}

int tc_cmd_stock(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, 0, 'd'},
	                                     {"help", no_argument, 0, 'h'},
	                                     {0, 0, 0, 0}};
	const char *where = tc_cli_default_db(), *what;
	struct tc_fault f = {0};
	struct tc_arena a;
	struct tc_db *db;
	int ch, status = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': where = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	what = argv[optind];
	if (strcmp(what, "check") != 0 && strcmp(what, "sweep") != 0) {
		fprintf(stderr, "tiemchung stock: unknown subcommand '%s'\n%s", what, usage);
		return 2;
	}
	db = tc_cli_open_current(where, "stock");
	if (db == NULL)
		return 1;
	tc_arena_init(&a);
	if (strcmp(what, "check") == 0) {
		struct check_job j = {.a = &a};
		if (tc_db_run(db, check_run, &j, &f) != TC_ERR_OK) {
			fprintf(stderr, "tiemchung stock check: %s\n",
			        f.message ? f.message : tc_err_message(f.code));
			status = 1;
		} else {
			if (j.report)
				fputs(j.report, stdout);
			printf("%lld balances, %lld movements: %s\n", (long long)j.balances,
			       (long long)j.movements,
			       j.problems ? "the balances DIFFER from the ledger"
			                  : "every balance equals its movements");
			status = j.problems ? 1 : 0;
		}
	} else {
		int64_t wasted = 0;
		if (tc_db_run(db, sweep_run, &wasted, &f) != TC_ERR_OK) {
			fprintf(stderr, "tiemchung stock sweep: %s\n",
			        f.message ? f.message : tc_err_message(f.code));
			status = 1;
		} else {
			printf("%lld doses in expired open vials written off\n", (long long)wasted);
		}
	}
	tc_arena_cleanup(&a);
	tc_db_close(db);
	return status;
}
