/* Test support: a real `tiemchung serve` on a free loopback port, a
 * throwaway database (SQLite file or a fresh PostgreSQL database in the
 * test cluster), and HTTP helpers on libcurl. Tests run under cmocka. */
#ifndef TC_TSUPPORT_H
#define TC_TSUPPORT_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- the database under test ------------------------------------------ */

/* Which backend: $TC_TEST_BACKEND ("sqlite" default, or "pg"). */
bool ts_is_pg(void);
/* A fresh, empty database: a new SQLite file in a temp dir, or a new
 * PostgreSQL database in the cluster at $TC_TEST_PG (a base URL such as
 * postgresql://user@127.0.0.1:5433). The string is malloc'd. */
char *ts_db_new(void);
/* Drops a PostgreSQL database made by ts_db_new, removes a SQLite file. */
void ts_db_drop(const char *where);
/* Runs `tiemchung migrate` and `seed-demo` on it; asserts success. */
void ts_db_seed(const char *where);

/* ---- processes --------------------------------------------------------- */

/* The binary under test: $TIEMCHUNG_BIN, else build/asan/tiemchung. */
const char *ts_bin(void);
/* Runs the binary with arguments (NULL-terminated), stdin from `input`
 * (may be NULL), stdout+stderr captured into *out (malloc'd, may be
 * NULL). Returns the exit status (or 128+signal). */
int ts_run(const char *input, char **out, const char *arg, ...);

struct ts_server {
	pid_t pid;
	int port;
	char base[64];     /* "http://127.0.0.1:PORT" */
	char log[256];     /* file with the server's stderr (and access log) */
	char *db;
};

/* Starts `serve --db DB --listen 127.0.0.1:0 --web web` plus extra args
 * (NULL-terminated) and waits for its "listening on" line. */
void ts_server_start(struct ts_server *s, const char *db, ...);
/* SIGTERM and wait; returns the exit status (0 expected). The log is
 * printed when the status is not 0, then removed with its directory. */
int ts_server_stop(struct ts_server *s);
/* The same, handing the whole log to the caller (malloc'd) first. */
int ts_server_stop_log(struct ts_server *s, char **log);
/* The server's log so far (malloc'd). */
char *ts_server_log(const struct ts_server *s);

/* ---- an SMS gateway ---------------------------------------------------- */

/* A real HTTP endpoint on a free loopback port that takes the server's
 * POSTed messages ({"to", "text", ...}) and keeps them, for tests of the
 * outbox and of one-time codes. */
struct ts_sms;
struct ts_sms *ts_sms_start(void);
/* "http://127.0.0.1:PORT/sms" */
const char *ts_sms_url(const struct ts_sms *g);
/* Waits up to `ms` for the next message to `to` not yet taken; returns its
 * text (malloc'd) or NULL. */
char *ts_sms_wait(struct ts_sms *g, const char *to, int ms);
/* The six-digit code in a text, or "" (static buffer). */
const char *ts_sms_code(const char *text);
void ts_sms_stop(struct ts_sms *g);

/* ---- HTTP -------------------------------------------------------------- */

struct ts_http; /* one keep-alive client */

struct ts_resp {
	long status;
	char *body;
	size_t len;
	json_t *json; /* parsed body, or NULL */
	char *headers;
};

struct ts_http *ts_http_new(const struct ts_server *s);
void ts_http_free(struct ts_http *h);
/* Connections this client opened so far. */
long ts_http_connects(struct ts_http *h);
/* Sends a request; body may be NULL. Content-Type is application/json
 * unless `ctype` says otherwise. token may be NULL. */
struct ts_resp ts_req(struct ts_http *h, const char *method, const char *path,
                      const char *token, const char *body);
struct ts_resp ts_req_ct(struct ts_http *h, const char *method, const char *path,
                         const char *token, const char *ctype, const char *body,
                         size_t len, const char *extra_header);
void ts_resp_free(struct ts_resp *r);

/* Logs in and returns the token (malloc'd); asserts success. */
char *ts_login(struct ts_http *h, const char *user, const char *password);
#define TS_DEMO_PASSWORD "tiemchung-demo"

/* The error code of a JSON error answer, or "". */
const char *ts_err_code(const struct ts_resp *r);
const char *ts_err_field(const struct ts_resp *r);

/* Asserts status and, when code is not NULL, the error code (and field
 * when not NULL). Frees the response. */
#define ts_expect(resp, st, code, field)                                       \
	ts_expect_at((resp), (st), (code), (field), __FILE__, __LINE__)
void ts_expect_at(struct ts_resp r, long status, const char *code,
                  const char *field, const char *file, int line);

/* printf into a malloc'd string. */
/* Sends a request and fails the test unless it answers `want`; gives the
 * parsed body (a new reference; NULL when it was not JSON). */
json_t *ts_call(struct ts_http *h, const char *method, const char *path,
                const char *token, const char *body, long want);
/* Doses of a lot on hand at a facility, read with GET /api/v1/stock as
 * `token` (-1: no balance at all). */
long long ts_on_hand(struct ts_http *h, const char *token, long long facility, long long lot);
/* Vietnam's date (UTC+7) `delta` days from today, "YYYY-MM-DD". */
void ts_vn_day(int delta, char out[11]);

char *ts_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A unique-enough suffix for names in this run. */
unsigned ts_rand(void);

#endif
