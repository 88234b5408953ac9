/* The engine-independent half of the database layer: opening, the read
 * pool, the writer threads (group commit on SQLite), statement slots and
 * row access. */
#include "counters.h"
#include "dbi.h"
#include "records.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/arena.h"
#include "../core/log.h"
#include "../core/tctime.h"
#include "../core/util.h"

#define MAX_SLOTS 4096

static atomic_int next_slot = 0;

tc_err tc_qs_err(enum tc_qs qs, struct tc_fault *f)
{
	switch (qs) {
	case TC_QS_HARD:
		return tc_fault_internal(f, TC_ERR_DB, "database error");
	case TC_QS_RETRY:
		return tc_fault_set(f, TC_ERR_RETRY, NULL, NULL);
	case TC_QS_CONFLICT:
		return tc_fault_set(f, TC_ERR_CONFLICT, NULL, NULL);
	case TC_QS_NONE:
		return tc_fault_set(f, TC_ERR_NOT_FOUND, NULL, NULL);
	case TC_QS_ONE:
	case TC_QS_MANY:
		break;
	}
	return TC_ERR_OK;
}

/* ---- statements and rows --------------------------------------------- */

enum tc_qs tc_exec(struct tc_dbc *c, struct tc_sql *q, const struct tc_dbv *p,
                   int np, tc_row_fn fn, void *cls)
{
	int slot = atomic_load_explicit(&q->slot, memory_order_acquire);

	if (slot == 0) {
		int mine = atomic_fetch_add(&next_slot, 1) + 1;
		int expected = 0;
		if (mine >= MAX_SLOTS)
			tc_die("too many distinct SQL statements (%d)", mine);
		if (atomic_compare_exchange_strong(&q->slot, &expected, mine))
			slot = mine;
		else
			slot = expected; /* another thread won; `mine` stays unused */
	}
	return c->be->exec(c, q, slot, p, np, fn, cls);
}

enum tc_qs tc_exec_script(struct tc_dbc *c, const char *sql)
{
	return c->be->exec_script(c, sql);
}

bool tc_row_null(const struct tc_dbrow *r, int col)
{
	return r->be->col_null(r, col);
}

int64_t tc_row_i64(const struct tc_dbrow *r, int col)
{
	return r->be->col_null(r, col) ? 0 : r->be->col_i64(r, col);
}

bool tc_row_bool(const struct tc_dbrow *r, int col)
{
	return !r->be->col_null(r, col) && r->be->col_bool(r, col);
}

int64_t tc_row_time(const struct tc_dbrow *r, int col)
{
	size_t n;
	int64_t us = 0;
	const char *s;

	if (r->be->col_null(r, col))
		return 0;
	s = r->be->col_text(r, col, &n);
	if (!tc_time_parse(s, &us))
		tc_warn("db: unreadable timestamp '%.40s'", s ? s : "");
	return us;
}

const char *tc_row_text(const struct tc_dbrow *r, int col, struct tc_arena *a)
{
	size_t n;
	const char *s;

	if (r->be->col_null(r, col))
		return NULL;
	s = r->be->col_text(r, col, &n);
	return tc_arena_strndup(a, s ? s : "", s ? n : 0);
}

int tc_rows_collect(void *cls, const struct tc_dbrow *r)
{
	struct tc_rows_into *into = cls;

	if (into->n == into->cap) {
		size_t cap = into->cap ? into->cap * 2 : 16;
		void *items = tc_arena_zalloc(into->a, cap * into->size);
		if (into->n)
			memcpy(items, into->items, into->n * into->size);
		into->items = items;
		into->cap = cap;
	}
	void *item = (char *)into->items + into->n * into->size;
	memset(item, 0, into->size);
	into->fill(item, r, into->a);
	into->n++;
	return 0;
}

void tc_scope_range(struct tc_arena *a, const char *scope, const char **lo,
                    const char **hi)
{
	*lo = tc_arena_printf(a, "%s/", scope);
	*hi = tc_arena_printf(a, "%s0", scope);
}

int tc_rows_one(void *cls, const struct tc_dbrow *r)
{
	struct tc_row_into *o = cls;
	o->fill(o->out, r, o->a);
	return 1;
}

int tc_rows_i64(void *cls, const struct tc_dbrow *r)
{
	*(int64_t *)cls = tc_row_i64(r, 0);
	return 1;
}

/* ---- opening and the read pool --------------------------------------- */

static bool is_pg_url(const char *where)
{
	return strncmp(where, "postgresql://", 13) == 0 ||
	       strncmp(where, "postgres://", 11) == 0;
}

static void *writer_main(void *arg);
static void *completer_main(void *arg);
static void *checkpointer_main(void *arg);
static void *preparer_main(void *arg);

