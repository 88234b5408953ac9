/* SQLite backend: WAL, synchronous=FULL, statements prepared once per
 * connection and bound by the number in their "$N" name. */
#include <errno.h>
#include <fcntl.h>
#include <linux/ioprio.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../core/arena.h"
#include "../core/log.h"
#include "../core/tctime.h"
#include "../core/util.h"
#include "counters.h"
#include "dbi.h"
#include "walbuf.h"

struct cached {
	sqlite3_stmt *st;
	int nparam;
	int *map; /* bind index i (1-based) takes parameter map[i] (1-based) */
};

struct sq_conn {
	struct tc_dbc base;
	sqlite3 *h;
	struct cached *cache;
	int ncache;
	/* the checkpointer's own descriptor of the database file; -1 until
	 * its first pass, -2 when it could not be opened */
	int file_fd;
};

/* Before SQLite's first use: no global memory statistics (they take a
 * process-wide mutex on every allocation). */
static int walbuf_rc = SQLITE_ERROR;

static void sq_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
	walbuf_rc = tc_walbuf_register();
}

static int sq_connect(struct tc_db *db, bool writer, struct tc_dbc **out,
                      char **why)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sq_conn *c = tc_xcalloc(1, sizeof(*c));
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	char *err = NULL;
	const char *pragmas;
	int rc;

	pthread_once(&once, sq_configure);
	if (writer)
		flags |= SQLITE_OPEN_CREATE;
	/* the writer's log is written once per commit (walbuf.h): only with
	 * synchronous=FULL, which calls the log's sync, where the buffer is
	 * written out, before a commit is published */
	rc = sqlite3_open_v2(db->where, &c->h, flags,
	                     writer && !db->opt.sqlite_sync_normal && walbuf_rc == SQLITE_OK
	                             ? TC_WALBUF_VFS
	                             : NULL);
	if (rc != SQLITE_OK) {
		if (asprintf(why, "cannot open SQLite database '%s': %s", db->where,
		             c->h ? sqlite3_errmsg(c->h) : sqlite3_errstr(rc)) < 0)
			*why = NULL;
		sqlite3_close(c->h);
		free(c);
		return -1;
	}
	sqlite3_extended_result_codes(c->h, 1);
	/* a larger lookaside: most of a statement's small allocations never
	 * reach malloc */
	sqlite3_db_config(c->h, SQLITE_DBCONFIG_LOOKASIDE, NULL, 512, 1024);
	sqlite3_busy_timeout(c->h, 5000);
	/* temp_store=MEMORY keeps the statement journals of the per-job
	 * savepoints in memory rather than in temporary files. The writer's
	 * cache is 16 MiB, like a reader's: at every commit of ours SQLite
	 * (3.40) walks the whole hash table of its page cache
	 * (pcache1TruncateUnsafe, seen with perf and callgrind), which took
	 * 1.3 ms a commit with 256 MiB and 0.5 ms with 64 MiB, up to 15 % of
	 * the writer's time in the dose benchmark; the pages it does not keep
	 * come from the operating system's cache. */
	pragmas = writer ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                   " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
	                   " PRAGMA cache_size=-16384;"
	                 : "PRAGMA foreign_keys=ON; PRAGMA query_only=1;"
	                   " PRAGMA cache_size=-16384;";
	/* The server's writer leaves checkpoints to the checkpoint thread
	 * (db.c), which has the log start over at opt.wal_restart_frames. The
	 * file keeps its length then, so the writer writes over blocks it
	 * has: appending to a file and syncing it took twice as long as the
	 * same write over old blocks (dd with oflag=dsync). Only a log that
	 * grew far past that (a reader held it) is cut back. */
	if (rc == SQLITE_OK && writer && !db->opt.no_writer) {
		char sql[96];
		snprintf(sql, sizeof sql,
		         "PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=%lld;",
		         2LL * db->opt.wal_restart_frames * (4096 + 24));
		rc = sqlite3_exec(c->h, sql, NULL, NULL, &err);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(c->h, pragmas, NULL, NULL, &err);
	/* after the pragmas above, which set FULL */
	if (rc == SQLITE_OK && writer && db->opt.sqlite_sync_normal)
		rc = sqlite3_exec(c->h, "PRAGMA synchronous=NORMAL;", NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		if (asprintf(why, "cannot set up SQLite database '%s': %s", db->where,
		             err ? err : "?") < 0)
			*why = NULL;
		sqlite3_free(err);
		sqlite3_close(c->h);
		free(c);
		return -1;
	}
	c->base.be = &tc_backend_sqlite;
	c->base.db = db;
	c->base.writer = writer;
	c->file_fd = -1;
	*out = &c->base;
	return 0;
}

