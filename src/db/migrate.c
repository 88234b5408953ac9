/* Numbered migrations per engine, a schema-version table, and the load of
 * reference data (administrative units, vaccine products) at migrate
 * time. */
#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/log.h"
#include "../core/tctime.h"
#include "../io/products_csv.h"
#include "../io/units_csv.h"
#include "checklists.h"
#include "dbi.h"
#include "migrations.h"
#include "stock.h"

static struct tc_sql q_version_table =
        TC_SQL2("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,"
                " name text NOT NULL, applied_at timestamptz NOT NULL)",
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL, applied_at TEXT NOT NULL)");
static struct tc_sql q_version_get =
        TC_SQL("SELECT COALESCE(MAX(version), 0) FROM schema_version");
static struct tc_sql q_version_exists = TC_SQL2(
        "SELECT 1 FROM information_schema.tables WHERE table_schema ="
        " current_schema() AND table_name = 'schema_version'",
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
static struct tc_sql q_version_add = TC_SQL(
        "INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)");
/* Two migrate runs at once on PostgreSQL take turns. */
static struct tc_sql q_migrate_lock =
        TC_SQL2("SELECT pg_advisory_xact_lock(7215530)", "SELECT 1");
static struct tc_sql q_describe =
        TC_SQL2("SELECT table_name || '.' || column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema()",
                "SELECT m.name || '.' || p.name FROM sqlite_master m,"
                " pragma_table_info(m.name) p WHERE m.type = 'table'"
                " AND m.name NOT LIKE 'sqlite_%'");

static const struct tc_migration *migrations(const struct tc_db *db, int *count)
{
	if (db->be->kind == TC_DB_PG) {
		*count = tc_migrations_postgresql_count;
		return tc_migrations_postgresql;
	}
	*count = tc_migrations_sqlite_count;
	return tc_migrations_sqlite;
}

int tc_db_schema_latest(const struct tc_db *db)
{
	int n;
	migrations(db, &n);
	return n;
}

static int take_int(void *cls, const struct tc_dbrow *r)
{
	*(int64_t *)cls = tc_row_i64(r, 0);
	return 0;
}

tc_err tc_db_schema_version(struct tc_db *db, int *version)
{
	struct tc_dbc *c = tc_db_acquire(db);
	int64_t v = 0;
	enum tc_qs qs;

	if (c == NULL)
		return TC_ERR_DB;
	qs = tc_exec(c, &q_version_exists, NULL, 0, NULL, NULL);
	if (qs == TC_QS_ONE)
		qs = tc_exec(c, &q_version_get, NULL, 0, take_int, &v);
	tc_db_release(db, c);
	if (qs < 0)
		return TC_ERR_DB;
	*version = (int)v;
	return TC_ERR_OK;
}

tc_err tc_db_check_schema(struct tc_db *db, struct tc_fault *f)
{
	int v = 0, latest = tc_db_schema_latest(db);

	if (tc_db_schema_version(db, &v) != TC_ERR_OK)
		return tc_fault_set(f, TC_ERR_DB, NULL, "cannot read the schema version");
	if (v > latest)
		return tc_fault_set(f, TC_ERR_SCHEMA_TOO_NEW, NULL,
		                    "the database schema is newer than this program: "
		                    "run a newer tiemchung");
	if (v < latest)
		return tc_fault_set(f, TC_ERR_SCHEMA_TOO_OLD, NULL,
		                    "the database schema is older than this program: "
		                    "run 'tiemchung migrate' first");
	return TC_ERR_OK;
}

struct step {
	const struct tc_migration *m;
	int current; /* read inside the transaction */
};

static tc_err apply_one(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct step *st = cls;
	int64_t v = 0;

	if (tc_exec(c, &q_migrate_lock, NULL, 0, NULL, NULL) < 0 ||
	    tc_exec(c, &q_version_table, NULL, 0, NULL, NULL) < 0 ||
	    tc_exec(c, &q_version_get, NULL, 0, take_int, &v) < 0)
		return tc_fault_internal(f, TC_ERR_DB, "cannot read schema_version");
	st->current = (int)v;
	if (v >= st->m->version)
		return TC_ERR_OK; /* another process applied it meanwhile */
	if (v != st->m->version - 1)
		return tc_fault_internal(f, TC_ERR_DB, "migrations out of order");
	if (tc_exec_script(c, st->m->sql) != TC_QS_NONE)
		return tc_fault_internal(f, TC_ERR_DB, "migration failed");
	struct tc_dbv p[] = { TC_P_I64(st->m->version), TC_P_TEXT(st->m->name),
		              TC_P_TIME(tc_now_us()) };
	if (tc_exec(c, &q_version_add, p, 3, NULL, NULL) != TC_QS_ONE)
		return tc_fault_internal(f, TC_ERR_DB, "cannot record the migration");
	return TC_ERR_OK;
}

struct units_job {
	struct tc_unit *units;
	size_t n;
	const char *sha;
	bool loaded;
};

static tc_err load_units(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct units_job *uj = cls;
	struct tc_arena a;
	const char *have = NULL;
	enum tc_qs qs;

	tc_arena_init(&a);
	qs = tc_q_refdata_get(c, "vn-admin", &a, &have);
	if (qs >= 0 && have && strcmp(have, uj->sha) == 0) {
		tc_arena_cleanup(&a);
		return TC_ERR_OK;
	}
	tc_arena_cleanup(&a);
	for (size_t i = 0; i < uj->n; i++) {
		qs = tc_q_unit_upsert(c, &uj->units[i]);
		if (qs < 0)
			return tc_qs_err(qs, f);
	}
	qs = tc_q_refdata_set(c, "vn-admin", uj->sha, tc_now_us());
	if (qs < 0)
		return tc_qs_err(qs, f);
	uj->loaded = true;
	return TC_ERR_OK;
}

struct products_job {
	struct tc_product_info *products;
	size_t n;
	const char *sha;
	bool loaded;
};

static tc_err load_products(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct products_job *pj = cls;
	struct tc_arena a;
	const char *have = NULL;
	enum tc_qs qs;

	tc_arena_init(&a);
	qs = tc_q_refdata_get(c, "vaccine-products", &a, &have);
	bool same = qs >= 0 && have && strcmp(have, pj->sha) == 0;
	tc_arena_cleanup(&a);
	if (same)
		return TC_ERR_OK;
	for (size_t i = 0; i < pj->n; i++) {
		qs = tc_q_product_info_upsert(c, &pj->products[i]);
		if (qs < 0)
			return tc_qs_err(qs, f);
	}
	qs = tc_q_refdata_set(c, "vaccine-products", pj->sha, tc_now_us());
	if (qs < 0)
		return tc_qs_err(qs, f);
	pj->loaded = true;
	return TC_ERR_OK;
}

/* ---- SQLite: CHECK lists as comparisons (checklists.h) -------------------------- */

static struct tc_sql q_tables_sql = TC_SQL(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"
        " AND name NOT LIKE 'sqlite_%' ORDER BY name");
static struct tc_sql q_schema_cookie = TC_SQL("PRAGMA schema_version");
static struct tc_sql q_table_sql_set =
        TC_SQL("UPDATE sqlite_master SET sql = $2 WHERE type = 'table' AND name = $1");

struct table_sql {
	const char *name, *sql;
};

static void fill_table_sql(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct table_sql *t = item;
	t->name = tc_row_text(r, 0, a);
	t->sql = tc_row_text(r, 1, a);
}

struct checks_job {
	struct tc_arena *a;
	size_t rewritten;
};

/* Every table's stored definition with its CHECK lists rewritten, in one
 * transaction with SQLite's schema cookie moved on, so that every
 * connection reads the definitions again; a definition SQLite could not
 * read back fails the statement after it, and nothing is kept. */
static tc_err checks_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct checks_job *j = cls;
	struct tc_rows_into into = { .a = j->a,
		                     .size = sizeof(struct table_sql),
		                     .fill = fill_table_sql };
	int64_t cookie = 0;
	enum tc_qs qs;

	j->rewritten = 0;
	if ((qs = tc_exec(c, &q_tables_sql, NULL, 0, tc_rows_collect, &into)) < 0)
		return tc_qs_err(qs, f);
	struct table_sql *t = into.items;
	const char *why = NULL;
	for (size_t i = 0; i < into.n && !why; i++) {
		const char *sql = tc_check_lists_rewrite(t[i].sql, j->a);
		if (sql == NULL)
			continue;
		if (j->rewritten++ == 0 &&
		    (tc_exec(c, &q_schema_cookie, NULL, 0, take_int, &cookie) < 0 ||
		     tc_exec_script(c, "PRAGMA writable_schema = ON") != TC_QS_NONE)) {
			why = "cannot open the schema for writing";
			break;
		}
		struct tc_dbv p[] = { TC_P_TEXT(t[i].name), TC_P_TEXT(sql) };
		if (tc_exec(c, &q_table_sql_set, p, 2, NULL, NULL) != TC_QS_ONE)
			why = "cannot rewrite a table's definition";
	}
	if (j->rewritten == 0)
		return TC_ERR_OK;
	/* the pragma is the connection's, not the transaction's: off on every
	 * way out */
	if (tc_exec_script(c, "PRAGMA writable_schema = OFF") != TC_QS_NONE && !why)
		why = "cannot close the schema for writing";
	if (!why && (tc_exec_script(c, tc_arena_printf(j->a, "PRAGMA schema_version = %lld",
	                                               (long long)cookie + 1)) != TC_QS_NONE ||
	             tc_exec_script(c, "SELECT COUNT(*) FROM sqlite_master") != TC_QS_NONE))
		why = "the rewritten table definitions do not read";
	return why ? tc_fault_internal(f, TC_ERR_DB, why) : TC_ERR_OK;
}

