/* sqlite_loop: the plain-C baseline for the write benchmark. One-row
 * durable transactions, one after another, the way a server without
 * group commit would write: WAL, synchronous=FULL, a prepared INSERT
 * and prepared BEGIN/COMMIT, one fsync per row.
 *
 *   sqlite_loop DB_PATH [SECONDS]     (default 3 s; DB_PATH is recreated)
 *
 * Put DB_PATH on the filesystem the server uses. The last line reads
 * "RESULT rows=... seconds=... rows_per_s=...". */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(sqlite3 *db, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "sqlite_loop: %s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
}

static void step(sqlite3 *db, sqlite3_stmt *st, const char *what)
{
	check(db, sqlite3_step(st), what);
	sqlite3_reset(st);
}

int main(int argc, char **argv)
{
	const char *path;
	double secs = 3, t0, t1;
	sqlite3 *db;
	sqlite3_stmt *begin, *ins, *commit;
	long long rows = 0;
	char name[64], wal[4096], shm[4096];

	if (argc < 2 || argc > 3) {
		fputs("usage: sqlite_loop DB_PATH [SECONDS]\n", stderr);
		return 2;
	}
	path = argv[1];
	if (argc == 3)
		secs = atof(argv[2]);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	unlink(path);
	unlink(wal);
	unlink(shm);

	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "sqlite_loop: cannot open %s\n", path);
		return 1;
	}
	check(db,
	      sqlite3_exec(db,
	                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                   "CREATE TABLE facility (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
	                   " name TEXT NOT NULL, unit TEXT NOT NULL, daily_capacity INTEGER,"
	                   " created_at TEXT NOT NULL, UNIQUE (unit, name));",
	                   NULL, NULL, NULL),
	      "setup");
	check(db, sqlite3_prepare_v2(db, "BEGIN", -1, &begin, NULL), "prepare");
	check(db, sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL), "prepare");
	check(db,
	      sqlite3_prepare_v2(db,
	                         "INSERT INTO facility (kind, name, unit, daily_capacity,"
	                         " created_at) VALUES ('vaccination_site', ?1, '00001', 100,"
	                         " strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
	                         -1, &ins, NULL),
	      "prepare");

	t0 = now_s();
	do {
		int n = snprintf(name, sizeof(name), "loop site %lld", rows);
		step(db, begin, "BEGIN");
		sqlite3_bind_text(ins, 1, name, n, SQLITE_STATIC);
		step(db, ins, "INSERT");
		step(db, commit, "COMMIT");
		rows++;
		t1 = now_s();
	} while (t1 - t0 < secs);

	sqlite3_finalize(begin);
	sqlite3_finalize(ins);
	sqlite3_finalize(commit);
	sqlite3_close(db);
	unlink(path);
	unlink(wal);
	unlink(shm);
	printf("sqlite_loop: %lld one-row durable transactions in %.2f s: %.0f rows/s\n",
	       rows, t1 - t0, (double)rows / (t1 - t0));
	printf("RESULT rows=%lld seconds=%.3f rows_per_s=%.1f\n", rows, t1 - t0,
	       (double)rows / (t1 - t0));
	return 0;
}