static void sq_disconnect(struct tc_dbc *base)
{
	struct sq_conn *c = (struct sq_conn *)base;

	for (int i = 0; i < c->ncache; i++) {
		sqlite3_finalize(c->cache[i].st);
		free(c->cache[i].map);
	}
	free(c->cache);
	free(c->base.dtab);
	tc_counts_free(&c->base);
	if (c->file_fd >= 0)
		close(c->file_fd);
	if (sqlite3_close(c->h) != SQLITE_OK)
		tc_error("db: closing SQLite: %s", sqlite3_errmsg(c->h));
	free(c);
}

static enum tc_qs sq_status(struct sq_conn *c, int rc, const char *what)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return TC_QS_RETRY;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return TC_QS_CONFLICT;
		break;
	default:
		break;
	}
	tc_error("db: sqlite error %d (%s) in: %.200s", rc, sqlite3_errmsg(c->h),
	         what);
	return TC_QS_HARD;
}

static struct cached *prepare(struct sq_conn *c, struct tc_sql *q, int slot)
{
	const char *text = q->sqlite ? q->sqlite : q->text;
	struct cached *ce;

	if (slot >= c->ncache) {
		int n = c->ncache ? c->ncache : 64;
		while (n <= slot)
			n *= 2;
		c->cache = tc_xrealloc(c->cache, (size_t)n * sizeof(*c->cache));
		memset(c->cache + c->ncache, 0, (size_t)(n - c->ncache) * sizeof(*c->cache));
		c->ncache = n;
	}
	ce = &c->cache[slot];
	if (ce->st)
		return ce;
	int rc = sqlite3_prepare_v3(c->h, text, -1, SQLITE_PREPARE_PERSISTENT,
	                            &ce->st, NULL);
	if (rc != SQLITE_OK) {
		sq_status(c, rc, text);
		ce->st = NULL;
		return NULL;
	}
	ce->nparam = sqlite3_bind_parameter_count(ce->st);
	ce->map = tc_xcalloc((size_t)ce->nparam + 1, sizeof(int));
	for (int i = 1; i <= ce->nparam; i++) {
		const char *name = sqlite3_bind_parameter_name(ce->st, i);
		int64_t k;
		if (name == NULL || name[0] != '$' || !tc_parse_i64(name + 1, 1, 999, &k))
			tc_die("SQL parameter %d is not of the form $N in: %s", i, text);
		ce->map[i] = (int)k;
	}
	return ce;
}

/* A time is bound as text: written into *ts when there is one, which
 * then must outlive the statement's run (SQLite copies nothing), else
 * copied by SQLite. Text is bound without a copy too, and the bindings
 * stay after sq_exec returns (pointing at what may be gone by then):
 * nothing may read a statement's bindings outside sq_exec, which binds
 * every parameter again before each run. */
static int bind(sqlite3_stmt *st, int i, const struct tc_dbv *v,
                char (*ts)[TC_TIME_TEXT_LEN])
{
	char own[TC_TIME_TEXT_LEN];

	switch (v->type) {
	case TC_V_NULL:
		return sqlite3_bind_null(st, i);
	case TC_V_I64:
	case TC_V_BOOL:
		return sqlite3_bind_int64(st, i, v->i);
	case TC_V_TEXT:
		return sqlite3_bind_text(st, i, v->s, -1, SQLITE_STATIC);
	case TC_V_TIME:
		tc_time_format(v->i, ts ? *ts : own);
		return sqlite3_bind_text(st, i, ts ? *ts : own, TC_TIME_TEXT_LEN - 1,
		                         ts ? SQLITE_STATIC : SQLITE_TRANSIENT);
	}
	return SQLITE_MISUSE;
}