struct tc_db *tc_db_open(const char *where, const struct tc_db_options *opt,
                         char **why)
{
	struct tc_db *db = tc_xcalloc(1, sizeof(*db));
	struct tc_dbc *probe = NULL;

	*why = NULL;
	db->be = is_pg_url(where) ? &tc_backend_pg : &tc_backend_sqlite;
	db->where = tc_xstrdup(where);
	if (opt)
		db->opt = *opt;
	if (db->opt.readers <= 0)
		db->opt.readers = 16;
	if (db->opt.pg_writers <= 0)
		db->opt.pg_writers = 8;
	if (db->opt.max_batch <= 0)
		db->opt.max_batch = 4096;
	if (db->opt.wal_restart_frames <= 0)
		db->opt.wal_restart_frames = TC_WAL_RESTART_FRAMES;
	db->q_max = 65536;
	pthread_mutex_init(&db->pool_mu, NULL);
	pthread_cond_init(&db->pool_cv, NULL);
	pthread_mutex_init(&db->units_mu, NULL);
	pthread_mutex_init(&db->id_mu, NULL);
	pthread_mutex_init(&db->q_mu, NULL);
	pthread_cond_init(&db->q_cv, NULL);
	pthread_cond_init(&db->idle_cv, NULL);
	pthread_cond_init(&db->done_cv, NULL);
	pthread_cond_init(&db->ck_cv, NULL);
	pthread_cond_init(&db->hold_cv, NULL);
	pthread_mutex_init(&db->pp_mu, NULL);
	pthread_cond_init(&db->pp_cv, NULL);
	pthread_cond_init(&db->pp_done_cv, NULL);

	/* The writer connection is opened first: on SQLite it creates the file
	 * and switches it to WAL before any reader exists. */
	if (db->opt.no_writer) {
		if (db->be->connect(db, true, &db->inline_conn, why) != 0)
			goto fail;
	} else {
		int n = db->be->kind == TC_DB_SQLITE ? 1 : db->opt.pg_writers;
		struct tc_dbc **conns = tc_xcalloc((size_t)n, sizeof(*conns));
		for (int i = 0; i < n; i++) {
			if (db->be->connect(db, true, &conns[i], why) != 0) {
				for (int k = 0; k < i; k++)
					db->be->disconnect(conns[k]);
				free(conns);
				goto fail;
			}
		}
		/* before the writers, which read has_preparer */
		if (db->be->kind == TC_DB_SQLITE) {
			if (pthread_create(&db->preparer, NULL, preparer_main, db) != 0)
				tc_die("cannot start the database helper threads");
			db->has_preparer = true;
		}
		db->threads = tc_xcalloc((size_t)n, sizeof(*db->threads));
		for (int i = 0; i < n; i++) {
			if (pthread_create(&db->threads[i], NULL, writer_main, conns[i]) != 0)
				tc_die("cannot start a database writer thread");
			db->nthreads++;
		}
		free(conns);
		if (db->be->checkpoint) {
			struct tc_dbc *ck = NULL;
			if (db->be->connect(db, false, &ck, why) != 0)
				tc_die("cannot open the checkpoint connection: %s", *why ? *why : "?");
			if (pthread_create(&db->checkpointer, NULL, checkpointer_main, ck) != 0 ||
			    pthread_create(&db->completer, NULL, completer_main, db) != 0)
				tc_die("cannot start the database helper threads");
			db->has_checkpointer = db->has_completer = true;
		}
	}
	/* Prove a reader can connect too, and keep it in the pool. */
	if (db->be->connect(db, false, &probe, why) != 0) {
		tc_db_close(db);
		return NULL;
	}
	db->pool_open = 1;
	tc_db_release(db, probe);
	return db;
fail:
	pthread_mutex_destroy(&db->units_mu);
	pthread_mutex_destroy(&db->id_mu);
	pthread_mutex_destroy(&db->pool_mu);
	pthread_cond_destroy(&db->pool_cv);
	pthread_mutex_destroy(&db->q_mu);
	pthread_cond_destroy(&db->q_cv);
	pthread_cond_destroy(&db->idle_cv);
	pthread_cond_destroy(&db->done_cv);
	pthread_cond_destroy(&db->ck_cv);
	pthread_cond_destroy(&db->hold_cv);
	pthread_mutex_destroy(&db->pp_mu);
	pthread_cond_destroy(&db->pp_cv);
	pthread_cond_destroy(&db->pp_done_cv);
	free(db->where);
	free(db);
	return NULL;
}

enum tc_db_kind tc_db_kind(const struct tc_db *db)
{
	return db->be->kind;
}

const char *tc_db_kind_name(const struct tc_db *db)
{
	return db->be->name;
}

struct tc_dbc *tc_db_acquire(struct tc_db *db)
{
	struct tc_dbc *c = NULL;
	char *why = NULL;

	pthread_mutex_lock(&db->pool_mu);
	for (;;) {
		if (db->pool_free) {
			c = db->pool_free;
			db->pool_free = c->next_free;
			break;
		}
		if (db->pool_open < db->opt.readers) {
			db->pool_open++;
			break;
		}
		pthread_cond_wait(&db->pool_cv, &db->pool_mu);
	}
	pthread_mutex_unlock(&db->pool_mu);
	if (c && c->broken) {
		db->be->disconnect(c);
		c = NULL;
	}
	if (c == NULL) {
		if (db->be->connect(db, false, &c, &why) != 0) {
			tc_error("db: cannot open a read connection: %s", why ? why : "?");
			free(why);
			pthread_mutex_lock(&db->pool_mu);
			db->pool_open--;
			pthread_cond_signal(&db->pool_cv);
			pthread_mutex_unlock(&db->pool_mu);
			return NULL;
		}
	}
	return c;
}

void tc_db_release(struct tc_db *db, struct tc_dbc *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&db->pool_mu);
	c->next_free = db->pool_free;
	db->pool_free = c;
	pthread_cond_signal(&db->pool_cv);
	pthread_mutex_unlock(&db->pool_mu);
}

