/* sqlite_loop: SQLite alone, no HTTP, on the server's filesystem.
 *
 *   sqlite_loop [-t SECONDS] [-b BATCH] [-j row|facility|facility1] [-x] DB_PATH
 *
 * Default (-b 1 -j row): the plain-C baseline for the write benchmark.
 * One-row durable transactions one after another, the way a server
 * without group commit writes: WAL, synchronous=FULL, a prepared INSERT
 * and prepared BEGIN/COMMIT, one fsync per row.
 *
 * -b BATCH -j facility: the ceiling of tiemchung's writer thread. What
 * the writer does for POST /api/v1/facilities, without HTTP: each job in
 * its own SAVEPOINT, INSERT ... RETURNING id, UPDATE of its scope path,
 * INSERT into the audit log (tables and indexes as in sql/sqlite), BATCH
 * jobs per COMMIT. -x runs SAVEPOINT/RELEASE through sqlite3_exec (parsed
 * every time, as tc_exec_script does) instead of prepared statements.
 * -j facility1 is the same job with its id and scope path set by the
 * INSERT itself (one writer: the next id is max(id) + 1), no UPDATE.
 *
 * DB_PATH is recreated and removed. The last line reads
 * "RESULT rows=... seconds=... rows_per_s=... commits=... cpu_us_per_row=...". */
#include <getopt.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static sqlite3 *db;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void check(int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "sqlite_loop: %s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
}

static sqlite3_stmt *prepare(const char *sql)
{
	sqlite3_stmt *st;
	check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL), sql);
	return st;
}

static void step(sqlite3_stmt *st, const char *what)
{
	check(sqlite3_step(st), what);
	sqlite3_reset(st);
}

static const char schema_row[] =
        "CREATE TABLE facility (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
        " name TEXT NOT NULL, unit TEXT NOT NULL, daily_capacity INTEGER,"
        " created_at TEXT NOT NULL, UNIQUE (unit, name));";

/* As sql/sqlite/0001_init.sql has them. */
static const char schema_facility[] =
        "CREATE TABLE units (code TEXT PRIMARY KEY, name TEXT NOT NULL);"
        "INSERT INTO units VALUES ('00001', 'Phuc Xa');"
        "CREATE TABLE facilities (id INTEGER PRIMARY KEY,"
        " kind TEXT NOT NULL CHECK (kind IN ('national_warehouse', "
        "'provincial_warehouse',"
        "  'district_centre', 'vaccination_site')),"
        " name TEXT NOT NULL, unit_code TEXT NOT NULL REFERENCES units (code),"
        " address TEXT, daily_capacity INTEGER NOT NULL DEFAULT 0 CHECK (daily_capacity "
        ">= 0),"
        " active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
        " scope_path TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (unit_code, name));"
        "CREATE INDEX facilities_scope ON facilities (scope_path);"
        "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor_id "
        "INTEGER,"
        " actor TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL,"
        " entity_id TEXT NOT NULL, scope_path TEXT NOT NULL, before TEXT, after TEXT);"
        "CREATE INDEX audit_entity ON audit_log (entity, entity_id, id);"
        "CREATE INDEX audit_scope ON audit_log (scope_path, id);";

