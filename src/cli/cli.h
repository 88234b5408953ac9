/* Subcommands and what they share. */
#ifndef TC_CLI_H
#define TC_CLI_H

#include <stdbool.h>

struct tc_db;

#define TC_VERSION "0.1.0"

int tc_cmd_serve(int argc, char **argv);
int tc_cmd_migrate(int argc, char **argv);
int tc_cmd_backup(int argc, char **argv);
int tc_cmd_seed_demo(int argc, char **argv);
int tc_cmd_user(int argc, char **argv);
int tc_cmd_import(int argc, char **argv);
int tc_cmd_stock(int argc, char **argv);
int tc_cmd_stats(int argc, char **argv);

/* --db default: $TIEMCHUNG_DB, else data/tiemchung.db. */
const char *tc_cli_default_db(void);
/* --data default: $TIEMCHUNG_DATA, else data. */
const char *tc_cli_default_data(void);
/* Opens the database for a command (jobs run inline); prints why not. */
struct tc_db *tc_cli_open(const char *where);
/* The same, refusing (with the reason, as "tiemchung CMD: ...") a schema
 * that is not exactly this program's: for commands that read or write
 * data. */
struct tc_db *tc_cli_open_current(const char *where, const char *cmd);

/* Adds a staff account as the operator (national scope): the same rules
 * as POST /api/v1/users. Returns 0, 1 on a refusal (printed), or -1 when
 * the username exists and `exists_ok` is set. */
int tc_cli_add_user(struct tc_db *db, const char *username, const char *password,
                    const char *role, const char *unit, long long facility,
                    bool exists_ok);

#endif