/* ---- the writer ------------------------------------------------------- */

uint64_t tc_db_auth_epoch(struct tc_db *db)
{
	return atomic_load(&db->auth_epoch);
}

void tc_dbc_auth_changed(struct tc_dbc *c)
{
	c->auth_changed = true;
}

/* After a transaction, committed or not, and before its jobs are done:
 * a change to sessions or accounts is now visible to every reader. */
static void ended(struct tc_db *db, struct tc_dbc *c)
{
	if (c->auth_changed) {
		atomic_fetch_add(&db->auth_epoch, 1);
		c->auth_changed = false;
	}
}

static void count_batch(struct tc_db *db, size_t n)
{
	int k = 0;
	while (k < 11 && ((size_t)1 << k) < n)
		k++;
	atomic_fetch_add(&db->st_hist[k], 1);
	atomic_fetch_add(&db->st_batches, 1);
	atomic_fetch_add(&db->st_jobs, n);
}

/* Replaces a dead connection of the writer with a fresh one. */
static bool reconnect(struct tc_db *db, struct tc_dbc **cp)
{
	struct tc_dbc *fresh = NULL;
	char *why = NULL;

	if (db->be->connect(db, true, &fresh, &why) != 0) {
		tc_error("db: writer cannot reconnect: %s", why ? why : "?");
		free(why);
		return false;
	}
	db->be->disconnect(*cp);
	*cp = fresh;
	return true;
}

/* Begins a write transaction. A connection found dead is replaced once:
 * nothing of the job was sent yet, so trying again is safe. A database
 * locked by another process is RETRY (503), not an internal fault; so is
 * a database that cannot be reached (PostgreSQL restarting): UNAVAILABLE
 * (503), and the next job tries to reconnect again. */
static tc_err begin(struct tc_db *db, struct tc_dbc **cp, struct tc_fault *f)
{
	enum tc_qs qs = tc_exec_script(*cp, (*cp)->be->begin_sql);

	(*cp)->n_actors_seen = 0;
	if (qs != TC_QS_NONE && (*cp)->broken) {
		if (!reconnect(db, cp))
			return tc_fault_set(f, TC_ERR_UNAVAILABLE, NULL,
			                    "the database cannot be reached; try again shortly");
		qs = tc_exec_script(*cp, (*cp)->be->begin_sql);
		(*cp)->n_actors_seen = 0;
	}
	if (qs == TC_QS_NONE)
		return TC_ERR_OK;
	if (qs == TC_QS_RETRY)
		return tc_fault_set(f, TC_ERR_RETRY, NULL, NULL);
	return tc_fault_internal(f, TC_ERR_DB, "cannot begin a transaction");
}

static tc_err run_job(struct tc_dbc *c, struct tc_job *j)
{
	tc_err rc = j->actor ? tc_actor_still_current(c, j->actor, &j->fault) : TC_ERR_OK;

	return rc != TC_ERR_OK ? rc : j->run(c, j->cls, &j->fault);
}

/* Runs one job in a transaction of its own, retrying what the engine
 * calls retryable. Used for PostgreSQL, for inline jobs, and to replay a
 * SQLite batch whose commit failed. */
static void run_alone(struct tc_db *db, struct tc_dbc **cp, struct tc_job *j)
{
	for (j->attempts = 1;; j->attempts++) {
		tc_fault_clear(&j->fault);
		j->rc = begin(db, cp, &j->fault);
		if (j->rc == TC_ERR_OK) {
			struct tc_dbc *c = *cp;
			j->rc = run_job(c, j);
			if (j->rc == TC_ERR_OK && c->be->txn_failed(c))
				j->rc = tc_fault_internal(&j->fault, TC_ERR_DB,
				                          "a statement failed inside the job");
			if (j->rc == TC_ERR_OK) {
				enum tc_qs qs = tc_exec_script(c, "COMMIT");
				if (qs == TC_QS_NONE)
					return;
				j->rc = qs == TC_QS_RETRY
				                ? tc_fault_set(&j->fault, TC_ERR_RETRY, NULL, NULL)
				                : tc_fault_internal(&j->fault, TC_ERR_DB,
				                                    "COMMIT failed");
			}
			tc_exec_script(c, "ROLLBACK");
			/* the connection died under the job (the database stopped):
			 * not committed, or not known to be; the client may try again */
			if (c->broken)
				j->rc = tc_fault_set(&j->fault, TC_ERR_UNAVAILABLE, NULL,
				                     "the database connection was lost; try again");
		}
		if (j->rc != TC_ERR_RETRY || j->attempts >= 5)
			return;
		/* brief backoff before the next attempt */
		struct timespec ts = {0, 1000000L * j->attempts};
		nanosleep(&ts, NULL);
	}
}

/* Prepared once per connection like every other statement. */
static struct tc_sql q_savepoint = TC_SQL("SAVEPOINT job");
static struct tc_sql q_release = TC_SQL("RELEASE job");
static struct tc_sql q_rollback_to = TC_SQL("ROLLBACK TO job");

static bool savepoint_ok(struct tc_dbc *c, struct tc_sql *q)
{
	return tc_exec(c, q, NULL, 0, NULL, NULL) >= TC_QS_NONE;
}

/* ---- deferred work (db.h) ------------------------------------------------ */

bool tc_dbc_can_defer(const struct tc_dbc *c)
{
	return c->defer_ok;
}

