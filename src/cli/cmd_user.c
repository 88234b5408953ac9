/* tiemchung user add USERNAME --role ROLE (--unit CODE | --facility ID) */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "../core/arena.h"
#include "../core/tctime.h"
#include "../crypto/secret.h"
#include "../db/records.h"
#include "cli.h"

static const char usage[] =
	"usage: tiemchung user add USERNAME --role ROLE (--unit CODE | --facility ID)\n"
	"                          [--db PATH|URL]\n"
	"Adds a staff account. The password (10-128 characters) is read from\n"
	"standard input: typed without echo at a terminal, or the first line of\n"
	"a pipe. Roles and where they belong:\n"
	"  national_admin   --unit VN          province_health  --unit <province>\n"
	"  district_centre  --unit <district>  commune_officer  --unit <commune>\n"
	"  site_manager, site_staff            --facility <id>\n"
	"  mcc_agent        --unit VN, a province or a district\n"
	"  viewer           any --unit or --facility\n";

struct add {
	struct tc_user u;
	struct tc_arena *a;
};

static tc_err add_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct add *ad = cls;
	return tc_staff_insert(c, &tc_cli_actor, &ad->u, ad->a, f);
}

int tc_cli_add_user(struct tc_db *db, const char *username, const char *password,
                    const char *role_text, const char *unit, long long facility,
                    bool exists_ok)
{
	struct tc_fault f = {0};
	struct tc_arena a;
	struct tc_place place;
	struct tc_dbc *c;
	struct add ad;
	enum tc_role role;
	char hash[TC_PWHASH_LEN];
	int status = 1;
	tc_err rc;

	tc_arena_init(&a);
	if (tc_staff_check_username(username, &f) != TC_ERR_OK ||
	    tc_staff_check_password(password, &f) != TC_ERR_OK)
		goto out;
	if (!tc_role_parse(role_text, &role)) {
		tc_fault_set(&f, TC_ERR_INVALID_FIELD, "role", "unknown role");
		goto out;
	}
	c = tc_db_acquire(db);
	if (c == NULL) {
		tc_fault_set(&f, TC_ERR_DB, NULL, "cannot read the database");
		goto out;
	}
	struct tc_user existing;
	enum tc_qs qs = tc_q_user_by_username(c, username, &a, &existing);
	rc = qs == TC_QS_NONE ? tc_place_resolve(c, unit, facility, &a, &place, &f)
	                      : TC_ERR_OK;
	tc_db_release(db, c);
	if (qs == TC_QS_ONE) {
		if (exists_ok) {
			status = -1;
			goto out;
		}
		tc_fault_set(&f, TC_ERR_CONFLICT, "username", "that username is already taken");
		goto out;
	}
	if (qs < 0 || rc != TC_ERR_OK)
		goto out;
	rc = tc_staff_grant_err(tc_may_grant(tc_cli_actor.role, tc_cli_actor.scope,
	                                     role, place.level, place.scope),
	                        role, facility != 0, &a, &f);
	if (rc != TC_ERR_OK)
		goto out;
	if (tc_password_hash(password, hash) != 0) {
		tc_fault_set(&f, TC_ERR_INTERNAL, NULL, "password hashing failed");
		goto out;
	}
	ad.a = &a;
	ad.u = (struct tc_user){.username = username,
	                        .password_hash = hash,
	                        .role = tc_role_name(role),
	                        .unit_code = place.unit_code,
	                        .facility_id = place.facility_id,
	                        .scope_path = place.scope,
	                        .active = true,
	                        .created_at = tc_now_us()};
	if (tc_db_run(db, add_run, &ad, &f) != TC_ERR_OK)
		goto out;
	status = 0;
out:
	if (status == 1)
		fprintf(stderr, "tiemchung user add: %s%s%s\n", f.field ? f.field : "",
		        f.field ? ": " : "", f.message ? f.message : tc_err_message(f.code));
	tc_arena_cleanup(&a);
	return status;
}

static char *read_password(void)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		fputs("password: ", stderr);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

int tc_cmd_user(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, 0, 'd'},
	                                     {"role", required_argument, 0, 'r'},
	                                     {"unit", required_argument, 0, 'u'},
	                                     {"facility", required_argument, 0, 'f'},
	                                     {"help", no_argument, 0, 'h'},
	                                     {0, 0, 0, 0}};
	const char *where = tc_cli_default_db(), *role = NULL, *unit = NULL;
	long long facility = 0;
	struct tc_db *db;
	char *password;
	int ch, status;

	if (argc < 2 || strcmp(argv[1], "add") != 0) {
		fputs(usage, argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
		return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	argc--;
	argv++;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': where = optarg; break;
		case 'r': role = optarg; break;
		case 'u': unit = optarg; break;
		case 'f': {
			char *end;
			facility = strtoll(optarg, &end, 10);
			if (*end || facility <= 0) {
				fputs("tiemchung user add: --facility takes a facility id\n", stderr);
				return 2;
			}
			break;
		}
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 1 || role == NULL || (unit == NULL) == (facility == 0)) {
		fputs(usage, stderr);
		return 2;
	}
	password = read_password();
	if (password == NULL) {
		fputs("tiemchung user add: no password on standard input\n", stderr);
		return 2;
	}
	db = tc_cli_open(where);
	if (db == NULL) {
		tc_wipe(password, strlen(password));
		free(password);
		return 1;
	}
	status = tc_cli_add_user(db, argv[optind], password, role, unit, facility, false);
	if (status == 0)
		printf("added %s (%s)\n", argv[optind], role);
	tc_wipe(password, strlen(password));
	free(password);
	tc_db_close(db);
	return status ? 1 : 0;
}
