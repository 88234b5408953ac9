/* The whole database interface. No SQL lives outside src/db/.
 *
 * A struct tc_db is opened from a path (SQLite) or a postgresql:// URL.
 * Reads borrow a connection from a pool (tc_db_acquire / tc_db_release).
 * Writes are jobs: a function run inside a transaction on the writer side,
 * answered through `done` only after the transaction is durable.
 *   - SQLite: one writer thread takes every queued job, runs each inside
 *     its own SAVEPOINT of one transaction and commits the batch with a
 *     single fsync (group commit). A failing job is rolled back alone.
 *   - PostgreSQL: a pool of writer threads runs one transaction per job
 *     and retries serialization failures; the server groups the fsyncs.
 *
 * Queries are one function each, typed structs in and out, returning a
 * tc_qs. Strings in results are allocated from the arena passed in. */
#ifndef TC_DB_H
#define TC_DB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

struct tc_actor;
struct tc_arena;
struct tc_db;
struct tc_dbc;

/* What every query answers. */
enum tc_qs {
	TC_QS_HARD = -3,     /* error: logged where it happened */
	TC_QS_RETRY = -2,    /* serialization failure, deadlock, busy */
	TC_QS_CONFLICT = -1, /* a unique key already holds that value */
	TC_QS_NONE = 0,      /* no row matched */
	TC_QS_ONE = 1,       /* one row (or one row changed) */
	TC_QS_MANY = 2,      /* more than one */
};

/* Maps a failed status to an error code and fills the fault; NONE and
 * CONFLICT are the caller's to interpret, so they map to NOT_FOUND and
 * CONFLICT with no detail. */
tc_err tc_qs_err(enum tc_qs qs, struct tc_fault *f);

enum tc_db_kind { TC_DB_SQLITE, TC_DB_PG };

struct tc_db_options {
	int readers;        /* read-pool size cap (default 16) */
	int pg_writers;     /* PostgreSQL writer threads (default 8) */
	int max_batch;      /* SQLite jobs per commit (default 4096) */
	bool no_writer;     /* CLI commands: run jobs inline, no thread */
	int node_id;        /* 0..15: this server's part of the ids it draws */
	/* SQLite: synchronous=NORMAL instead of FULL on the write connection,
	 * so a commit no longer waits for the disk. Only the benchmarks set it
	 * (bench/dose_loop: the CPU ceiling of one writer); a server with it
	 * would answer before its data is durable. */
	bool sqlite_sync_normal;
	/* SQLite: the log starts over once it is past this many frames
	 * (default TC_WAL_RESTART_FRAMES, 256 MiB; tests set a few) */
	int wal_restart_frames;
};

/* Opens the database named by `where`. On failure returns NULL and writes
 * a reason to *why (malloc'd; caller frees). */
struct tc_db *tc_db_open(const char *where, const struct tc_db_options *opt,
                         char **why);
/* Stops the writer after it has finished every queued job, closes every
 * connection. Safe on NULL. */
void tc_db_close(struct tc_db *db);
enum tc_db_kind tc_db_kind(const struct tc_db *db);
/* "sqlite" or "postgresql". */
const char *tc_db_kind_name(const struct tc_db *db);

/* Borrow a read connection; never NULL unless the database is unreachable
 * (then NULL with the reason logged). Return it with tc_db_release. */
struct tc_dbc *tc_db_acquire(struct tc_db *db);
void tc_db_release(struct tc_db *db, struct tc_dbc *c);

/* ---- Write jobs ------------------------------------------------------- */

/* A job's run may be called more than once (a batch that failed as a
 * whole is replayed job by job; PostgreSQL retries serialization
 * failures): it must start from its inputs each time and never from what
 * an earlier attempt left in `cls`. */
typedef tc_err (*tc_job_fn)(struct tc_dbc *c, void *cls, struct tc_fault *f);

struct tc_job {
	tc_job_fn run;
	void *cls;
	/* The member of staff the job acts for, or NULL: their session and
	 * account are checked to hold, in the job's transaction, before run
	 * (tc_actor_still_current). */
	const struct tc_actor *actor;
	/* Called once, on a writer thread or inline, after the job's
	 * transaction is durable (rc == OK) or was rolled back (rc is the
	 * error, fault its detail). Must not block. */
	void (*done)(struct tc_job *j);
	tc_err rc;
	struct tc_fault fault;
	/* Filled by the writer: when the job was submitted, when the writer
	 * took its batch, when the batch was committed, and when it was
	 * durable and the job done. */
	int64_t queued_us, picked_us, handed_us, committed_us;
	int attempts;
	struct tc_job *next;
	/* The first job of a committed SQLite batch: the log to sync before
	 * the batch's jobs are done (-1: none). */
	int log_fd;
	/* Set by tc_job_defer; the writer's own. */
	void (*prepare)(struct tc_job *j);
	tc_err (*finish)(struct tc_dbc *c, struct tc_job *j, struct tc_fault *f);
	bool deferred;
	atomic_bool prepared;
	uint64_t defer_key;
	struct tc_job *next_deferred, *next_same_key, *pp_next;
};