static void now_text(char out[40])
{
	struct timespec ts;
	struct tm tm;
	size_t n;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 40 - n, ".%06dZ", (int)(ts.tv_nsec / 1000));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "seconds", required_argument, 0, 't' },
		                              { "batch", required_argument, 0, 'b' },
		                              { "job", required_argument, 0, 'j' },
		                              { "exec-savepoints", no_argument, 0, 'x' },
		                              { 0, 0, 0, 0 } };
	const char *path, *job = "row";
	double secs = 3, t0, t1, c0, c1;
	long batch = 1;
	bool exec_sp = false, facility, one_insert;
	long long rows = 0, commits = 0;
	char name[64], ts[40], wal[4096], shm[4096];
	int ch;

	while ((ch = getopt_long(argc, argv, "t:b:j:x", opts, NULL)) != -1) {
		switch (ch) {
		case 't': secs = atof(optarg); break;
		case 'b': batch = atol(optarg); break;
		case 'j': job = optarg; break;
		case 'x': exec_sp = true; break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || batch < 1 || secs <= 0 ||
	    (strcmp(job, "row") != 0 && strcmp(job, "facility") != 0 &&
	     strcmp(job, "facility1") != 0))
		goto usage;
	facility = strncmp(job, "facility", 8) == 0;
	one_insert = strcmp(job, "facility1") == 0;
	path = argv[optind];
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	unlink(path);
	unlink(wal);
	unlink(shm);

	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "sqlite_loop: cannot open %s\n", path);
		return 1;
	}
	check(sqlite3_exec(db,
	                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                   " PRAGMA foreign_keys=ON;",
	                   NULL, NULL, NULL),
	      "pragmas");
	check(sqlite3_exec(db, facility ? schema_facility : schema_row, NULL, NULL, NULL),
	      "schema");
	sqlite3_stmt *begin = prepare("BEGIN IMMEDIATE");
	sqlite3_stmt *commit = prepare("COMMIT");
	sqlite3_stmt *sp = prepare("SAVEPOINT job");
	sqlite3_stmt *rel = prepare("RELEASE job");
	sqlite3_stmt *ins = prepare(
	        one_insert ? "INSERT INTO facilities (id, kind, name, unit_code, address,"
	                     " daily_capacity, active, scope_path, created_at)"
	                     " VALUES ((SELECT IFNULL(MAX(id), 0) + 1 FROM facilities),"
	                     " 'vaccination_site', ?1, '00001', NULL, 100, 1,"
	                     " 'VN/01/001/00001/F' || (SELECT IFNULL(MAX(id), 0) + 1 "
	                     "FROM facilities),"
	                     " ?2) RETURNING id"
	        : facility ? "INSERT INTO facilities (kind, name, unit_code, address,"
	                     " daily_capacity, active, scope_path, created_at) VALUES"
	                     " ('vaccination_site', ?1, '00001', NULL, 100, 1,"
	                     " 'VN/01/001/00001', ?2) RETURNING id"
	                   : "INSERT INTO facility (kind, name, unit, daily_capacity,"
	                     " created_at) VALUES ('vaccination_site', ?1, '00001', 100, "
	                     "?2)");
	sqlite3_stmt *upd = facility ? prepare("UPDATE facilities SET scope_path = ?2"
	                                       " WHERE id = ?1")
	                             : NULL;
	sqlite3_stmt *aud =
	        facility ? prepare("INSERT INTO audit_log (at, actor_id, actor, action, "
	                           "entity,"
	                           " entity_id, scope_path, before, after) VALUES"
	                           " (?1, 1, 'admin', 'create', 'facility', ?2, ?3, "
	                           "NULL, ?4)")
	                 : NULL;

	t0 = now_s();
	c0 = cpu_s();
	do {
		step(begin, "BEGIN");
		for (long k = 0; k < batch; k++) {
			int n = snprintf(name, sizeof(name), "loop site %lld", rows);
			now_text(ts);
			if (facility) {
				if (exec_sp)
					check(sqlite3_exec(db, "SAVEPOINT job", NULL,
					                   NULL, NULL),
					      "SAVEPOINT");
				else
					step(sp, "SAVEPOINT");
			}
			sqlite3_bind_text(ins, 1, name, n, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, ts, -1, SQLITE_STATIC);
			if (facility) {
				char id[24], scope[64], after[512];
				check(sqlite3_step(ins), "INSERT");
				long long fid = sqlite3_column_int64(ins, 0);
				sqlite3_reset(ins);
				snprintf(id, sizeof(id), "%lld", fid);
				snprintf(scope, sizeof(scope), "VN/01/001/00001/F%lld",
				         fid);
				if (!one_insert) {
					sqlite3_bind_int64(upd, 1, fid);
					sqlite3_bind_text(upd, 2, scope, -1,
					                  SQLITE_STATIC);
					step(upd, "UPDATE");
				}
				snprintf(after, sizeof(after),
				         "{\"id\":%lld,\"kind\":\"vaccination_site\","
				         "\"name\":\"%s\","
				         "\"unit\":\"00001\",\"address\":null,\"daily_"
				         "capacity\":100,"
				         "\"active\":true,\"scope\":\"%s\",\"created_"
				         "at\":\"%s\"}",
				         fid, name, scope, ts);
				sqlite3_bind_text(aud, 1, ts, -1, SQLITE_STATIC);
				sqlite3_bind_text(aud, 2, id, -1, SQLITE_STATIC);
				sqlite3_bind_text(aud, 3, scope, -1, SQLITE_STATIC);
				sqlite3_bind_text(aud, 4, after, -1, SQLITE_STATIC);
				step(aud, "INSERT audit");
				if (exec_sp)
					check(sqlite3_exec(db, "RELEASE job", NULL, NULL,
					                   NULL),
					      "RELEASE");
				else
					step(rel, "RELEASE");
			} else {
				step(ins, "INSERT");
			}
			rows++;
		}
		step(commit, "COMMIT");
		commits++;
		t1 = now_s();
	} while (t1 - t0 < secs);
	c1 = cpu_s();

	sqlite3_stmt *all[] = { begin, commit, sp, rel, ins, upd, aud };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		sqlite3_finalize(all[i]);
	sqlite3_close(db);
	unlink(path);
	unlink(wal);
	unlink(shm);
	if (batch == 1 && !facility)
		printf("sqlite_loop: %lld one-row durable transactions in %.2f s: %.0f "
		       "rows/s\n",
		       rows, t1 - t0, (double)rows / (t1 - t0));
	else
		printf("sqlite_loop: %lld %s jobs in %lld durable commits of %ld%s in "
		       "%.2f s:"
		       " %.0f jobs/s, %.1f us CPU per job\n",
		       rows, job, commits, batch,
		       exec_sp ? " (savepoints via sqlite3_exec)" : "", t1 - t0,
		       (double)rows / (t1 - t0), (c1 - c0) * 1e6 / (double)rows);
	printf("RESULT rows=%lld seconds=%.3f rows_per_s=%.1f commits=%lld "
	       "cpu_us_per_row=%.1f\n",
	       rows, t1 - t0, (double)rows / (t1 - t0), commits,
	       (c1 - c0) * 1e6 / (double)rows);
	return 0;
usage:
	fputs("usage: sqlite_loop [-t SECONDS] [-b BATCH] [-j row|facility|facility1] "
	      "[-x]"
	      " DB_PATH\n",
	      stderr);
	return 2;
}
