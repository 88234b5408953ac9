/* PostgreSQL backend: libpq, text-format parameters, statements prepared
 * once per connection as "s<slot>", sessions in UTC with ISO dates. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"
#include "../core/tctime.h"
#include "../core/util.h"
#include "dbi.h"

struct pg_conn {
	struct tc_dbc base;
	PGconn *h;
	unsigned char *prepared; /* by slot */
	int nprepared;
};

static int pg_connect(struct tc_db *db, bool writer, struct tc_dbc **out,
                      char **why)
{
	struct pg_conn *c = tc_xcalloc(1, sizeof(*c));
	PGresult *res;

	/* Bounded waits everywhere: a hung server or a stuck lock must turn
	 * into an error, not into suspended requests that never return. */
	const char *const keys[] = {"dbname", "connect_timeout", NULL};
	const char *const vals[] = {db->where, "10", NULL};
	c->h = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c->h) != CONNECTION_OK) {
		if (asprintf(why, "cannot connect to PostgreSQL: %s",
		             PQerrorMessage(c->h)) < 0)
			*why = NULL;
		PQfinish(c->h);
		free(c);
		return -1;
	}
	res = PQexec(c->h, "SET TimeZone = 'UTC'; SET DateStyle = 'ISO';"
	                   " SET client_encoding = 'UTF8';"
	                   " SET client_min_messages = 'warning';"
	                   " SET statement_timeout = '30s'; SET lock_timeout = '5s';"
	                   " SET idle_in_transaction_session_timeout = '60s'");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		if (asprintf(why, "cannot set up PostgreSQL session: %s",
		             PQerrorMessage(c->h)) < 0)
			*why = NULL;
		PQclear(res);
		PQfinish(c->h);
		free(c);
		return -1;
	}
	PQclear(res);
	c->base.be = &tc_backend_pg;
	c->base.db = db;
	c->base.writer = writer;
	*out = &c->base;
	return 0;
}

static void pg_disconnect(struct tc_dbc *base)
{
	struct pg_conn *c = (struct pg_conn *)base;

	PQfinish(c->h);
	free(c->prepared);
	free(c);
}

static enum tc_qs pg_status(struct pg_conn *c, PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(c->h) != CONNECTION_OK) {
		c->base.broken = true;
		tc_error("db: PostgreSQL connection lost: %s", PQerrorMessage(c->h));
		/* a read may simply be asked again (503) once the pool has
		 * reconnected; a writer's job is answered by run_alone, which
		 * knows whether anything may have been committed */
		return c->base.writer ? TC_QS_HARD : TC_QS_RETRY;
	}
	if (state) {
		if (strcmp(state, "23505") == 0)
			return TC_QS_CONFLICT;
		if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
		    strcmp(state, "55P03") == 0)
			return TC_QS_RETRY;
	}
	tc_error("db: PostgreSQL error %s: %s in: %.200s", state ? state : "?",
	         res ? PQresultErrorMessage(res) : PQerrorMessage(c->h), what);
	return TC_QS_HARD;
}

static bool ensure_prepared(struct pg_conn *c, struct tc_sql *q, int slot,
                            const char *name)
{
	const char *text = q->pg ? q->pg : q->text;

	if (slot >= c->nprepared) {
		int n = c->nprepared ? c->nprepared : 64;
		while (n <= slot)
			n *= 2;
		c->prepared = tc_xrealloc(c->prepared, (size_t)n);
		memset(c->prepared + c->nprepared, 0, (size_t)(n - c->nprepared));
		c->nprepared = n;
	}
	if (c->prepared[slot])
		return true;
	PGresult *res = PQprepare(c->h, name, text, 0, NULL);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		pg_status(c, res, text);
	PQclear(res);
	c->prepared[slot] = ok;
	return ok;
}

#define MAX_PARAMS 32