static enum tc_qs sq_exec(struct tc_dbc *base, struct tc_sql *q, int slot,
                          const struct tc_dbv *p, int np, tc_row_fn fn, void *cls)
{
	struct sq_conn *c = (struct sq_conn *)base;
	struct cached *ce = prepare(c, q, slot);
	struct tc_dbrow row = {.be = &tc_backend_sqlite};
	enum tc_qs qs = TC_QS_NONE;
	int rows = 0, rc;
	bool stop = false;

	if (ce == NULL)
		return TC_QS_HARD;
	/* the first few times' text, alive until the statement is reset */
	char times[16][TC_TIME_TEXT_LEN];
	int ntimes = 0;
	for (int i = 1; i <= ce->nparam; i++) {
		const struct tc_dbv *v;
		if (ce->map[i] > np)
			tc_die("SQL wants $%d but got %d parameters: %s", ce->map[i], np,
			       q->sqlite ? q->sqlite : q->text);
		v = &p[ce->map[i] - 1];
		rc = bind(ce->st, i, v,
		          v->type == TC_V_TIME && ntimes < 16 ? &times[ntimes++] : NULL);
		if (rc != SQLITE_OK) {
			qs = sq_status(c, rc, sqlite3_sql(ce->st));
			goto out;
		}
	}
	row.h = ce->st;
	while (!stop && (rc = sqlite3_step(ce->st)) == SQLITE_ROW) {
		rows++;
		if (fn && fn(cls, &row) != 0)
			stop = true;
	}
	if (!stop && rc != SQLITE_DONE) {
		qs = sq_status(c, rc, sqlite3_sql(ce->st));
		goto out;
	}
	if (rows > 1)
		qs = TC_QS_MANY;
	else if (rows == 1 || (!sqlite3_stmt_readonly(ce->st) && sqlite3_changes(c->h) > 0))
		qs = TC_QS_ONE;
out:
	/* The bindings stay: every call binds every parameter again. */
	sqlite3_reset(ce->st);
	return qs;
}

static enum tc_qs sq_exec_script(struct tc_dbc *base, const char *sql)
{
	struct sq_conn *c = (struct sq_conn *)base;
	int rc = sqlite3_exec(c->h, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? TC_QS_NONE : sq_status(c, rc, sql);
}

/* Only for the server's writer, whose connection never checkpoints
 * (wal_autocheckpoint=0 in sq_connect): a checkpoint inside the COMMIT
 * would have its sync of the log deferred too (walbuf.h). */
static enum tc_qs sq_commit_owing(struct tc_dbc *base, int *sync_fd)
{
	struct sq_conn *c = (struct sq_conn *)base;
	enum tc_qs qs;

	tc_walbuf_defer_syncs(true);
	qs = sq_exec_script(base, "COMMIT");
	tc_walbuf_defer_syncs(false);
	*sync_fd = tc_walbuf_owed(c->h);
	return qs;
}

/* The calling thread's I/O priority class (IOPRIO_CLASS_NONE: as its
 * CPU priority says, the default). Where the disk's scheduler does not
 * honour classes (none, kyber) it changes nothing. */
static void io_class(int cls)
{
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(cls, 0)) !=
	    0)
		tc_debug("db: cannot set the checkpoint's I/O priority: %s",
		         strerror(errno));
}