/* The slot of `key` in the table, or of the empty slot it would take. */
static size_t dtab_slot(const struct tc_dbc *c, uint64_t key)
{
	size_t mask = c->dtab_cap - 1, i = (size_t)(key ^ (key >> 29)) & mask;

	while (c->dtab[i] && c->dtab[i]->defer_key != key)
		i = (i + 1) & mask;
	return i;
}

/* Files j (with a key not in the table yet), growing the table to keep it
 * at most half full. */
static void dtab_add(struct tc_dbc *c, struct tc_job *j)
{
	if (2 * (c->dtab_n + 1) > c->dtab_cap) {
		struct tc_job **old = c->dtab;
		size_t old_cap = c->dtab_cap;
		c->dtab_cap = old_cap ? 2 * old_cap : 256;
		c->dtab = tc_xcalloc(c->dtab_cap, sizeof(*c->dtab));
		for (size_t i = 0; i < old_cap; i++)
			if (old[i])
				c->dtab[dtab_slot(c, old[i]->defer_key)] = old[i];
		free(old);
	}
	c->dtab[dtab_slot(c, j->defer_key)] = j;
	c->dtab_n++;
}

void tc_job_defer(struct tc_dbc *c, struct tc_job *j, void (*prepare)(struct tc_job *j),
                  tc_err (*finish)(struct tc_dbc *c, struct tc_job *j,
                                   struct tc_fault *f),
                  uint64_t key)
{
	if (!c->defer_ok || j != c->running || j->deferred)
		tc_die("tc_job_defer: only the running job, once, in a batch that "
		       "defers");
	j->prepare = prepare;
	j->finish = finish;
	j->deferred = true;
	atomic_store_explicit(&j->prepared, false, memory_order_relaxed);
	j->defer_key = key;
	j->next_deferred = j->next_same_key = NULL;
	if (c->deferred_tail)
		c->deferred_tail->next_deferred = j;
	else
		c->deferred_head = j;
	c->deferred_tail = j;
	if (key == 0)
		return;
	struct tc_job *first = tc_dbc_deferred_find(c, key);
	if (first == NULL) {
		dtab_add(c, j);
		return;
	}
	while (first->next_same_key)
		first = first->next_same_key;
	first->next_same_key = j;
}

struct tc_job *tc_dbc_deferred_find(const struct tc_dbc *c, uint64_t key)
{
	return c->dtab_n ? c->dtab[dtab_slot(c, key)] : NULL;
}

/* Empties the running batch's lists (the table keeps its size). */
static void deferred_reset(struct tc_dbc *c)
{
	c->deferred_head = c->deferred_tail = c->running = NULL;
	if (c->dtab_n)
		memset(c->dtab, 0, c->dtab_cap * sizeof(*c->dtab));
	c->dtab_n = 0;
}

/* Prepares what the writer hands over, list after list, in order. */
static void *preparer_main(void *arg)
{
	struct tc_db *db = arg;

	pthread_setname_np(pthread_self(), "tc-prepare");
	pthread_mutex_lock(&db->pp_mu);
	for (;;) {
		while (db->pp_head == NULL && !db->pp_stop)
			pthread_cond_wait(&db->pp_cv, &db->pp_mu);
		struct tc_job *j = db->pp_head;
		if (j == NULL)
			break;
		db->pp_head = db->pp_tail = NULL;
		pthread_mutex_unlock(&db->pp_mu);
		while (j) {
			struct tc_job *next = j->pp_next;
			j->prepare(j);
			atomic_store_explicit(&j->prepared, true, memory_order_release);
			j = next;
		}
		pthread_mutex_lock(&db->pp_mu);
		pthread_cond_broadcast(&db->pp_done_cv);
	}
	pthread_mutex_unlock(&db->pp_mu);
	return NULL;
}

/* Hands the deferred jobs from `from` on to the preparer. */
static void hand_to_preparer(struct tc_db *db, struct tc_job *from)
{
	struct tc_job *last = from;

	if (from == NULL)
		return;
	for (struct tc_job *j = from; j; j = j->next_deferred) {
		j->pp_next = j->next_deferred;
		last = j;
	}
	pthread_mutex_lock(&db->pp_mu);
	if (db->pp_tail)
		db->pp_tail->pp_next = from;
	else
		db->pp_head = from;
	db->pp_tail = last;
	pthread_cond_signal(&db->pp_cv);
	pthread_mutex_unlock(&db->pp_mu);
}

static void wait_prepared(struct tc_db *db, struct tc_job *j)
{
	if (atomic_load_explicit(&j->prepared, memory_order_acquire))
		return;
	pthread_mutex_lock(&db->pp_mu);
	while (!atomic_load_explicit(&j->prepared, memory_order_acquire))
		pthread_cond_wait(&db->pp_done_cv, &db->pp_mu);
	pthread_mutex_unlock(&db->pp_mu);
}

/* Jobs are handed to the preparer in groups: one wake-up each. */
#define PREPARE_GROUP 16

/* Runs a batch in the open transaction. Fast: no savepoints, and the
 * first failing job stops the attempt (false: roll back and run the batch
 * again the careful way); jobs may defer part of their work (db.h), which
 * is finished, in order, once every job has run. Careful: every job in its
 * own savepoint, so a failing job is rolled back alone (false: the
 * transaction itself is broken); nothing is deferred. */