static enum tc_qs pg_exec(struct tc_dbc *base, struct tc_sql *q, int slot,
                          const struct tc_dbv *p, int np, tc_row_fn fn, void *cls)
{
	struct pg_conn *c = (struct pg_conn *)base;
	char name[16];
	char nums[MAX_PARAMS][TC_TIME_TEXT_LEN];
	const char *values[MAX_PARAMS];
	struct tc_dbrow row = {.be = &tc_backend_pg};
	enum tc_qs qs = TC_QS_NONE;
	PGresult *res;

	if (np > MAX_PARAMS)
		tc_die("too many SQL parameters (%d)", np);
	snprintf(name, sizeof(name), "s%d", slot);
	if (!ensure_prepared(c, q, slot, name))
		return TC_QS_HARD;
	for (int i = 0; i < np; i++) {
		switch (p[i].type) {
		case TC_V_NULL:
			values[i] = NULL;
			break;
		case TC_V_I64:
			snprintf(nums[i], sizeof(nums[i]), "%lld", (long long)p[i].i);
			values[i] = nums[i];
			break;
		case TC_V_BOOL:
			values[i] = p[i].i ? "true" : "false";
			break;
		case TC_V_TEXT:
			values[i] = p[i].s;
			break;
		case TC_V_TIME:
			tc_time_format(p[i].i, nums[i]);
			values[i] = nums[i];
			break;
		}
	}
	res = PQexecPrepared(c->h, name, np, values, NULL, NULL, 0);
	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK: {
		int n = PQntuples(res);
		row.h = res;
		for (int i = 0; i < n; i++) {
			row.row = i;
			if (fn && fn(cls, &row) != 0)
				break;
		}
		qs = n > 1 ? TC_QS_MANY : n == 1 ? TC_QS_ONE : TC_QS_NONE;
		break;
	}
	case PGRES_COMMAND_OK: {
		const char *t = PQcmdTuples(res);
		qs = (t && *t && strcmp(t, "0") != 0) ? TC_QS_ONE : TC_QS_NONE;
		break;
	}
	default:
		qs = pg_status(c, res, q->pg ? q->pg : q->text);
		break;
	}
	PQclear(res);
	return qs;
}

static enum tc_qs pg_exec_script(struct tc_dbc *base, const char *sql)
{
	struct pg_conn *c = (struct pg_conn *)base;
	PGresult *res = PQexec(c->h, sql);
	ExecStatusType st = PQresultStatus(res);
	enum tc_qs qs = TC_QS_NONE;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		qs = pg_status(c, res, sql);
	} else if (strcmp(sql, "COMMIT") == 0 && strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
		/* COMMIT of an aborted transaction "succeeds" as a rollback */
		tc_error("db: PostgreSQL rolled back a transaction asked to commit");
		qs = TC_QS_HARD;
	}
	PQclear(res);
	return qs;
}

static bool pg_txn_failed(struct tc_dbc *base)
{
	return PQtransactionStatus(((struct pg_conn *)base)->h) != PQTRANS_INTRANS;
}

static bool pg_null(const struct tc_dbrow *r, int col)
{
	return PQgetisnull(r->h, r->row, col);
}

static const char *pg_text(const struct tc_dbrow *r, int col, size_t *len)
{
	*len = (size_t)PQgetlength(r->h, r->row, col);
	return PQgetvalue(r->h, r->row, col);
}

static int64_t pg_i64(const struct tc_dbrow *r, int col)
{
	return strtoll(PQgetvalue(r->h, r->row, col), NULL, 10);
}

static bool pg_bool(const struct tc_dbrow *r, int col)
{
	const char *v = PQgetvalue(r->h, r->row, col);
	return v[0] == 't' || v[0] == '1';
}

const struct tc_backend tc_backend_pg = {
	.kind = TC_DB_PG,
	.name = "postgresql",
	.connect = pg_connect,
	.disconnect = pg_disconnect,
	.exec = pg_exec,
	.exec_script = pg_exec_script,
	.col_null = pg_null,
	.col_text = pg_text,
	.col_i64 = pg_i64,
	.col_bool = pg_bool,
	.txn_failed = pg_txn_failed,
	.begin_sql = "BEGIN ISOLATION LEVEL READ COMMITTED",
};