static int sq_checkpoint(struct tc_dbc *base, int *log, int *done)
{
	struct sq_conn *c = (struct sq_conn *)base;
	int rc;

	/* A PASSIVE checkpoint holds nobody back but writes pages all over
	 * the database file: at the idle I/O priority those writes wait
	 * behind the commits' (mq-deadline, bfq). */
	io_class(IOPRIO_CLASS_IDLE);
	rc = sqlite3_wal_checkpoint_v2(c->h, NULL, SQLITE_CHECKPOINT_PASSIVE, log, done);
	/* It syncs the file only when it copied the whole log, which under a
	 * steady stream of commits is never: the pages it wrote stay dirty in
	 * the page cache until the restart's sync (wal_restart), which then
	 * wrote them all at once, with the writer held (170 ms in the dose
	 * benchmark, and every commit beside it slow). Their writing starts
	 * now instead, a pass's worth at a time (sync_file_range waits for
	 * nothing), and the restart's sync finds little left. */
	if (c->file_fd == -1) {
		c->file_fd =
		        open(sqlite3_db_filename(c->h, "main"), O_RDONLY | O_CLOEXEC);
		if (c->file_fd < 0) {
			tc_warn("db: cannot open the database file for its writeback: %s",
			        strerror(errno));
			c->file_fd = -2;
		}
	}
	if (c->file_fd >= 0 && *done > 0 &&
	    sync_file_range(c->file_fd, 0, 0, SYNC_FILE_RANGE_WRITE) != 0)
		tc_debug("db: sync_file_range: %s", strerror(errno));
	return rc == SQLITE_OK ? 0 : -1;
}

/* Readers leave the log within a request: look again every 100 us until
 * the deadline in *cls (a backup's long read makes the restart give up). */
static int readers_poll(void *cls, int tries)
{
	struct timespec ts = { 0, 100 * 1000 };

	(void)tries;
	if (tc_mono_us() >= *(const int64_t *)cls)
		return 0;
	nanosleep(&ts, NULL);
	return 1;
}

static int sq_wal_restart(struct tc_dbc *base, int *log)
{
	sqlite3 *h = ((struct sq_conn *)base)->h;
	int64_t deadline = tc_mono_us() + 100 * 1000;
	int rc;

	io_class(IOPRIO_CLASS_NONE); /* the writer waits for this one */
	sqlite3_busy_handler(h, readers_poll, &deadline);
	rc = sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_RESTART, log, NULL);
	sqlite3_busy_timeout(h, 5000);
	return rc == SQLITE_OK ? 0 : -1;
}

static bool sq_txn_failed(struct tc_dbc *base)
{
	/* SQLite rolls the whole transaction back on some errors (disk full,
	 * I/O error, out of memory) and is then back in autocommit mode. */
	return sqlite3_get_autocommit(((struct sq_conn *)base)->h) != 0;
}

static bool sq_null(const struct tc_dbrow *r, int col)
{
	return sqlite3_column_type(r->h, col) == SQLITE_NULL;
}

static const char *sq_text(const struct tc_dbrow *r, int col, size_t *len)
{
	const char *s = (const char *)sqlite3_column_text(r->h, col);
	*len = (size_t)sqlite3_column_bytes(r->h, col);
	return s;
}

static int64_t sq_i64(const struct tc_dbrow *r, int col)
{
	return sqlite3_column_int64(r->h, col);
}

static bool sq_bool(const struct tc_dbrow *r, int col)
{
	return sqlite3_column_int64(r->h, col) != 0;
}

const struct tc_backend tc_backend_sqlite = {
	.kind = TC_DB_SQLITE,
	.name = "sqlite",
	.connect = sq_connect,
	.disconnect = sq_disconnect,
	.exec = sq_exec,
	.exec_script = sq_exec_script,
	.checkpoint = sq_checkpoint,
	.wal_restart = sq_wal_restart,
	.commit_owing = sq_commit_owing,
	.col_null = sq_null,
	.col_text = sq_text,
	.col_i64 = sq_i64,
	.col_bool = sq_bool,
	.txn_failed = sq_txn_failed,
	.begin_sql = "BEGIN IMMEDIATE",
};