/* Deferred work. On SQLite a batch of jobs runs on the one writer thread,
 * which is the bottleneck of every write: a job's run may leave the rest
 * of its work for later, when tc_dbc_can_defer says so. Then `prepare`
 * (work without the database, such as an answer's JSON) runs on a helper
 * thread while the writer goes on with the batch, and `finish` runs on
 * the writer, in the same transaction, after every job of the batch has
 * run and after its own prepare. A failing finish fails the job as a
 * failing run would (the batch is run again with a savepoint per job,
 * where nothing is deferred). */
bool tc_dbc_can_defer(const struct tc_dbc *c);
/* Only from the running job's own run, once: `j` is that job. `key` (not
 * 0) files it for tc_dbc_deferred_find. */
void tc_job_defer(struct tc_dbc *c, struct tc_job *j, void (*prepare)(struct tc_job *j),
                  tc_err (*finish)(struct tc_dbc *c, struct tc_job *j,
                                   struct tc_fault *f),
                  uint64_t key);
/* The first job deferred so far in the running batch with this key, in
 * order; the next ones are linked by next_same_key. NULL when none. */
struct tc_job *tc_dbc_deferred_find(const struct tc_dbc *c, uint64_t key);

/* Hands `j` to the writer. `done` always runs exactly once, possibly
 * before this returns (for example with UNAVAILABLE while stopping). */
void tc_db_submit(struct tc_db *db, struct tc_job *j);
/* Runs one job and waits for it: for commands and tests. */
tc_err tc_db_run(struct tc_db *db, tc_job_fn run, void *cls, struct tc_fault *f);
/* Stops taking jobs: later submits fail with UNAVAILABLE. Every job
 * already queued still runs. Waits until the queue is empty. */
void tc_db_drain(struct tc_db *db);

/* Moves on after every transaction of this process that ended or changed
 * a session or an account (a logout, an account edit, a purge), before
 * its jobs' `done` runs: what was read about sessions at an earlier
 * epoch may be stale (src/http/authcache.h). The queries that make such
 * changes (q_sessions.c, q_users.c) mark their transaction with
 * tc_dbc_auth_changed. */
uint64_t tc_db_auth_epoch(struct tc_db *db);
void tc_dbc_auth_changed(struct tc_dbc *c);

/* Counters for /metrics. */
struct tc_db_stats {
	uint64_t batches, jobs;
	/* batches by size: bucket k counts sizes in (2^(k-1), 2^k], the last
	 * one everything above 1024 */
	uint64_t batch_hist[12];
	uint64_t wal_restarts; /* SQLite: times the checkpointer had the log start over */
	/* SQLite with the completer thread: how each commit was made durable
	 * before it was answered. fdatasync calls of the log by the completer
	 * (one for the newest of the batches it found waiting); commits that
	 * a later commit's sync covered (the same log file, written before
	 * it); commits SQLite synced within the COMMIT (or that wrote
	 * nothing: a batch whose BEGIN failed; a batch replayed job by job
	 * after its commit failed counts once here). Their sum is the
	 * commits, once the writer is idle; a snapshot while it works may
	 * show fewer syncs, never more. */
	uint64_t syncs_completer, syncs_shared, syncs_in_commit;
};
void tc_db_stats(struct tc_db *db, struct tc_db_stats *out);

struct tc_hist;

/* Where the write jobs done so far spent their time, one histogram a
 * phase: queued until the writer took their batch; from then until the
 * batch was committed (the jobs before them in the batch, their own, the
 * rest, the COMMIT); from the commit until it was durable (SQLite: the
 * completer's sync of the log; PostgreSQL's COMMIT waits for its own, so
 * there it is within the batch's phase). A job run again alone after its
 * batch failed counts from its first batch. */
enum tc_write_phase { TC_PHASE_QUEUE, TC_PHASE_BATCH, TC_PHASE_SYNC, TC_PHASE__COUNT };
const struct tc_hist *tc_db_phase_hist(struct tc_db *db, enum tc_write_phase p);

