/* The writer's log written in large pieces (src/db/walbuf.c): what a
 * connection through "tc-walbuf" commits is what another connection
 * reads after each commit, through small and large transactions, a cache
 * so small that pages spill into the log before the commit (and are read
 * back from it), savepoints rolled back over spilled pages, a whole
 * transaction rolled back, and a reopen; the database passes SQLite's
 * integrity check; the log's writes really were gathered; and syncs left
 * for another thread to make (deferred) are owed exactly once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/walbuf.h"
#include "tsupport.h"

struct fx {
	char *where;
	sqlite3 *w, *r; /* the writer (tc-walbuf), a reader (default VFS) */
};

static void exec(sqlite3 *h, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(h, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : sqlite3_errstr(rc));
	sqlite3_free(err);
}

static int64_t one(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void ok(sqlite3 *h)
{
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
}

static void open_writer(struct fx *x)
{
	assert_int_equal(sqlite3_open_v2(x->where, &x->w,
	                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                                 TC_WALBUF_VFS),
	                 SQLITE_OK);
	exec(x->w, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	           " PRAGMA wal_autocheckpoint=0;");
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof *x);
	char *dir =
	        ts_fmt("%s/walbuf-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");

	assert_int_equal(tc_walbuf_register(), SQLITE_OK);
	assert_non_null(mkdtemp(dir));
	x->where = ts_fmt("%s/t.db", dir);
	free(dir);
	open_writer(x);
	exec(x->w, "CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, v BLOB);"
	           " CREATE INDEX t_k ON t (k);");
	assert_int_equal(sqlite3_open_v2(x->where, &x->r, SQLITE_OPEN_READONLY, NULL),
	                 SQLITE_OK);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	char *dir = strdup(x->where);

	sqlite3_close(x->r);
	sqlite3_close(x->w);
	static const char *const sfx[] = { "", "-wal", "-shm" };
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		char *p = ts_fmt("%s%s", x->where, sfx[i]);
		remove(p);
		free(p);
	}
	*strrchr(dir, '/') = '\0';
	remove(dir);
	free(dir);
	free(x->where);
	free(x);
	return 0;
}

/* Inserts n rows of `size` bytes with pseudo-random keys. */
static void insert(sqlite3 *h, int n, int size, uint32_t *seed)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(
	        sqlite3_prepare_v2(h, "INSERT INTO t (k, v) VALUES (?, zeroblob(?))", -1,
	                           &st, NULL),
	        SQLITE_OK);
	for (int i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		sqlite3_bind_int64(st, 1, *seed >> 8);
		sqlite3_bind_int(st, 2, size);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
}

/* Small and large commits: after each, the reader sees every row. */
static void test_commits_seen(void **state)
{
	struct fx *x = *state;
	struct tc_walbuf_stats s0, s1;
	uint32_t seed = 1;
	int64_t rows = 0;

	tc_walbuf_stats(&s0);
	for (int i = 0; i < 300; i++) {
		/* every 50th a transaction of several MB, more than the buffer */
		int n = i % 50 == 49 ? 1500 : 1 + i % 40,
		    size = i % 50 == 49 ? 3000 : 200;
		exec(x->w, "BEGIN IMMEDIATE");
		insert(x->w, n, size, &seed);
		exec(x->w, "COMMIT");
		rows += n;
		assert_int_equal(one(x->r, "SELECT COUNT(*) FROM t"), rows);
	}
	tc_walbuf_stats(&s1);
	/* two writes a frame went in; far fewer came out */
	assert_true(s1.writes_in - s0.writes_in > 2000);
	assert_true((s1.writes_out - s0.writes_out) * 5 < s1.writes_in - s0.writes_in);
	ok(x->w);
	ok(x->r);
}

/* A cache of 20 pages: the transaction's pages spill into the log before
 * the commit and are read back from it; savepoints roll back over them. */
static void test_spill_and_savepoints(void **state)
{
	struct fx *x = *state;
	uint32_t seed = 7;

	exec(x->w, "PRAGMA cache_size=20");
	exec(x->w, "BEGIN IMMEDIATE");
	insert(x->w, 2000, 500, &seed);
	exec(x->w, "SAVEPOINT a");
	insert(x->w, 2000, 500, &seed);
	assert_int_equal(one(x->w, "SELECT COUNT(*) FROM t"), 4000);
	exec(x->w, "ROLLBACK TO a");
	exec(x->w, "RELEASE a");
	assert_int_equal(one(x->w, "SELECT COUNT(*) FROM t"), 2000);
	assert_int_equal(one(x->w, "SELECT SUM(length(v)) FROM t"), 2000 * 500);
	/* the reader still sees the table as it was */
	assert_int_equal(one(x->r, "SELECT COUNT(*) FROM t"), 0);
	exec(x->w, "COMMIT");
	assert_int_equal(one(x->r, "SELECT COUNT(*) FROM t"), 2000);

	/* a whole transaction over spilled pages, rolled back */
	exec(x->w, "BEGIN IMMEDIATE");
	insert(x->w, 3000, 500, &seed);
	exec(x->w, "UPDATE t SET k = k + 1");
	exec(x->w, "ROLLBACK");
	assert_int_equal(one(x->w, "SELECT COUNT(*) FROM t"), 2000);
	exec(x->w, "BEGIN IMMEDIATE");
	insert(x->w, 10, 100, &seed);
	exec(x->w, "COMMIT");
	assert_int_equal(one(x->r, "SELECT COUNT(*) FROM t"), 2010);
	ok(x->w);
	ok(x->r);
}

