/* tiemchung migrate [--db WHERE] [--data DIR] */
#include <getopt.h>
#include <stdio.h>

#include "../core/arena.h"
#include "../db/db.h"
#include "cli.h"

static const char usage[] =
	"usage: tiemchung migrate [--db PATH|URL] [--data DIR]\n"
	"Applies every schema migration the database lacks, each in its own\n"
	"transaction, then loads Vietnam's administrative units from\n"
	"DIR/vn-admin/*.csv and the vaccine products from DIR/dcc-valuesets/*.json\n"
	"and DIR/vaccines/products.csv when they changed. Safe to run again.\n"
	"  --db    database (default $TIEMCHUNG_DB, else data/tiemchung.db)\n"
	"  --data  reference data directory (default $TIEMCHUNG_DATA, else data)\n";

int tc_cmd_migrate(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, 0, 'd'},
	                                     {"data", required_argument, 0, 'D'},
	                                     {"help", no_argument, 0, 'h'},
	                                     {0, 0, 0, 0}};
	const char *where = tc_cli_default_db(), *data = tc_cli_default_data();
	struct tc_fault f = {0};
	struct tc_arena a;
	struct tc_db *db;
	int ch, version = 0, status = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': where = optarg; break;
		case 'D': data = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	db = tc_cli_open(where);
	if (db == NULL)
		return 1;
	tc_arena_init(&a);
	if (tc_db_migrate(db, data, &f, &a) != TC_ERR_OK) {
		fprintf(stderr, "tiemchung migrate: %s\n",
		        f.message ? f.message : tc_err_message(f.code));
		status = 1;
	} else if (tc_db_schema_version(db, &version) == TC_ERR_OK) {
		printf("schema version %d (%s)\n", version, tc_db_kind_name(db));
	}
	tc_arena_cleanup(&a);
	tc_db_close(db);
	return status;
}