/* A new id for a row of a table that grows with people (citizens,
 * registrations, ...): time-ordered, unique across servers with distinct
 * node ids, and below 2^53 so that JSON readers keep it exact. 41 bits of
 * milliseconds since 2024-01-01, 4 bits of node, 8 bits of sequence
 * (256 ids per millisecond per node; beyond that it borrows the next
 * millisecond). The first call seeds itself past the largest citizen or
 * registration id already stored, so a clock stepped back never repeats
 * an id. */
int64_t tc_db_next_id(struct tc_dbc *c);

/* ---- Maintenance ------------------------------------------------------ */

/* Schema version recorded in the database (0 for an empty one). */
tc_err tc_db_schema_version(struct tc_db *db, int *version);
/* The newest migration this program carries. */
int tc_db_schema_latest(const struct tc_db *db);
/* Applies every missing migration in order, each in its own transaction,
 * then loads the reference data found in `data_dir` (administrative
 * units, vaccine products) if it changed. Idempotent. Refuses a newer
 * schema. */
tc_err tc_db_migrate(struct tc_db *db, const char *data_dir, struct tc_fault *f,
                     struct tc_arena *a);
/* Fails with SCHEMA_TOO_NEW / SCHEMA_TOO_OLD unless the schema is exactly
 * the one this program carries. */
tc_err tc_db_check_schema(struct tc_db *db, struct tc_fault *f);
/* SQLite online backup into `dest` (a new file). */
tc_err tc_db_backup(struct tc_db *db, const char *dest, struct tc_fault *f,
                    struct tc_arena *a);
/* Cheap liveness probe for /healthz. */
tc_err tc_db_ping(struct tc_db *db);

/* Column names of every application table, "table.column" sorted, one
 * per line: for the test that both backends describe the same schema. */
tc_err tc_db_describe(struct tc_db *db, struct tc_arena *a, char **out);

/* ---- Records ---------------------------------------------------------- */

struct tc_unit {
	const char *code;
	const char *level; /* country, province, district, commune */
	const char *parent_code;
	const char *name;
	const char *name_with_type;
	const char *type;
	const char *slug;
	int64_t population; /* -1 when unknown */
	const char *path;   /* "VN/01/001/00001" */
	const char *cccd_code; /* provinces: the 3-digit code in CCCD numbers */
};

struct tc_facility {
	int64_t id;
	const char *kind;
	const char *name;
	const char *unit_code;
	const char *address;
	int64_t daily_capacity;
	bool active;
	const char *scope_path;
	int64_t created_at;
};

struct tc_user {
	int64_t id;
	const char *username;
	const char *password_hash; /* filled only by tc_q_user_by_username */
	const char *role;
	const char *unit_code;  /* NULL when the user belongs to a facility */
	int64_t facility_id;    /* 0 when the user belongs to a unit */
	const char *scope_path; /* jurisdiction */
	bool active;
	int64_t created_at;
	int64_t created_by; /* 0: created from the command line */
	const char *place_name; /* unit or facility name; filled by get and list */
	int64_t session_epoch;  /* sessions of an older epoch are dead */
};

struct tc_session {
	int64_t id;
	int64_t user_id;
	int64_t user_epoch; /* the user's session_epoch when it was made */
	int64_t created_at, last_seen_at, expires_at;
	int64_t idle_seconds;
};

struct tc_audit {
	int64_t id;
	int64_t at;
	int64_t actor_id; /* 0: command line or system */
	const char *actor;
	const char *action;
	const char *entity;
	const char *entity_id;
	const char *scope_path;
	const char *before_json; /* NULL or JSON text */
	const char *after_json;
};

/* A person. Strings are NFC UTF-8; keys are accent-free (names.h). */
struct tc_citizen {
	int64_t id;
	const char *id_type; /* cccd, cmnd, passport, none */
	const char *id_number;
	const char *full_name;
	const char *family_name;
	const char *given_name;
	const char *name_key;
	const char *last_word_key;
	const char *birth_date; /* "1990-05-17", "1990-05" or "1990" */
	int64_t birth_year;
	const char *gender; /* male, female, or NULL */
	const char *phone;  /* "+84xxxxxxxxx" or NULL */
	const char *commune_code;
	const char *address;
	const char *nationality;
	int64_t priority_group; /* 0: none */
	int64_t guardian_id;    /* 0: none */
	const char *scope_path; /* where the person lives */
	const char *verification;
	const char *flags; /* comma-separated, "" for none */
	const char *qr_token;
	const char *source; /* staff, self, import, dose_record */
	int64_t version;
	int64_t created_at, updated_at;
	int64_t created_by; /* 0: not a staff member */
};

