/* tiemchung seed-demo: demo facilities in Hà Nội and one staff account per
 * role, so a fresh install can be tried at once. Safe to run again. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/arena.h"
#include "../core/tctime.h"
#include "../db/records.h"
#include "cli.h"

static const char usage[] =
	"usage: tiemchung seed-demo [--db PATH|URL]\n"
	"Adds demo facilities (Hà Nội, Ba Đình) and one staff account per role,\n"
	"all with the password in $TIEMCHUNG_DEMO_PASSWORD (default\n"
	"'tiemchung-demo'), and prints them. Run 'tiemchung migrate' first.\n"
	"Existing records are left as they are. Not for production.\n";

static const struct demo_facility {
	const char *kind, *name, *unit, *address;
	int capacity;
} facilities[] = {
	{"national_warehouse", "Kho vắc xin quốc gia", "VN", "Hà Nội", 0},
	{"provincial_warehouse", "Kho vắc xin Hà Nội", "01", "Hà Nội", 0},
	{"district_centre", "Trung tâm Y tế quận Ba Đình", "001", "Quận Ba Đình, Hà Nội", 0},
	{"vaccination_site", "Trạm Y tế phường Phúc Xá", "00001",
	 "Phường Phúc Xá, Quận Ba Đình, Hà Nội", 300},
	{"vaccination_site", "Điểm tiêm Nhà văn hóa quận Ba Đình", "001",
	 "Quận Ba Đình, Hà Nội", 1200},
};

/* site = index into facilities for facility-scoped accounts, else -1 */
static const struct demo_user {
	const char *username, *role, *unit;
	int site;
	const char *what;
} users[] = {
	{"admin", "national_admin", "VN", -1, "Bộ Y tế (cả nước)"},
	{"hanoi", "province_health", "01", -1, "Sở Y tế Hà Nội"},
	{"badinh", "district_centre", "001", -1, "TTYT quận Ba Đình"},
	{"phucxa.manager", "site_manager", NULL, 3, "Trạm Y tế phường Phúc Xá"},
	{"phucxa.staff", "site_staff", NULL, 3, "Trạm Y tế phường Phúc Xá"},
	{"phucxa.officer", "commune_officer", "00001", -1, "Phường Phúc Xá"},
	{"mcc", "mcc_agent", "VN", -1, "Tổng đài hỗ trợ (cả nước)"},
	{"viewer", "viewer", "VN", -1, "Ban chỉ đạo quốc gia"},
};

struct fac_job {
	const struct demo_facility *d;
	struct tc_facility f;
	struct tc_arena *a;
};

static tc_err fac_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct fac_job *j = cls;
	struct tc_unit u;
	enum tc_qs qs = tc_q_facility_by_name(c, j->d->unit, j->d->name, j->a, &j->f);

	if (qs == TC_QS_ONE)
		return TC_ERR_OK;
	if (qs < 0)
		return tc_qs_err(qs, f);
	qs = tc_q_unit_get(c, j->d->unit, j->a, &u);
	if (qs != TC_QS_ONE)
		return tc_fault_set(f, TC_ERR_NOT_FOUND, "unit",
		                    "administrative units are missing: run migrate");
	j->f = (struct tc_facility){.kind = j->d->kind,
	                            .name = j->d->name,
	                            .unit_code = j->d->unit,
	                            .address = j->d->address,
	                            .daily_capacity = j->d->capacity,
	                            .active = true,
	                            .created_at = tc_now_us()};
	qs = tc_q_facility_insert(c, u.path, &j->f, j->a);
	if (qs < 0)
		return tc_qs_err(qs, f);
	return tc_audit_record(c, &tc_cli_actor, "create", "facility",
	                       tc_arena_printf(j->a, "%lld", (long long)j->f.id),
	                       j->f.scope_path, NULL, tc_facility_json(&j->f, j->a), f);
}

int tc_cmd_seed_demo(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, 0, 'd'},
	                                     {"help", no_argument, 0, 'h'},
	                                     {0, 0, 0, 0}};
	const char *where = tc_cli_default_db();
	const char *password = getenv("TIEMCHUNG_DEMO_PASSWORD");
	int64_t ids[sizeof(facilities) / sizeof(facilities[0])];
	struct tc_fault f = {0};
	struct tc_arena a;
	struct tc_db *db;
	int ch, status = 0;

	if (password == NULL || *password == '\0')
		password = "tiemchung-demo";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': where = optarg; break;
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
	if (tc_db_check_schema(db, &f) != TC_ERR_OK) {
		fprintf(stderr, "tiemchung seed-demo: %s\n", f.message);
		tc_db_close(db);
		return 1;
	}
	tc_arena_init(&a);
	puts("Demo facilities:");
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
		struct fac_job j = {.d = &facilities[i], .a = &a};
		if (tc_db_run(db, fac_run, &j, &f) != TC_ERR_OK) {
			fprintf(stderr, "tiemchung seed-demo: %s: %s\n", facilities[i].name,
			        f.message ? f.message : tc_err_message(f.code));
			status = 1;
			goto out;
		}
		ids[i] = j.f.id;
		printf("  %4lld  %-22s %s\n", (long long)j.f.id, j.f.kind, j.f.name);
	}
	printf("\nDemo accounts (password: %s):\n", password);
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		const struct demo_user *u = &users[i];
		int rc = tc_cli_add_user(db, u->username, password, u->role, u->unit,
		                         u->site >= 0 ? (long long)ids[u->site] : 0, true);
		if (rc == 1) {
			status = 1;
			goto out;
		}
		printf("  %-15s %-16s %s%s\n", u->username, u->role, u->what,
		       rc == -1 ? " (already there)" : "");
	}
out:
	tc_arena_cleanup(&a);
	tc_db_close(db);
	return status;
}