static bool run_jobs(struct tc_db *db, struct tc_dbc *c, struct tc_job *jobs,
                     bool careful)
{
	struct tc_job *unsent = NULL, *sent_last = NULL;
	int nunsent = 0;
	bool ok = true;

	c->defer_ok = !careful && db->has_preparer;
	deferred_reset(c);
	for (struct tc_job *j = jobs; j; j = j->next) {
		tc_fault_clear(&j->fault);
		j->attempts = 1;
		j->deferred = false;
		if (careful && !savepoint_ok(c, &q_savepoint))
			return false;
		c->running = j;
		j->rc = run_job(c, j);
		c->running = NULL;
		if (c->be->txn_failed(c)) {
			ok = false; /* the whole transaction is gone */
			break;
		}
		if (!careful) {
			if (j->rc != TC_ERR_OK) {
				ok = false;
				break;
			}
			if (j->deferred) {
				if (unsent == NULL)
					unsent = j;
				if (++nunsent == PREPARE_GROUP) {
					hand_to_preparer(db, unsent);
					sent_last = c->deferred_tail;
					unsent = NULL;
					nunsent = 0;
				}
			}
			continue;
		}
		if (j->rc != TC_ERR_OK && !savepoint_ok(c, &q_rollback_to))
			return false;
		if (!savepoint_ok(c, &q_release))
			return false;
	}
	c->defer_ok = false;
	if (ok && unsent) {
		hand_to_preparer(db, unsent);
		sent_last = c->deferred_tail;
	}
	for (struct tc_job *j = c->deferred_head; ok && j; j = j->next_deferred) {
		wait_prepared(db, j);
		j->rc = j->finish(c, j, &j->fault);
		if (c->be->txn_failed(c) || j->rc != TC_ERR_OK)
			ok = false;
	}
	/* the counters the jobs added to, one write a row; a failure here
	 * belongs to no job: the batch runs again the careful way, whose
	 * jobs count as they go */
	if (ok) {
		struct tc_fault f = { 0 };
		ok = tc_counts_flush(c, &f) == TC_ERR_OK && !c->be->txn_failed(c);
	}
	tc_counts_discard(c);
	/* The preparer may still be at work on what it was given: done with
	 * it before the batch is rolled back and run again. */
	if (sent_last)
		wait_prepared(db, sent_last);
	deferred_reset(c);
	return ok;
}

/* A failed sync of the log leaves it unknown what the disk holds of
 * frames that readers already see: the process stops, as PostgreSQL
 * does, and the next start recovers from what is on disk. Nobody was
 * told of the jobs that waited for it. */
static void log_sync(int fd)
{
	if (fd == -2 || (fd >= 0 && fdatasync(fd) != 0))
		tc_die("db: the write-ahead log could not be synced (%s); stopping "
		       "before any answer depends on it",
		       strerror(errno));
}

/* COMMIT. With a completer thread the sync of the log is its work
 * (jobs->log_fd): the writer starts the next batch while the disk
 * writes this one, and no job is done, so no client told, before the
 * sync. Readers may see the batch before it is durable; anything they do
 * with it is a write of its own, which a later sync covers. */
static enum tc_qs commit(struct tc_db *db, struct tc_dbc *c, struct tc_job *jobs)
{
	int fd = -1;
	enum tc_qs qs;

	if (!db->has_completer || c->be->commit_owing == NULL)
		return tc_exec_script(c, "COMMIT");
	qs = c->be->commit_owing(c, &fd);
	if (fd == -2)
		log_sync(fd); /* made by the backend, and failed: stops here */
	if (qs == TC_QS_NONE && fd < 0) /* SQLite synced it itself (walbuf.h) */
		db->batch_in_commit = true;
	if (qs == TC_QS_NONE)
		jobs->log_fd = fd;
	else if (fd >= 0)
		close(fd);
	return qs;
}

/* SQLite group commit: the queued jobs run in one transaction with one
 * COMMIT (one fsync of the WAL) for all of them. Most batches have no
 * failing job and run without savepoints, which cost a copy of every page
 * a job touches; a batch with a failing job is rolled back and run again
 * with a savepoint per job, so the failing one is undone alone. */
static void run_batch(struct tc_db *db, struct tc_dbc **cp, struct tc_job *jobs)
{
	struct tc_fault f = {0};
	bool careful = false;

	for (int attempt = 0; attempt < 2; attempt++, careful = true) {
		tc_err rc = begin(db, cp, &f);
		struct tc_dbc *c = *cp;
		if (rc != TC_ERR_OK) {
			/* Nothing ran: every job gets the same answer (busy: 503). */
			db->batch_in_commit = true; /* nothing to sync */
			for (struct tc_job *j = jobs; j; j = j->next) {
				j->rc = rc;
				j->fault = f;
				j->attempts = 1;
			}
			return;
		}
		if (run_jobs(db, c, jobs, careful) && commit(db, c, jobs) == TC_QS_NONE)
			return;
		if (!c->be->txn_failed(c))
			tc_exec_script(c, "ROLLBACK");
		if (careful)
			break;
	}
	/* Something failed for the batch as a whole: nothing of it is
	 * durable. Replay each job alone so one bad job cannot sink others. */
	tc_warn("db: batch commit failed; replaying its jobs one by one");
	db->batch_in_commit = true; /* each synced by its own COMMIT */
	for (struct tc_job *j = jobs; j; j = j->next)
		run_alone(db, cp, j);
}