/* A likely duplicate waiting for review. */
struct tc_duplicate {
	int64_t citizen_id, other_id;
	const char *reason; /* same_phone, same_commune */
	int64_t found_at;
};

/* A one-time code waiting for its phone. */
struct tc_otp {
	const char *phone;
	const char *code_hash; /* hex SHA-256 of salt || phone || code */
	const char *salt;
	int64_t created_at, expires_at;
	int64_t attempts;
};

/* A citizen's session (by verified phone). */
struct tc_csession {
	int64_t id;
	const char *phone;
	int64_t created_at, last_seen_at, expires_at;
};

/* A message to a person, waiting for (or sent by) the SMS gateway. */
struct tc_message {
	int64_t id;
	const char *channel; /* sms */
	const char *recipient;
	const char *kind; /* otp, appointment, ... */
	const char *body;
	const char *status; /* queued, sent, failed */
	int64_t attempts;
	int64_t next_try, created_at, sent_at;
	const char *last_error;
};

/* An import of a spreadsheet. */
struct tc_import {
	int64_t id;
	const char *kind; /* citizens */
	const char *file_name;
	const char *file_sha256;
	const char *format;   /* csv, xlsx, xls */
	const char *encoding; /* utf-8, windows-1258, tcvn3 */
	const char *header;   /* JSON array of the header cells */
	const char *status;   /* running, done, failed */
	int64_t rows, accepted, rejected, unchanged;
	int64_t last_row; /* the source row committed up to */
	int64_t progress; /* thousandths of the file read */
	const char *error;
	const char *scope_path;
	const char *runner; /* the run that owns the job */
	int64_t created_by;
	int64_t created_at, updated_at;
};

struct tc_import_reject {
	int64_t row_no;
	const char *field;
	const char *reason;
	const char *cells; /* JSON array of the row's original cells */
};

/* A page of a list: `limit` rows after skipping `offset`. */
struct tc_page {
	int64_t limit, offset;
};

/* Administrative units in memory: reference data, reloaded when `migrate`
 * loaded new files (noticed within ten seconds). `c` is used only to
 * (re)load. NULL when they cannot be read. The generation stays valid
 * until the database is closed. */
struct tc_units;
const struct tc_units *tc_db_units(struct tc_dbc *c);
const struct tc_unit *tc_units_get(const struct tc_units *u, const char *code);
size_t tc_units_nchildren(const struct tc_units *u, const char *code);
/* Which three-digit CCCD codes are provinces (from provinces.csv). */
struct tc_cccd_table;
const struct tc_cccd_table *tc_units_cccd(const struct tc_units *u);
/* The body of GET /api/v1/units?parent=CODE, or NULL for no such unit. */
const char *tc_units_children_json(const struct tc_units *u, const char *code,
                                   size_t *len);

/* units */
enum tc_qs tc_q_unit_get(struct tc_dbc *c, const char *code, struct tc_arena *a,
                         struct tc_unit *out);
enum tc_qs tc_q_units_children(struct tc_dbc *c, const char *parent,
                               struct tc_arena *a, struct tc_unit **out,
                               size_t *n);
enum tc_qs tc_q_unit_upsert(struct tc_dbc *c, const struct tc_unit *u);
enum tc_qs tc_q_units_count(struct tc_dbc *c, int64_t *n);

/* reference data fingerprints */
enum tc_qs tc_q_refdata_get(struct tc_dbc *c, const char *name,
                            struct tc_arena *a, const char **sha256);
enum tc_qs tc_q_refdata_set(struct tc_dbc *c, const char *name,
                            const char *sha256, int64_t now);

/* facilities */
/* Inserts fac under the unit whose path is `unit_path`; sets fac->id and
 * fac->scope_path (the facility's own "<unit path>/F<id>", from `a`).
 * Safe to call again when a job is replayed. */
enum tc_qs tc_q_facility_insert(struct tc_dbc *c, const char *unit_path,
                                struct tc_facility *fac, struct tc_arena *a);
enum tc_qs tc_q_facility_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                             struct tc_facility *out);
enum tc_qs tc_q_facility_by_name(struct tc_dbc *c, const char *unit_code,
                                 const char *name, struct tc_arena *a,
                                 struct tc_facility *out);
/* Facilities whose scope lies under `scope` (a path prefix), optionally of
 * one kind (NULL for any). */
enum tc_qs tc_q_facilities_list(struct tc_dbc *c, const char *scope,
                                const char *kind, struct tc_page page,
                                struct tc_arena *a, struct tc_facility **out,
                                size_t *n);