static tc_err simplify_checks(struct tc_db *db, struct tc_arena *a, struct tc_fault *f)
{
	struct checks_job j = { .a = a };
	tc_err rc;

	if (tc_db_kind(db) != TC_DB_SQLITE)
		return TC_ERR_OK;
	if ((rc = tc_db_run(db, checks_run, &j, f)) != TC_ERR_OK)
		return rc;
	if (j.rewritten)
		tc_info("migrate: CHECK lists of %zu tables written as comparisons",
		        j.rewritten);
	return TC_ERR_OK;
}

tc_err tc_db_migrate(struct tc_db *db, const char *data_dir, struct tc_fault *f,
                     struct tc_arena *a)
{
	int count, v = 0;
	const struct tc_migration *ms = migrations(db, &count);
	struct units_job uj = { 0 };
	struct products_job pj = { 0 };
	tc_err rc;

	if (tc_db_schema_version(db, &v) != TC_ERR_OK)
		return tc_fault_set(f, TC_ERR_DB, NULL, "cannot read the schema version");
	if (v > count)
		return tc_fault_setf(
		        f, a, TC_ERR_SCHEMA_TOO_NEW, NULL,
		        "the database is at schema %d but this program knows "
		        "only up to %d: run a newer tiemchung",
		        v, count);
	for (int i = 0; i < count; i++) {
		struct step st = { .m = &ms[i] };
		if (ms[i].version <= v)
			continue;
		rc = tc_db_run(db, apply_one, &st, f);
		if (rc != TC_ERR_OK)
			return tc_fault_setf(f, a, rc, NULL, "migration %04d_%s failed",
			                     ms[i].version, ms[i].name);
		if (st.current < ms[i].version)
			tc_info("migrate: applied %04d_%s", ms[i].version, ms[i].name);
	}
	if ((rc = simplify_checks(db, a, f)) != TC_ERR_OK)
		return rc;
	rc = tc_units_load(tc_arena_printf(a, "%s/vn-admin", data_dir), a, &uj.units,
	                   &uj.n, &uj.sha, f);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_db_run(db, load_units, &uj, f);
	if (rc != TC_ERR_OK)
		return rc;
	if (uj.loaded)
		tc_info("migrate: loaded %zu administrative units", uj.n);
	rc = tc_products_csv_load(data_dir, a, &pj.products, &pj.n, &pj.sha, f);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_db_run(db, load_products, &pj, f);
	if (rc != TC_ERR_OK)
		return rc;
	if (pj.loaded)
		tc_info("migrate: loaded %zu vaccine products", pj.n);
	return TC_ERR_OK;
}

