/* tiemchung backup FILE [--db PATH] */
#include <getopt.h>
#include <stdio.h>

#include "../core/arena.h"
#include "../db/db.h"
#include "cli.h"

static const char usage[] =
	"usage: tiemchung backup FILE [--db PATH]\n"
	"Copies a SQLite database into FILE with SQLite's online backup API: a\n"
	"consistent snapshot, safe while the server is writing. FILE must not\n"
	"exist. For PostgreSQL use pg_dump or pg_basebackup (README.md).\n";

int tc_cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, 0, 'd'},
	                                     {"help", no_argument, 0, 'h'},
	                                     {0, 0, 0, 0}};
	const char *where = tc_cli_default_db();
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
	db = tc_cli_open(where);
	if (db == NULL)
		return 1;
	tc_arena_init(&a);
	if (tc_db_backup(db, argv[optind], &f, &a) != TC_ERR_OK) {
		fprintf(stderr, "tiemchung backup: %s\n",
		        f.message ? f.message : tc_err_message(f.code));
		status = 1;
	} else {
		printf("backed up %s to %s\n", where, argv[optind]);
	}
	tc_arena_cleanup(&a);
	tc_db_close(db);
	return status;
}