/* users */
/* Sets u->id. */
enum tc_qs tc_q_user_insert(struct tc_dbc *c, struct tc_user *u);
enum tc_qs tc_q_user_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                         struct tc_user *out);
enum tc_qs tc_q_user_by_username(struct tc_dbc *c, const char *username,
                                 struct tc_arena *a, struct tc_user *out);
/* Writes role, unit, facility, scope and active of `after`, and moves
 * its session epoch on by one, only if the stored row still has the role,
 * scope, active flag and epoch of `before` (NONE otherwise: it changed
 * meanwhile). */
enum tc_qs tc_q_user_update(struct tc_dbc *c, const struct tc_user *before,
                            const struct tc_user *after);
enum tc_qs tc_q_user_set_password(struct tc_dbc *c, int64_t id,
                                  const char *hash);
enum tc_qs tc_q_users_list(struct tc_dbc *c, const char *scope, const char *role,
                           struct tc_page page, struct tc_arena *a,
                           struct tc_user **out, size_t *n);

/* sessions (tokens are stored only as their SHA-256, in hex) */
/* Sets s->id. */
enum tc_qs tc_q_session_insert(struct tc_dbc *c, const char *token_hash,
                               struct tc_session *s);
/* The session and its user, if the user is still active and the session
 * was made in the user's current epoch. */
enum tc_qs tc_q_session_lookup(struct tc_dbc *c, const char *token_hash,
                               struct tc_arena *a, struct tc_session *s,
                               struct tc_user *u);
/* ONE when the session is alive and its user still has that role and
 * jurisdiction: checked inside a write that depends on them. Looked up
 * once per transaction, unless the transaction changed a session or an
 * account (tc_dbc_auth_changed). */
enum tc_qs tc_q_actor_current(struct tc_dbc *c, int64_t session_id, const char *role,
                              const char *scope);
enum tc_qs tc_q_session_touch(struct tc_dbc *c, int64_t id, int64_t now);
enum tc_qs tc_q_session_delete(struct tc_dbc *c, int64_t id);
enum tc_qs tc_q_sessions_delete_user(struct tc_dbc *c, int64_t user_id);
/* Deletes sessions past their absolute end or unused since idle_before. */
enum tc_qs tc_q_sessions_purge(struct tc_dbc *c, int64_t now, int64_t idle_before);

/* failed-login counters per (scope, key) in a fixed window */
enum tc_qs tc_q_authfail_get(struct tc_dbc *c, const char *scope,
                             const char *key, int64_t window_start,
                             int64_t *failures);
enum tc_qs tc_q_authfail_add(struct tc_dbc *c, const char *scope,
                             const char *key, int64_t now, int64_t window_start);
/* Counts one more attempt in the window and gives the new count: an
 * attempt is reserved before the password is checked, so concurrent
 * guesses cannot all slip under the limit. */
enum tc_qs tc_q_authfail_reserve(struct tc_dbc *c, const char *scope,
                                 const char *key, int64_t now, int64_t window_start,
                                 int64_t *attempts);
enum tc_qs tc_q_authfail_clear(struct tc_dbc *c, const char *scope,
                               const char *key);

/* Deletes counters whose window began before `before`. */
enum tc_qs tc_q_authfail_purge(struct tc_dbc *c, int64_t before);

/* citizens */
/* Inserts the citizen (c->id already drawn with tc_db_next_id). */
enum tc_qs tc_q_citizen_insert(struct tc_dbc *c, const struct tc_citizen *ct);
enum tc_qs tc_q_citizen_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                            struct tc_citizen *out);
enum tc_qs tc_q_citizen_by_qr(struct tc_dbc *c, const char *token, struct tc_arena *a,
                              struct tc_citizen *out);
/* Writes every field of `after` and moves its version on by one, only if
 * the stored version is still before->version (NONE otherwise). */
enum tc_qs tc_q_citizen_update(struct tc_dbc *c, const struct tc_citizen *before,
                               const struct tc_citizen *after);
enum tc_qs tc_q_citizen_set_qr(struct tc_dbc *c, int64_t id, const char *token,
                               int64_t now);
/* Citizens under `scope` whose name key, or the key of the name's last
 * word, starts with `key` (NULL: any), ordered by name. */
enum tc_qs tc_q_citizens_search(struct tc_dbc *c, const char *scope, const char *key,
                                struct tc_page page, struct tc_arena *a,
                                struct tc_citizen **out, size_t *n);