/* Hands a finished batch to the completer thread (or finishes it here
 * when there is none). */
static void finish_jobs(struct tc_db *db, struct tc_job *jobs, size_t n);

static void hand_over(struct tc_db *db, struct tc_job *jobs, size_t n)
{
	struct tc_job *last = jobs;
	int64_t now = tc_mono_us();

	for (struct tc_job *j = jobs; j; j = j->next) {
		j->handed_us = now;
		last = j;
	}
	if (!db->has_completer) {
		finish_jobs(db, jobs, n);
		return;
	}
	pthread_mutex_lock(&db->q_mu);
	if (db->done_tail)
		db->done_tail->next = jobs;
	else
		db->done_head = jobs;
	db->done_tail = last;
	db->done_n += n;
	pthread_cond_signal(&db->done_cv);
	pthread_mutex_unlock(&db->q_mu);
}

/* The syncs of the log the batches' commits left (commit above), newest
 * first: the batches before it wrote their frames to the same file
 * before it did, so its sync covers them, and theirs are made only where
 * the file is another (the log was made anew in between). */
static void make_durable(struct tc_db *db, struct tc_job *jobs)
{
	struct tc_job *newest = NULL;
	struct stat synced, st;

	for (struct tc_job *j = jobs; j; j = j->next)
		if (j->log_fd >= 0)
			newest = j;
	if (newest == NULL)
		return;
	log_sync(newest->log_fd);
	atomic_fetch_add(&db->st_syncs_completer, 1);
	if (fstat(newest->log_fd, &synced) != 0)
		synced.st_ino = 0;
	for (struct tc_job *j = jobs; j; j = j->next) {
		if (j->log_fd < 0)
			continue;
		if (j != newest) {
			if (fstat(j->log_fd, &st) != 0 || st.st_ino != synced.st_ino ||
			    st.st_dev != synced.st_dev) {
				log_sync(j->log_fd);
				atomic_fetch_add(&db->st_syncs_completer, 1);
			} else {
				atomic_fetch_add(&db->st_syncs_shared, 1);
			}
		}
		close(j->log_fd);
		j->log_fd = -1;
	}
}

static void *completer_main(void *arg)
{
	struct tc_db *db = arg;

	pthread_setname_np(pthread_self(), "tc-complete");
	for (;;) {
		struct tc_job *jobs;
		size_t n;

		pthread_mutex_lock(&db->q_mu);
		while (db->done_head == NULL && !db->writers_gone)
			pthread_cond_wait(&db->done_cv, &db->q_mu);
		jobs = db->done_head;
		n = db->done_n;
		db->done_head = db->done_tail = NULL;
		db->done_n = 0;
		pthread_mutex_unlock(&db->q_mu);
		if (jobs == NULL)
			break; /* the writers are gone and nothing is left */
		make_durable(db, jobs);
		finish_jobs(db, jobs, n);
	}
	return NULL;
}

/* Holds the writer between two transactions (wal_hold), or lets it go. */
static void hold_writer(struct tc_db *db, bool hold)
{
	pthread_mutex_lock(&db->q_mu);
	db->wal_hold = hold;
	if (hold)
		while (db->writer_busy)
			pthread_cond_wait(&db->hold_cv, &db->q_mu);
	else
		pthread_cond_broadcast(&db->q_cv);
	pthread_mutex_unlock(&db->q_mu);
}

/* The checkpointer's memory of its last restart of the log. */
struct restarts {
	int64_t after_us; /* none before then (one gave up) */
	int log;          /* the log's length when it last started over */
};

/* Starts the log over once it is past opt.wal_restart_frames. Under a
 * steady stream of writes and reads it never does by itself: the writer
 * starts the log over only when everything in it has been copied back
 * and no reader is in it, and a reader always is. Quick passes first copy
 * what came in meanwhile, until one finds little new; then, with the
 * writer held between two transactions, the rest is copied and the
 * readers are waited for (2-10 ms in the dose benchmark). Without this
 * the log grew by 130 MB a second there, and the writer's CPU per dose
 * grew with it: 34 us with restarts at 256 MiB, 44-49 us when it was
 * let grow to 1 GiB. */
static int catch_up(struct tc_dbc *c, int *log, int *done)
{
	for (int pass = 0; pass < 8; pass++) {
		int before = *done;
		if (c->be->checkpoint(c, log, done) != 0)
			return -1;
		if (*log - before <= 256) /* 1 MiB came in meanwhile */
			break;
	}
	return 0;
}

static void wal_restart(struct tc_dbc *c, int log, int done, struct restarts *rs)
{
	struct tc_db *db = c->db;
	int64_t now = tc_mono_us();
	int rc;

	/* (after a restart the log keeps its length until the next write) */
	if (log < db->opt.wal_restart_frames || log == rs->log || now < rs->after_us)
		return;
	/* A hold that had to wait for a long transaction (an import's batch)
	 * lets the writer go again: what it wrote is copied by quick passes,
	 * not while the writer is held. */
	for (int round = 0; round < 3; round++) {
		int64_t asked;
		if (round > 0)
			hold_writer(db, false);
		if (catch_up(c, &log, &done) != 0)
			return;
		asked = tc_mono_us();
		hold_writer(db, true);
		if (tc_mono_us() - asked < 20 * 1000)
			break;
	}
	rc = c->be->wal_restart(c, &log);
	hold_writer(db, false);
	if (rc == 0) {
		rs->log = log;
		atomic_fetch_add(&db->st_wal_restarts, 1);
	} else {
		/* a long reader (a backup): try again a few seconds later */
		tc_debug("db: the log could not start over; again in 5 s");
		rs->after_us = now + 5 * 1000000LL;
	}
}

