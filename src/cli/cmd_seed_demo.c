/* tiemchung seed-demo: demo facilities in Hà Nội and one staff account per
 * role, so a fresh install can be tried at once. Safe to run again. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/arena.h"
#include "../domain/birthdate.h"
#include "../core/tctime.h"
#include "../db/records.h"
#include "../db/stock.h"
#include "cli.h"

static const char usage[] =
	"usage: tiemchung seed-demo [--db PATH|URL] [--stock]\n"
	"Adds demo facilities (Hà Nội, Ba Đình) and one staff account per role,\n"
	"all with the password in $TIEMCHUNG_DEMO_PASSWORD (default\n"
	"'tiemchung-demo'), and prints them. Run 'tiemchung migrate' first.\n"
	"--stock also adds three vaccine lots (lot numbers DEMO-...), received\n"
	"into the national warehouse and shipped down to the Phúc Xá site, each\n"
	"step a real movement of the stock ledger.\n"
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

/* Demo stock: lots received at the national warehouse (facility 0 of
 * the table above) and passed down the chain, keeping some at each step. */
static const struct demo_lot {
	const char *product, *lot_number;
	int expiry_days;
	int64_t received;
} lots[] = {
	{"EU/1/21/1529", "DEMO-AZ-001", 120, 50000}, /* Vaxzevria */
	{"EU/1/20/1528", "DEMO-PF-001", 60, 30000},  /* Comirnaty */
	{"BBIBP-CorV", "DEMO-VC-001", 200, 20000},   /* Vero Cell (Sinopharm) */
};

struct stock_job {
	const struct demo_lot *d;
	const int64_t *fac; /* the facilities' ids, in the table's order */
	struct tc_arena *a;
	bool existed;
};

static tc_err stock_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct stock_job *j = cls;
	struct tc_stock_by by = {.actor_id = 0, .now = tc_now_us()};
	struct tc_product_info p;
	struct tc_lot lot;
	char expiry[11];
	int64_t mv, y;
	unsigned m, d;
	enum tc_qs qs = tc_q_lot_by_number(c, j->d->product, j->d->lot_number, j->a, &lot);
	tc_err rc;

	j->existed = qs == TC_QS_ONE;
	if (qs != TC_QS_NONE)
		return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
	qs = tc_q_product_info(c, j->d->product, j->a, &p);
	if (qs != TC_QS_ONE)
		return tc_fault_set(f, TC_ERR_NOT_FOUND, "product",
		                    "vaccine products are missing: run migrate");
	tc_civil_from_days(tc_vn_day(by.now) + j->d->expiry_days, &y, &m, &d);
	snprintf(expiry, sizeof expiry, "%04lld-%02u-%02u", (long long)y, m, d);
	lot = (struct tc_lot){.product = j->d->product,
	                      .lot_number = j->d->lot_number,
	                      .expiry = expiry,
	                      .manufacturer = p.manufacturer_name ? p.manufacturer_name : p.name,
	                      .created_at = by.now};
	qs = tc_q_lot_insert(c, &lot);
	if (qs < 0)
		return tc_qs_err(qs, f);
	struct tc_receipt r = {.facility_id = j->fac[0], .lot_id = lot.id,
	                       .quantity = j->d->received, .vvm = 1, .source = "covax",
	                       .party = "COVAX Facility"};
	if ((rc = tc_stock_receipt(c, &by, &r, &mv, f)) != TC_ERR_OK)
		return rc;
	/* national -> province -> district -> site, half of it each time */
	int64_t q = j->d->received;
	for (int step = 0; step < 3; step++) {
		struct tc_transfer_item it = {.lot_id = lot.id, .shipped = q / 2};
		struct tc_transfer t = {.from_facility = j->fac[step],
		                        .to_facility = j->fac[step + 1],
		                        .items = &it,
		                        .nitems = 1,
		                        .note = "demo"};
		struct tc_arrival arr = {.lot_id = lot.id, .received = q / 2, .vvm = 1};
		struct tc_transfer got;

		if ((rc = tc_stock_ship(c, &by, &t, j->a, f)) != TC_ERR_OK ||
		    (rc = tc_stock_receive(c, &by, t.id, &arr, 1, NULL, j->a, &got, f)) != TC_ERR_OK)
			return rc;
		q /= 2;
	}
	return tc_audit_record(c, &tc_cli_actor, "create", "lot",
	                       tc_arena_printf(j->a, "%lld", (long long)lot.id), "VN", NULL,
	                       NULL, f);
}

int tc_cmd_seed_demo(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, 0, 'd'},
	                                     {"stock", no_argument, 0, 's'},
	                                     {"help", no_argument, 0, 'h'},
	                                     {0, 0, 0, 0}};
	const char *where = tc_cli_default_db();
	bool with_stock = false;
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
		case 's': with_stock = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	db = tc_cli_open_current(where, "seed-demo");
	if (db == NULL)
		return 1;
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
	if (with_stock) {
		puts("\nDemo vaccine lots (national warehouse -> Hà Nội -> Ba Đình -> Phúc Xá):");
		for (size_t i = 0; i < sizeof(lots) / sizeof(lots[0]); i++) {
			struct stock_job j = {.d = &lots[i], .fac = ids, .a = &a};
			if (tc_db_run(db, stock_run, &j, &f) != TC_ERR_OK) {
				fprintf(stderr, "tiemchung seed-demo: lot %s: %s\n",
				        lots[i].lot_number,
				        f.message ? f.message : tc_err_message(f.code));
				status = 1;
				goto out;
			}
			printf("  %-12s %-14s %lld doses%s\n", lots[i].lot_number, lots[i].product,
			       (long long)lots[i].received, j.existed ? " (already there)" : "");
		}
	}
out:
	tc_arena_cleanup(&a);
	tc_db_close(db);
	return status;
}