/* Citizens registered with a phone (a household shares one). */
enum tc_qs tc_q_citizens_by_phone(struct tc_dbc *c, const char *phone,
                                  struct tc_arena *a, struct tc_citizen **out,
                                  size_t *n);

/* Identity documents: "cccd:001090001234", "cmnd:012345678",
 * "passport:US:X1234567". CONFLICT when the key belongs to someone. */
enum tc_qs tc_q_document_claim(struct tc_dbc *c, const char *doc_key, int64_t citizen_id);
enum tc_qs tc_q_document_owner(struct tc_dbc *c, const char *doc_key,
                               int64_t *citizen_id);
enum tc_qs tc_q_document_release(struct tc_dbc *c, const char *doc_key,
                                 int64_t citizen_id);

/* Records the likely duplicates of `ct` (same name key and birth date, and
 * the same phone or commune) for review; *found is how many. */
enum tc_qs tc_q_duplicates_find(struct tc_dbc *c, const struct tc_citizen *ct,
                                int64_t now, int64_t *found);
enum tc_qs tc_q_duplicates_list(struct tc_dbc *c, const char *scope, struct tc_page page,
                                struct tc_arena *a, struct tc_duplicate **out,
                                size_t *n);

/* one-time codes: one live code per phone (a new one replaces it) */
enum tc_qs tc_q_otp_put(struct tc_dbc *c, const struct tc_otp *o);
enum tc_qs tc_q_otp_get(struct tc_dbc *c, const char *phone, struct tc_arena *a,
                        struct tc_otp *out);
/* Counts one more verification attempt on a live code that has attempts
 * left and gives it back with the new count (NONE: no such code, expired
 * or used up). Reserving first keeps concurrent guesses within the limit. */
enum tc_qs tc_q_otp_attempt(struct tc_dbc *c, const char *phone, int64_t now,
                            int64_t max_attempts, struct tc_arena *a, struct tc_otp *out);
enum tc_qs tc_q_otp_delete(struct tc_dbc *c, const char *phone);

/* citizens' sessions (token stored as its SHA-256 in hex); sets s->id */
enum tc_qs tc_q_csession_insert(struct tc_dbc *c, const char *token_hash,
                                struct tc_csession *s);
enum tc_qs tc_q_csession_lookup(struct tc_dbc *c, const char *token_hash,
                                struct tc_arena *a, struct tc_csession *out);
enum tc_qs tc_q_csession_touch(struct tc_dbc *c, int64_t id, int64_t now);
enum tc_qs tc_q_csession_delete(struct tc_dbc *c, int64_t id);
enum tc_qs tc_q_csessions_purge(struct tc_dbc *c, int64_t now, int64_t idle_before);

/* the outbox */
enum tc_qs tc_q_outbox_add(struct tc_dbc *c, const struct tc_message *m);
/* Queued messages whose next try is due, oldest first. */
enum tc_qs tc_q_outbox_due(struct tc_dbc *c, int64_t now, int64_t limit,
                           struct tc_arena *a, struct tc_message **out, size_t *n);
/* Takes a due message for one delivery attempt by moving its next try to
 * `lease_until` (NONE: another sender took it first): servers sharing a
 * database never send a message twice at once. */
enum tc_qs tc_q_outbox_claim(struct tc_dbc *c, const struct tc_message *m,
                             int64_t lease_until);
/* Records the outcome of a delivery attempt. A one-time code's text is
 * blanked once it is sent or given up: the code lives only hashed. */
enum tc_qs tc_q_outbox_mark(struct tc_dbc *c, const struct tc_message *m);
/* The newest messages to a recipient (operators, tests). */
enum tc_qs tc_q_outbox_for(struct tc_dbc *c, const char *recipient, int64_t limit,
                           struct tc_arena *a, struct tc_message **out, size_t *n);

/* imports */
/* Sets j->id. */
enum tc_qs tc_q_import_insert(struct tc_dbc *c, struct tc_import *j);
enum tc_qs tc_q_import_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                           struct tc_import *out);
/* The unfinished job of the same file (same SHA-256, same scope), if any. */
enum tc_qs tc_q_import_unfinished(struct tc_dbc *c, const char *sha256, const char *scope,
                                  struct tc_arena *a, struct tc_import *out);
/* Writes status, counters, last_row, progress and error, only while
 * j->runner still owns the job (NONE: another run took it over). */
enum tc_qs tc_q_import_update(struct tc_dbc *c, const struct tc_import *j);
/* Takes an unfinished job over for `runner` if no run has marked it since
 * `stale_before` (NONE: it is alive, or another run took it first). */