/* Copies the WAL into the database on its own connection: a PASSIVE
 * checkpoint never blocks the writer. Every 20 ms while commits come in,
 * so that the pages each pass writes to the database are few and their
 * writing is spread out (sq_checkpoint starts it): passes 200 ms apart
 * left 25 MB for each to write, which slowed the commits beside it; every
 * 200 ms when nothing came in since the last pass. */
static void *checkpointer_main(void *arg)
{
	struct tc_dbc *c = arg;
	struct tc_db *db = c->db;
	struct restarts rs = { 0, 0 };
	int prev_log = 0;
	long wait_ms = 200;

	pthread_setname_np(pthread_self(), "tc-checkpoint");
	pthread_mutex_lock(&db->q_mu);
	while (!db->writers_gone) {
		struct timespec ts;
		int log = 0, done = 0;
		bool gone;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += wait_ms * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&db->ck_cv, &db->q_mu, &ts);
		gone = db->writers_gone;
		pthread_mutex_unlock(&db->q_mu);
		if (c->be->checkpoint(c, &log, &done) == 0 && !gone)
			wal_restart(c, log, done, &rs);
		wait_ms = log != prev_log ? 20 : 200;
		prev_log = log;
		pthread_mutex_lock(&db->q_mu);
	}
	pthread_mutex_unlock(&db->q_mu);
	db->be->disconnect(c);
	return NULL;
}

static void finish_jobs(struct tc_db *db, struct tc_job *jobs, size_t n)
{
	int64_t now = tc_mono_us();
	struct tc_job *j = jobs;

	while (j) {
		struct tc_job *next = j->next;
		j->committed_us = now;
		tc_hist_add(&db->st_phase[TC_PHASE_QUEUE], j->picked_us - j->queued_us);
		tc_hist_add(&db->st_phase[TC_PHASE_BATCH], j->handed_us - j->picked_us);
		tc_hist_add(&db->st_phase[TC_PHASE_SYNC], now - j->handed_us);
		j->next = NULL;
		j->done(j); /* may free j */
		j = next;
	}
	pthread_mutex_lock(&db->q_mu);
	db->running -= (int)n;
	if (db->running == 0 && db->q_head == NULL)
		pthread_cond_broadcast(&db->idle_cv);
	pthread_mutex_unlock(&db->q_mu);
}

static void *writer_main(void *arg)
{
	struct tc_dbc *c = arg;
	struct tc_db *db = c->db;
	bool batching = db->be->kind == TC_DB_SQLITE;

	pthread_setname_np(pthread_self(), "tc-writer");
	for (;;) {
		struct tc_job *jobs, *last;
		size_t n = 0;

		pthread_mutex_lock(&db->q_mu);
		db->writer_busy = false;
		if (db->wal_hold)
			pthread_cond_signal(&db->hold_cv);
		while ((db->q_head == NULL && !db->stopping) || db->wal_hold)
			pthread_cond_wait(&db->q_cv, &db->q_mu);
		if (db->q_head == NULL) {
			pthread_mutex_unlock(&db->q_mu);
			break;
		}
		size_t max = batching ? (size_t)db->opt.max_batch : 1;
		int64_t now = tc_mono_us();
		jobs = last = db->q_head;
		last->picked_us = now;
		n = 1;
		while (n < max && last->next) {
			last = last->next;
			last->picked_us = now;
			n++;
		}
		db->q_head = last->next;
		if (db->q_head == NULL)
			db->q_tail = NULL;
		db->q_len -= n;
		db->running += (int)n;
		db->writer_busy = true;
		last->next = NULL;
		pthread_mutex_unlock(&db->q_mu);

		db->batch_in_commit = false;
		if (batching)
			run_batch(db, &c, jobs);
		else
			run_alone(db, &c, jobs);
		ended(db, c);
		count_batch(db, n);
		/* after the batch is counted, so that the syncs never outnumber
		 * the commits (tc_db_stats reads them first) */
		if (batching && db->has_completer && db->batch_in_commit)
			atomic_fetch_add(&db->st_syncs_in_commit, 1);
		hand_over(db, jobs, n);
	}
	db->be->disconnect(c);
	return NULL;
}

void tc_db_submit(struct tc_db *db, struct tc_job *j)
{
	j->queued_us = tc_mono_us();
	j->next = NULL;
	j->log_fd = -1;
	if (db->opt.no_writer) {
		/* Commands run one job at a time on their own connection. */
		pthread_mutex_lock(&db->q_mu);
		run_alone(db, &db->inline_conn, j);
		ended(db, db->inline_conn);
		count_batch(db, 1);
		pthread_mutex_unlock(&db->q_mu);
		j->committed_us = tc_mono_us();
		j->done(j);
		return;
	}
	pthread_mutex_lock(&db->q_mu);
	if (db->stopping || db->q_len >= db->q_max) {
		/* stopping, or so far behind that waiting helps nobody */
		pthread_mutex_unlock(&db->q_mu);
		j->rc = tc_fault_set(&j->fault, TC_ERR_UNAVAILABLE, NULL, NULL);
		j->done(j);
		return;
	}
	if (db->q_tail)
		db->q_tail->next = j;
	else
		db->q_head = j;
	db->q_tail = j;
	db->q_len++;
	pthread_cond_signal(&db->q_cv);
	pthread_mutex_unlock(&db->q_mu);
}