/* The online backup API copies a consistent snapshot while the server
 * keeps writing (WAL readers never block the writer). The copy is made
 * under a temporary name, checked, synced and renamed into place. */
tc_err tc_db_backup(struct tc_db *db, const char *dest, struct tc_fault *f,
                    struct tc_arena *a)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *bk;
	char *tmp;
	tc_err rc = TC_ERR_OK;
	int src_rc;

	if (db->be->kind != TC_DB_SQLITE)
		return tc_fault_set(f, TC_ERR_BAD_REQUEST, "db",
		                    "backup copies SQLite databases; for PostgreSQL use "
		                    "pg_dump or pg_basebackup (see README.md)");
	if (access(dest, F_OK) == 0)
		return tc_fault_setf(f, a, TC_ERR_CONFLICT, "file",
		                     "'%s' already exists; choose a new file", dest);
	tmp = tc_arena_printf(a, "%s.partial", dest);
	unlink(tmp);
	if (sqlite3_open_v2(db->where, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                    NULL) != SQLITE_OK) {
		rc = tc_fault_setf(f, a, TC_ERR_IO, "file", "cannot open: %s",
		                   sqlite3_errmsg(dst ? dst : src));
		goto out;
	}
	sqlite3_busy_timeout(src, 10000);
	bk = sqlite3_backup_init(dst, "main", src, "main");
	if (bk == NULL) {
		rc = tc_fault_setf(f, a, TC_ERR_IO, "file", "cannot start backup: %s",
		                   sqlite3_errmsg(dst));
		goto out;
	}
	/* One step of every page: the copy is one read transaction, so it is
	 * a single consistent snapshot. */
	do {
		src_rc = sqlite3_backup_step(bk, -1);
		if (src_rc == SQLITE_BUSY || src_rc == SQLITE_LOCKED)
			sqlite3_sleep(50);
	} while (src_rc == SQLITE_BUSY || src_rc == SQLITE_LOCKED);
	sqlite3_backup_finish(bk);
	if (src_rc != SQLITE_DONE) {
		rc = tc_fault_setf(f, a, TC_ERR_IO, "file", "backup failed: %s",
		                   sqlite3_errstr(src_rc));
		goto out;
	}
	/* Leave a self-contained rollback-journal file behind, then prove it. */
	char *err = NULL;
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;",
	                 NULL, NULL, &err) != SQLITE_OK) {
		rc = tc_fault_setf(f, a, TC_ERR_IO, "file", "cannot finish backup: %s",
		                   err ? err : "?");
		sqlite3_free(err);
		goto out;
	}
	sqlite3_stmt *st = NULL;
	bool ok = false;
	if (sqlite3_prepare_v2(dst, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	if (!ok) {
		rc = tc_fault_set(f, TC_ERR_IO, "file",
		                  "the copy failed its integrity check");
		goto out;
	}
out:
	sqlite3_close(src);
	if (dst && sqlite3_close(dst) != SQLITE_OK && rc == TC_ERR_OK)
		rc = tc_fault_set(f, TC_ERR_IO, "file", "cannot close the copy");
	if (rc == TC_ERR_OK) {
		/* the file's bytes, then its name, must reach the disk */
		FILE *fp = fopen(tmp, "rb+");
		if (fp == NULL || fsync(fileno(fp)) != 0 || rename(tmp, dest) != 0)
			rc = tc_fault_setf(f, a, TC_ERR_IO, "file", "cannot write '%s'", dest);
		if (fp)
			fclose(fp);
		char *dir = tc_arena_strdup(a, dest), *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		int dfd = open(slash ? (*dir ? dir : "/") : ".", O_RDONLY | O_DIRECTORY);
		if (rc == TC_ERR_OK && (dfd < 0 || fsync(dfd) != 0))
			rc = tc_fault_setf(f, a, TC_ERR_IO, "file", "cannot sync the folder of '%s'",
			                   dest);
		if (dfd >= 0)
			close(dfd);
	}
	if (rc != TC_ERR_OK)
		unlink(tmp);
	return rc;
}