enum tc_qs tc_q_import_claim(struct tc_dbc *c, int64_t id, const char *runner,
                             int64_t stale_before, int64_t now);
enum tc_qs tc_q_imports_list(struct tc_dbc *c, const char *scope, struct tc_page page,
                             struct tc_arena *a, struct tc_import **out, size_t *n);
enum tc_qs tc_q_import_reject_add(struct tc_dbc *c, int64_t job_id,
                                  const struct tc_import_reject *r);
/* Rejected rows after row `after`, in row order. */
enum tc_qs tc_q_import_rejects(struct tc_dbc *c, int64_t job_id, int64_t after,
                               int64_t limit, struct tc_arena *a,
                               struct tc_import_reject **out, size_t *n);
/* The citizen who holds a document, in one lookup. */
enum tc_qs tc_q_citizen_by_document(struct tc_dbc *c, const char *doc_key,
                                    struct tc_arena *a, struct tc_citizen *out);
/* A person without a document already on file with the same name key,
 * birth date and commune (how a list without numbers is not imported
 * twice). */
enum tc_qs tc_q_citizen_undocumented(struct tc_dbc *c, const char *name_key,
                                     const char *birth_date, const char *commune_code,
                                     struct tc_arena *a, struct tc_citizen *out);

/* audit (append-only) */
enum tc_qs tc_q_audit_insert(struct tc_dbc *c, const struct tc_audit *e);
/* Entries under `scope`, optionally for one entity and id (NULL for any),
 * newest first. */
enum tc_qs tc_q_audit_list(struct tc_dbc *c, const char *scope,
                           const char *entity, const char *entity_id,
                           struct tc_page page, struct tc_arena *a,
                           struct tc_audit **out, size_t *n);

/* ---- Registrations, vaccination sessions and vaccine products ---------- */

/* A COVID-19 vaccine medicinal product of the EU DCC value set. */
struct tc_product {
	const char *code; /* "EU/1/20/1528", "Covishield", ... */
	const char *name;
	bool active;
};

/* A session at a vaccination site. */
struct tc_vsession {
	int64_t id;
	int64_t site_id;
	const char *day;    /* "2026-03-15", a date in Asia/Ho_Chi_Minh */
	const char *starts; /* "07:30" */
	const char *ends;   /* "11:00", after starts */
	const char *product;
	int64_t capacity, booked;
	const char *status;     /* open, closed, cancelled */
	const char *scope_path; /* the site's */
	int64_t created_at;
	int64_t created_by; /* 0: not a staff member */
	const char *site_name; /* filled by get and list */
};

/* A person's registration for vaccination. */
struct tc_registration {
	int64_t id; /* drawn with tc_db_next_id */
	int64_t citizen_id;
	const char *status; /* pending, approved, allocated, scheduled, done,
	                     * rejected, cancelled */
	int64_t priority_group; /* 0: none */
	const char *scope_path; /* where the person lives */
	const char *district_code; /* allocated to; NULL before */
	int64_t session_id;        /* 0: not scheduled */
	const char *reason;        /* rejected or cancelled: why */
	const char *source;        /* staff, self */
	int64_t created_at, updated_at;
	int64_t version;
	/* filled by get and the lists: the person, and the appointment when
	 * scheduled (NULL / 0 otherwise) */
	const char *full_name, *birth_date, *phone, *commune_code, *gender;
	const char *day, *starts, *ends, *site_name;
	int64_t site_id;
};

/* Which registrations a list (or a bulk action) takes. */
struct tc_reg_filter {
	const char *scope;    /* under this jurisdiction path, where they live */
	const char *district; /* a district code: those allocated to it as well */
	const char *status;   /* one status, "open" for any open one, NULL any */
	int64_t priority_group; /* 0: any */
	/* the latest day the birth date may stand for lies on or before
	 * born_by (at least that old) and after born_after (younger than
	 * that); NULL: no bound */
	const char *born_by, *born_after;
	int64_t from_us, to_us; /* registered in [from, to); 0: no bound */
};

/* products (with every attribute: tc_q_product_info*, stock.h) */
enum tc_qs tc_q_product_get(struct tc_dbc *c, const char *code, struct tc_arena *a,
                            struct tc_product *out);

/* vaccination sessions */
/* Sets s->id. */
enum tc_qs tc_q_vsession_insert(struct tc_dbc *c, struct tc_vsession *s);
enum tc_qs tc_q_vsession_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                             struct tc_vsession *out);
/* Sessions under `scope`, of one site (0: any) and one day (NULL: any),
 * by day, start and id. */