/* Closed and opened again (the log is read back in to rebuild its index),
 * after a checkpoint that restarts it: nothing is lost. */
static void test_reopen(void **state)
{
	struct fx *x = *state;
	uint32_t seed = 3;

	exec(x->w, "BEGIN IMMEDIATE");
	insert(x->w, 500, 300, &seed);
	exec(x->w, "COMMIT");
	sqlite3_close(x->r);
	x->r = NULL;
	exec(x->w, "PRAGMA wal_checkpoint(RESTART)");
	exec(x->w, "BEGIN IMMEDIATE");
	insert(x->w, 700, 300, &seed);
	exec(x->w, "COMMIT");
	sqlite3_close(x->w);
	open_writer(x);
	assert_int_equal(sqlite3_open_v2(x->where, &x->r, SQLITE_OPEN_READONLY, NULL),
	                 SQLITE_OK);
	assert_int_equal(one(x->r, "SELECT COUNT(*) FROM t"), 1200);
	assert_int_equal(one(x->w, "SELECT COUNT(*) FROM t"), 1200);
	ok(x->w);
}

/* Deferred syncs (the server's writer): a commit made while they are on
 * is in the log for a reader at once, and owes one sync, taken once as a
 * descriptor of the log itself; a commit made after they are off, or a
 * checkpoint, owes none; the sync after the log's header is written (it
 * starts over) is made at once; an owed sync not taken is paid at close. */
static void test_deferred_sync(void **state)
{
	struct fx *x = *state;
	struct tc_walbuf_stats s0, s1;
	struct stat a, b;
	uint32_t seed = 5;
	int fd;

	assert_int_equal(tc_walbuf_owed(x->w), -1);
	tc_walbuf_defer_syncs(true);
	exec(x->w, "BEGIN IMMEDIATE");
	insert(x->w, 300, 200, &seed);
	exec(x->w, "COMMIT");
	tc_walbuf_defer_syncs(false);
	assert_int_equal(one(x->r, "SELECT COUNT(*) FROM t"), 300);
	fd = tc_walbuf_owed(x->w);
	assert_true(fd >= 0);
	assert_int_equal(tc_walbuf_owed(x->w), -1); /* taken once */
	char *wal = ts_fmt("%s-wal", x->where);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(wal, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	assert_int_equal(fdatasync(fd), 0);
	close(fd);
	free(wal);

	/* off again: SQLite syncs as usual, nothing is owed */
	exec(x->w, "BEGIN IMMEDIATE");
	insert(x->w, 10, 200, &seed);
	exec(x->w, "COMMIT");
	assert_int_equal(tc_walbuf_owed(x->w), -1);
	exec(x->w, "PRAGMA wal_checkpoint(PASSIVE)");
	assert_int_equal(tc_walbuf_owed(x->w), -1);

	/* the first commit after the log starts over writes its header:
	 * that sync is made at once, nothing is owed */
	exec(x->w, "PRAGMA wal_checkpoint(RESTART)");
	tc_walbuf_stats(&s0);
	tc_walbuf_defer_syncs(true);
	exec(x->w, "BEGIN IMMEDIATE");
	insert(x->w, 20, 200, &seed);
	exec(x->w, "COMMIT");
	tc_walbuf_defer_syncs(false);
	tc_walbuf_stats(&s1);
	assert_int_equal(s1.syncs - s0.syncs, 1);           /* the header's */
	assert_int_equal(s1.syncs_owed - s0.syncs_owed, 1); /* the commit's */
	fd = tc_walbuf_owed(x->w);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(one(x->r, "SELECT COUNT(*) FROM t"), 330);

	/* owed and never taken: the close pays it */
	tc_walbuf_defer_syncs(true);
	exec(x->w, "BEGIN IMMEDIATE");
	insert(x->w, 5, 200, &seed);
	exec(x->w, "COMMIT");
	tc_walbuf_defer_syncs(false);
	assert_int_equal(sqlite3_close(x->w), SQLITE_OK);
	open_writer(x);
	assert_int_equal(one(x->w, "SELECT COUNT(*) FROM t"), 335);
	ok(x->w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commits_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spill_and_savepoints, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_sync, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
