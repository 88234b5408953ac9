/* Internal to src/db/: statements, parameter values, rows, and the
 * backend interface both engines implement. */
#ifndef TC_DBI_H
#define TC_DBI_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../core/hist.h"
#include "db.h"

/* One SQL statement. `text` uses $1..$N placeholders and serves both
 * engines unless `pg` or `sqlite` gives that engine its own text. The slot
 * indexes every connection's prepared-statement cache; it is assigned on
 * first use. */
struct tc_sql {
	const char *text;
	const char *pg;
	const char *sqlite;
	atomic_int slot;
};
#define TC_SQL(t) {.text = (t)}
#define TC_SQL2(pgtext, sqlitetext) {.pg = (pgtext), .sqlite = (sqlitetext)}

enum tc_dbv_type { TC_V_NULL, TC_V_I64, TC_V_TEXT, TC_V_BOOL, TC_V_TIME };

/* A parameter value. Borrowed: it must outlive the exec call only. */
struct tc_dbv {
	enum tc_dbv_type type;
	int64_t i;
	const char *s;
};
#define TC_P_NULL ((struct tc_dbv){.type = TC_V_NULL})
#define TC_P_I64(x) ((struct tc_dbv){.type = TC_V_I64, .i = (x)})
#define TC_P_TEXT(x) ((struct tc_dbv){.type = (x) ? TC_V_TEXT : TC_V_NULL, .s = (x)})
#define TC_P_BOOL(x) ((struct tc_dbv){.type = TC_V_BOOL, .i = (x) ? 1 : 0})
#define TC_P_TIME(us) ((struct tc_dbv){.type = TC_V_TIME, .i = (us)})
/* 0 means "no id": stored as NULL. */
#define TC_P_ID(x) ((x) ? TC_P_I64(x) : TC_P_NULL)

/* A result row during a callback. */
struct tc_dbrow {
	const struct tc_backend *be;
	void *h;
	int row;
};

bool tc_row_null(const struct tc_dbrow *r, int col);
int64_t tc_row_i64(const struct tc_dbrow *r, int col);
bool tc_row_bool(const struct tc_dbrow *r, int col);
int64_t tc_row_time(const struct tc_dbrow *r, int col);
/* Copies the text into `a`; NULL for SQL NULL. */
const char *tc_row_text(const struct tc_dbrow *r, int col, struct tc_arena *a);

/* Return 0 to go on, non-zero to stop early. */
typedef int (*tc_row_fn)(void *cls, const struct tc_dbrow *r);

enum tc_qs tc_exec(struct tc_dbc *c, struct tc_sql *q, const struct tc_dbv *p,
                   int np, tc_row_fn fn, void *cls);
/* Runs SQL with no parameters and no result (transaction control,
 * migrations). */
enum tc_qs tc_exec_script(struct tc_dbc *c, const char *sql);

/* Collects rows into an arena-grown array: used by list queries. */
struct tc_rows_into {
	struct tc_arena *a;
	void *items;
	size_t n, cap, size;
	void (*fill)(void *item, const struct tc_dbrow *r, struct tc_arena *a);
};
int tc_rows_collect(void *cls, const struct tc_dbrow *r);

/* Everything strictly under a jurisdiction path is the bytewise range
 * [scope "/", scope "0"): '0' follows '/' in ASCII. Strings live in `a`. */
void tc_scope_range(struct tc_arena *a, const char *scope, const char **lo,
                    const char **hi);
#define TC_SCOPE_UNDER(col, lo, hi) \
	"(" col " = $1 OR (" col " >= " lo " AND " col " < " hi "))"

/* Row fillers shared between query files. */
void tc_fill_citizen(void *item, const struct tc_dbrow *r, struct tc_arena *a);

/* Fills one record from the first row. */
struct tc_row_into {
	struct tc_arena *a;
	void *out;
	void (*fill)(void *item, const struct tc_dbrow *r, struct tc_arena *a);
};
int tc_rows_one(void *cls, const struct tc_dbrow *r);
/* Takes column 0 of the first row as an integer (cls: int64_t *). */
int tc_rows_i64(void *cls, const struct tc_dbrow *r);

struct tc_backend {
	enum tc_db_kind kind;
	const char *name;
	int (*connect)(struct tc_db *db, bool writer, struct tc_dbc **out,
	               char **why);
	void (*disconnect)(struct tc_dbc *c);
	enum tc_qs (*exec)(struct tc_dbc *c, struct tc_sql *q, int slot,
	                   const struct tc_dbv *p, int np, tc_row_fn fn, void *cls);
	enum tc_qs (*exec_script)(struct tc_dbc *c, const char *sql);
	/* SQLite: copies what it can of the WAL into the database (PASSIVE):
	 * *log frames in the log, *done of them copied; 0, or -1 when it
	 * could not. NULL for engines that do their own. */
	int (*checkpoint)(struct tc_dbc *c, int *log, int *done);
	/* SQLite, with the writer held between transactions: copies the rest
	 * and waits until no reader is in the log, so the writer's next
	 * transaction starts it over (RESTART): *log frames were in it; 0, or
	 * -1 when it gave up. */
	int (*wal_restart)(struct tc_dbc *c, int *log);
	/* SQLite: COMMIT with the log written but its sync left to the
	 * caller (walbuf.h): *sync_fd a descriptor of the log to fdatasync
	 * and close before the commit counts as durable, -1 when it already
	 * is, -2 when the sync was made here and failed (errno says why).
	 * NULL where COMMIT alone is durable. */
	enum tc_qs (*commit_owing)(struct tc_dbc *c, int *sync_fd);
	bool (*col_null)(const struct tc_dbrow *r, int col);
	const char *(*col_text)(const struct tc_dbrow *r, int col, size_t *len);
	int64_t (*col_i64)(const struct tc_dbrow *r, int col);
	bool (*col_bool)(const struct tc_dbrow *r, int col);
	/* Whether the open transaction can no longer commit (a statement
	 * failed in a way that aborted it). */
	bool (*txn_failed)(struct tc_dbc *c);
	const char *begin_sql; /* begins a write transaction */
};