enum tc_qs tc_q_vsessions_list(struct tc_dbc *c, const char *scope, int64_t site_id,
                               const char *day, struct tc_page page, struct tc_arena *a,
                               struct tc_vsession **out, size_t *n);
/* Takes one place: ONE when the session is open and had one free, NONE
 * otherwise. Concurrent callers never take more than the capacity. */
enum tc_qs tc_q_vsession_book(struct tc_dbc *c, int64_t id);
/* Gives one place back. */
enum tc_qs tc_q_vsession_unbook(struct tc_dbc *c, int64_t id);
/* Writes capacity and status of `after` (booked set to 0 when cancelled)
 * only if the stored row still has the status of `before` and no more
 * places booked than the new capacity (NONE otherwise). */
enum tc_qs tc_q_vsession_update(struct tc_dbc *c, const struct tc_vsession *before,
                                const struct tc_vsession *after);

/* registrations */
/* Inserts r (id already drawn). CONFLICT when the person already has an
 * open registration. */
enum tc_qs tc_q_registration_insert(struct tc_dbc *c, const struct tc_registration *r);
/* The person's open registration, if any. */
enum tc_qs tc_q_registration_open_for(struct tc_dbc *c, int64_t citizen_id,
                                      int64_t *id);
enum tc_qs tc_q_registration_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                                 struct tc_registration *out);
/* Writes status, district, session, reason and updated_at of `after` and
 * moves the version on by one, only if the stored version is still
 * before->version (NONE otherwise). */
enum tc_qs tc_q_registration_update(struct tc_dbc *c, const struct tc_registration *before,
                                    const struct tc_registration *after);
/* The site's step: a scheduled registration is done (NONE: it is not
 * scheduled); *scope is its jurisdiction path (from `a`). */
enum tc_qs tc_q_registration_complete(struct tc_dbc *c, int64_t id, int64_t now,
                                      struct tc_arena *a, const char **scope);
/* Registrations matching the filter, in the order bulk actions take them:
 * priority group first (none last), then the oldest. */
enum tc_qs tc_q_registrations_list(struct tc_dbc *c, const struct tc_reg_filter *flt,
                                   struct tc_page page, struct tc_arena *a,
                                   struct tc_registration **out, size_t *n);
/* The registrations of the people registered with a phone, newest first. */
enum tc_qs tc_q_registrations_by_phone(struct tc_dbc *c, const char *phone,
                                       struct tc_arena *a, struct tc_registration **out,
                                       size_t *n);
/* The registrations scheduled into a session. */
enum tc_qs tc_q_registrations_in_session(struct tc_dbc *c, int64_t session_id,
                                         struct tc_arena *a, struct tc_registration **out,
                                         size_t *n);

/* ---- Idempotency keys --------------------------------------------------- */

/* The first answer to a write that carried an Idempotency-Key, kept a day
 * (the server's housekeeping purges older ones). */
struct tc_idem_entry {
	const char *actor_key;   /* "u<user id>" or "c<phone>" */
	const char *idem_key;    /* as the client sent it */
	const char *request_sha; /* hex SHA-256 of method, path and body */
	int64_t status;          /* HTTP status; 0 while the write that took it runs */
	const char *body;        /* the answer's JSON */
	int64_t created_at;
};

enum tc_qs tc_q_idem_get(struct tc_dbc *c, const char *actor_key, const char *idem_key,
                         struct tc_arena *a, struct tc_idem_entry *out);
/* Takes the key (actor_key, idem_key, request_sha, created_at) for the
 * write in progress, with no answer yet: ONE when taken, NONE when the
 * key is already there. On PostgreSQL it waits for a concurrent
 * transaction that took the same key, then answers NONE if that one
 * committed: the caller retries its job (TC_ERR_RETRY) and finds the
 * answer. */
enum tc_qs tc_q_idem_reserve(struct tc_dbc *c, const struct tc_idem_entry *e);
/* Stores status and body for the key taken by tc_q_idem_reserve in the
 * same transaction. */
/* Takes a key and stores its answer at once (ONE; NONE: already there):
 * where one writer runs the jobs one after another (SQLite), nothing can
 * come between looking a key up and writing it. */
enum tc_qs tc_q_idem_put(struct tc_dbc *c, const struct tc_idem_entry *e);
enum tc_qs tc_q_idem_answer(struct tc_dbc *c, const struct tc_idem_entry *e);
/* Deletes the keys created before `before`. */
enum tc_qs tc_q_idem_purge(struct tc_dbc *c, int64_t before);

#endif
