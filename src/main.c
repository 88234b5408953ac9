/* tiemchung: the national COVID-19 vaccination management platform.
 * One binary, git-style subcommands. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "crypto/secret.h"
#include "db/db.h"

static const char usage[] =
	"usage: tiemchung <command> [options]\n"
	"\n"
	"commands:\n"
	"  serve        serve the API and the web pages\n"
	"  migrate      create or upgrade the schema; load administrative units\n"
	"  backup FILE  copy a live SQLite database into FILE (a consistent snapshot)\n"
	"  seed-demo    add demo facilities and staff accounts, and print them\n"
	"  user add USERNAME --role ROLE (--unit CODE | --facility ID)\n"
	"               add a staff account; the password is read from standard input\n"
	"  import citizens|doses FILE\n"
	"               import people, or doses given elsewhere, from a CSV, XLSX or\n"
	"               XLS file (resumable)\n"
	"  stock check  prove every stock balance equals the ledger of movements\n"
	"  stock sweep  write off doses left in opened vials past their hours\n"
	"  stats rebuild\n"
	"               recompute the dose and coverage counters from the doses\n"
	"\n"
	"every command that touches data takes --db PATH|postgresql://...\n"
	"(default $TIEMCHUNG_DB, else data/tiemchung.db).\n"
	"'tiemchung <command> --help' describes a command's options.\n"
	"\n"
	"  --help       this text\n"
	"  --version    the program's version and schema versions\n";

const char *tc_cli_default_db(void)
{
	const char *v = getenv("TIEMCHUNG_DB");
	return v && *v ? v : "data/tiemchung.db";
}

const char *tc_cli_default_data(void)
{
	const char *v = getenv("TIEMCHUNG_DATA");
	return v && *v ? v : "data";
}

struct tc_db *tc_cli_open(const char *where)
{
	struct tc_db_options opt = {.no_writer = true, .readers = 2};
	char *why = NULL;
	struct tc_db *db = tc_db_open(where, &opt, &why);

	if (db == NULL) {
		fprintf(stderr, "tiemchung: %s\n", why ? why : "cannot open the database");
		free(why);
	}
	return db;
}

struct tc_db *tc_cli_open_current(const char *where, const char *cmd)
{
	struct tc_fault f = {0};
	struct tc_db *db = tc_cli_open(where);

	if (db && tc_db_check_schema(db, &f) != TC_ERR_OK) {
		fprintf(stderr, "tiemchung %s: %s\n", cmd, f.message ? f.message : tc_err_message(f.code));
		tc_db_close(db);
		db = NULL;
	}
	return db;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (cmd == NULL || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		fputs(usage, cmd ? stdout : stderr);
		return cmd ? 0 : 2;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("tiemchung %s\n", TC_VERSION);
		return 0;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (tc_secret_init() != 0) {
		fputs("tiemchung: cannot initialise libsodium\n", stderr);
		return 1;
	}
	if (strcmp(cmd, "serve") == 0)
		return tc_cmd_serve(argc - 1, argv + 1);
	if (strcmp(cmd, "migrate") == 0)
		return tc_cmd_migrate(argc - 1, argv + 1);
	if (strcmp(cmd, "backup") == 0)
		return tc_cmd_backup(argc - 1, argv + 1);
	if (strcmp(cmd, "seed-demo") == 0)
		return tc_cmd_seed_demo(argc - 1, argv + 1);
	if (strcmp(cmd, "user") == 0)
		return tc_cmd_user(argc - 1, argv + 1);
	if (strcmp(cmd, "import") == 0)
		return tc_cmd_import(argc - 1, argv + 1);
	if (strcmp(cmd, "stock") == 0)
		return tc_cmd_stock(argc - 1, argv + 1);
	if (strcmp(cmd, "stats") == 0)
		return tc_cmd_stats(argc - 1, argv + 1);
	fprintf(stderr, "tiemchung: unknown command '%s'\n\n%s", cmd, usage);
	return 2;
}