/* SQLite: the log starts over once it is past this many frames (256 MiB
 * of 4 KiB pages, db.c); tc_db_options.wal_restart_frames. */
#define TC_WAL_RESTART_FRAMES 65536

extern const struct tc_backend tc_backend_sqlite;
extern const struct tc_backend tc_backend_pg;

/* Every connection starts with this header. */
struct tc_dbc {
	const struct tc_backend *be;
	struct tc_db *db;
	struct tc_dbc *next_free;
	bool writer;
	bool broken; /* reconnect before reuse */
	bool auth_changed; /* the transaction changed a session or an account */
	/* actors found current in this transaction (tc_q_actor_current) */
	struct tc_actor_seen {
		int64_t session_id;
		char role[24], scope[104];
	} actors_seen[4];
	int n_actors_seen;
	/* the running batch's deferred jobs (db.c), while deferring is on:
	 * in order, and by key (open addressing, the first of each key) */
	bool defer_ok;
	struct tc_job *running, *deferred_head, *deferred_tail;
	struct tc_job **dtab;
	size_t dtab_cap, dtab_n;
	/* the batch's counter additions, summed (counters.h) */
	struct tc_counts *counts;
};

struct tc_db {
	const struct tc_backend *be;
	char *where; /* path or URL as given */
	struct tc_db_options opt;

	/* read pool */
	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cv;
	struct tc_dbc *pool_free;
	int pool_open;

	/* writer */
	pthread_mutex_t q_mu;
	pthread_cond_t q_cv;      /* jobs arrived, or stopping */
	pthread_cond_t idle_cv;   /* queue empty and no job running */
	struct tc_job *q_head, *q_tail;
	size_t q_len, q_max;
	int running; /* jobs taken but not yet done */
	bool stopping;
	pthread_t *threads;
	int nthreads;
	/* SQLite: answers are delivered (connections resumed) by a thread of
	 * their own, so the writer goes straight on to the next batch; and
	 * WAL checkpoints run on another connection, off the writer's path. */
	pthread_t completer, checkpointer;
	bool has_completer, has_checkpointer;
	struct tc_job *done_head, *done_tail;
	size_t done_n;
	pthread_cond_t done_cv; /* completer: a batch is done */
	pthread_cond_t ck_cv;   /* checkpointer: time to stop */
	/* SQLite: the checkpointer holds the writer between transactions
	 * while the log starts over (db.c, wal_restart): wal_hold asks, and
	 * the writer is out of a transaction while writer_busy is false.
	 * SQLite has one writer thread; PostgreSQL's never see wal_hold. */
	bool wal_hold, writer_busy;
	pthread_cond_t hold_cv; /* writer_busy went false */
	bool writers_gone;
	struct tc_dbc *inline_conn; /* no_writer mode */
	/* SQLite: the helper that runs deferred jobs' prepare (db.h) */
	pthread_t preparer;
	bool has_preparer, pp_stop;
	pthread_mutex_t pp_mu;
	pthread_cond_t pp_cv;      /* jobs to prepare, or stop */
	pthread_cond_t pp_done_cv; /* a list of them is prepared */
	struct tc_job *pp_head, *pp_tail;

	/* administrative units in memory (units_cache.c) */
	_Atomic(struct tc_units *) units;
	atomic_int_fast64_t units_checked;
	pthread_mutex_t units_mu;

	/* ids (tc_db_next_id) */
	pthread_mutex_t id_mu;
	int64_t id_ms;
	int id_seq;
	bool id_seeded;

	atomic_uint_fast64_t auth_epoch; /* tc_db_auth_epoch */

	/* stats */
	atomic_uint_fast64_t st_batches, st_jobs;
	atomic_uint_fast64_t st_hist[12];
	atomic_uint_fast64_t st_wal_restarts;
	struct tc_hist st_phase[TC_PHASE__COUNT]; /* tc_db_phase_hist */
	/* SQLite commits made durable: by the completer's fdatasync of the
	 * log, by a later commit's (the same file), within the COMMIT */
	atomic_uint_fast64_t st_syncs_completer, st_syncs_shared, st_syncs_in_commit;
	/* the writer's batch left nothing for the completer to sync (counted
	 * in st_syncs_in_commit once the batch is counted) */
	bool batch_in_commit;
};

void tc_db_units_free(struct tc_db *db);

#endif