struct lines {
	struct tc_arena *a;
	char **items;
	size_t n, cap;
};

static int take_line(void *cls, const struct tc_dbrow *r)
{
	struct lines *l = cls;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **items = TC_NEWN(l->a, char *, cap);
		if (l->n)
			memcpy(items, l->items, l->n * sizeof(*items));
		l->items = items;
		l->cap = cap;
	}
	l->items[l->n++] = (char *)tc_row_text(r, 0, l->a);
	return 0;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

tc_err tc_db_describe(struct tc_db *db, struct tc_arena *a, char **out)
{
	struct tc_dbc *c = tc_db_acquire(db);
	struct lines l = { .a = a };
	size_t total = 1;
	enum tc_qs qs;

	if (c == NULL)
		return TC_ERR_DB;
	qs = tc_exec(c, &q_describe, NULL, 0, take_line, &l);
	tc_db_release(db, c);
	if (qs < 0)
		return TC_ERR_DB;
	qsort(l.items, l.n, sizeof(*l.items), cmp_str);
	for (size_t i = 0; i < l.n; i++)
		total += strlen(l.items[i]) + 1;
	*out = tc_arena_alloc(a, total);
	(*out)[0] = '\0';
	char *p = *out;
	for (size_t i = 0; i < l.n; i++) {
		size_t k = strlen(l.items[i]);
		memcpy(p, l.items[i], k);
		p[k] = '\n';
		p += k + 1;
	}
	*p = '\0';
	return TC_ERR_OK;
}