struct sync_wait {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
};

struct sync_job {
	struct tc_job job;
	struct sync_wait wait;
};

static void sync_job_done(struct tc_job *j)
{
	struct sync_job *sj = (struct sync_job *)j;
	pthread_mutex_lock(&sj->wait.mu);
	sj->wait.done = true;
	pthread_cond_signal(&sj->wait.cv);
	pthread_mutex_unlock(&sj->wait.mu);
}

tc_err tc_db_run(struct tc_db *db, tc_job_fn run, void *cls, struct tc_fault *f)
{
	struct sync_job sj;

	memset(&sj, 0, sizeof(sj));
	sj.job.run = run;
	sj.job.cls = cls;
	sj.job.done = sync_job_done;
	pthread_mutex_init(&sj.wait.mu, NULL);
	pthread_cond_init(&sj.wait.cv, NULL);
	tc_db_submit(db, &sj.job);
	pthread_mutex_lock(&sj.wait.mu);
	while (!sj.wait.done)
		pthread_cond_wait(&sj.wait.cv, &sj.wait.mu);
	pthread_mutex_unlock(&sj.wait.mu);
	pthread_mutex_destroy(&sj.wait.mu);
	pthread_cond_destroy(&sj.wait.cv);
	if (f)
		*f = sj.job.fault;
	return sj.job.rc;
}

void tc_db_drain(struct tc_db *db)
{
	pthread_mutex_lock(&db->q_mu);
	db->stopping = true;
	pthread_cond_broadcast(&db->q_cv);
	while (db->q_head || db->running)
		pthread_cond_wait(&db->idle_cv, &db->q_mu);
	pthread_mutex_unlock(&db->q_mu);
}

void tc_db_close(struct tc_db *db)
{
	if (db == NULL)
		return;
	if (!db->opt.no_writer)
		tc_db_drain(db);
	for (int i = 0; i < db->nthreads; i++)
		pthread_join(db->threads[i], NULL);
	free(db->threads);
	pthread_mutex_lock(&db->q_mu);
	db->writers_gone = true;
	pthread_cond_broadcast(&db->done_cv);
	pthread_cond_broadcast(&db->ck_cv);
	pthread_mutex_unlock(&db->q_mu);
	if (db->has_completer)
		pthread_join(db->completer, NULL);
	if (db->has_checkpointer)
		pthread_join(db->checkpointer, NULL);
	if (db->has_preparer) {
		pthread_mutex_lock(&db->pp_mu);
		db->pp_stop = true;
		pthread_cond_signal(&db->pp_cv);
		pthread_mutex_unlock(&db->pp_mu);
		pthread_join(db->preparer, NULL);
	}
	if (db->inline_conn)
		db->be->disconnect(db->inline_conn);
	while (db->pool_free) {
		struct tc_dbc *c = db->pool_free;
		db->pool_free = c->next_free;
		db->be->disconnect(c);
	}
	pthread_mutex_destroy(&db->pool_mu);
	pthread_cond_destroy(&db->pool_cv);
	pthread_mutex_destroy(&db->q_mu);
	pthread_cond_destroy(&db->q_cv);
	pthread_cond_destroy(&db->idle_cv);
	pthread_cond_destroy(&db->done_cv);
	pthread_cond_destroy(&db->ck_cv);
	pthread_cond_destroy(&db->hold_cv);
	pthread_mutex_destroy(&db->pp_mu);
	pthread_cond_destroy(&db->pp_cv);
	pthread_cond_destroy(&db->pp_done_cv);
	tc_db_units_free(db);
	pthread_mutex_destroy(&db->units_mu);
	pthread_mutex_destroy(&db->id_mu);
	free(db->where);
	free(db);
}

void tc_db_stats(struct tc_db *db, struct tc_db_stats *out)
{
	/* the syncs first: a batch is counted before its sync is */
	out->syncs_completer = atomic_load(&db->st_syncs_completer);
	out->syncs_shared = atomic_load(&db->st_syncs_shared);
	out->syncs_in_commit = atomic_load(&db->st_syncs_in_commit);
	out->batches = atomic_load(&db->st_batches);
	out->jobs = atomic_load(&db->st_jobs);
	for (int k = 0; k < 12; k++)
		out->batch_hist[k] = atomic_load(&db->st_hist[k]);
	out->wal_restarts = atomic_load(&db->st_wal_restarts);
}

const struct tc_hist *tc_db_phase_hist(struct tc_db *db, enum tc_write_phase p)
{
	return &db->st_phase[p];
}

tc_err tc_db_ping(struct tc_db *db)
{
	static struct tc_sql q = TC_SQL("SELECT 1");
	struct tc_dbc *c = tc_db_acquire(db);
	enum tc_qs qs;

	if (c == NULL)
		return TC_ERR_DB;
	qs = tc_exec(c, &q, NULL, 0, NULL, NULL);
	tc_db_release(db, c);
	return qs == TC_QS_ONE ? TC_ERR_OK : TC_ERR_DB;
}
