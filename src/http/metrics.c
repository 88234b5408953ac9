#include "metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/hist.h"
#include "../core/util.h"
#include "../db/db.h"

static const unsigned statuses[] = {200, 201, 204, 304, 400, 401, 403, 404,
                                    405, 409, 413, 415, 429, 500, 503};
#define NSTATUS (TC_ARRAY_LEN(statuses) + 1) /* + "other" */

struct route_stats {
	atomic_uint_fast64_t by_status[NSTATUS];
	struct tc_hist duration;
};

static const char *const *names;
static int nroutes;
static struct route_stats *stats; /* nroutes + 1: the last is "unmatched" */
static struct tc_hist resume_wait;
static atomic_int_fast64_t resume_wait_max;
static atomic_int inflight, suspended;

void tc_metrics_init(const char *const *route_names, int n)
{
	names = route_names;
	nroutes = n;
	stats = tc_xcalloc((size_t)n + 1, sizeof(*stats));
}

void tc_metrics_free(void)
{
	free(stats);
	stats = NULL;
}

void tc_metrics_request(int route, unsigned status, int64_t micros)
{
	struct route_stats *s;
	size_t i;

	if (stats == NULL)
		return;
	s = &stats[route >= 0 && route < nroutes ? route : nroutes];
	for (i = 0; i < TC_ARRAY_LEN(statuses); i++)
		if (statuses[i] == status)
			break;
	atomic_fetch_add_explicit(&s->by_status[i], 1, memory_order_relaxed);
	tc_hist_add(&s->duration, micros);
}

void tc_metrics_resume_wait(int64_t micros)
{
	int_fast64_t cur = atomic_load(&resume_wait_max);

	tc_hist_add(&resume_wait, micros);
	while (micros > cur &&
	       !atomic_compare_exchange_weak(&resume_wait_max, &cur, micros))
		;
}

void tc_metrics_inflight(int delta)
{
	atomic_fetch_add(&inflight, delta);
}

void tc_metrics_suspended(int delta)
{
	atomic_fetch_add(&suspended, delta);
}

static const char *route_name(int i)
{
	return i < nroutes ? names[i] : "unmatched";
}

void tc_metrics_render(struct tc_buf *out, struct tc_db *db)
{
	struct tc_db_stats ds;

	tc_buf_puts(out, "# HELP tiemchung_http_requests_total HTTP requests answered.\n"
	                 "# TYPE tiemchung_http_requests_total counter\n");
	for (int r = 0; stats && r <= nroutes; r++) {
		for (size_t i = 0; i < NSTATUS; i++) {
			uint64_t v = atomic_load(&stats[r].by_status[i]);
			if (v == 0)
				continue;
			if (i < TC_ARRAY_LEN(statuses))
				tc_buf_printf(out,
				              "tiemchung_http_requests_total{route=\"%s\",status=\"%u\"} %llu\n",
				              route_name(r), statuses[i], (unsigned long long)v);
			else
				tc_buf_printf(out,
				              "tiemchung_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
				              route_name(r), (unsigned long long)v);
		}
	}
	tc_buf_puts(out, "# HELP tiemchung_http_request_duration_seconds Time from the "
	                 "first byte of a request to its completion.\n"
	                 "# TYPE tiemchung_http_request_duration_seconds histogram\n");
	for (int r = 0; stats && r <= nroutes; r++) {
		char label[256];
		if (tc_hist_count(&stats[r].duration) == 0)
			continue;
		snprintf(label, sizeof(label), "route=\"%s\"", route_name(r));
		tc_hist_render(out, "tiemchung_http_request_duration_seconds", label,
		               &stats[r].duration);
	}
	tc_buf_printf(
	        out,
	        "# HELP tiemchung_http_inflight_requests Requests being handled.\n"
	        "# TYPE tiemchung_http_inflight_requests gauge\n"
	        "tiemchung_http_inflight_requests %d\n"
	        "# HELP tiemchung_http_suspended_requests Requests waiting for a "
	        "commit.\n"
	        "# TYPE tiemchung_http_suspended_requests gauge\n"
	        "tiemchung_http_suspended_requests %d\n"
	        "# HELP tiemchung_http_resume_wait_max_seconds Longest time a request "
	        "waited between its resume and its answer.\n"
	        "# TYPE tiemchung_http_resume_wait_max_seconds gauge\n"
	        "tiemchung_http_resume_wait_max_seconds %.6f\n"
	        "# HELP tiemchung_http_resume_wait_seconds Time a request "
	        "waited between its resume and its answer.\n"
	        "# TYPE tiemchung_http_resume_wait_seconds histogram\n",
	        atomic_load(&inflight), atomic_load(&suspended),
	        (double)atomic_load(&resume_wait_max) / 1e6);
	tc_hist_render(out, "tiemchung_http_resume_wait_seconds", "", &resume_wait);
	if (db == NULL)
		return;
	tc_db_stats(db, &ds);
	tc_buf_puts(out, "# HELP tiemchung_db_commit_batch_size Write jobs per durable commit.\n"
	                 "# TYPE tiemchung_db_commit_batch_size histogram\n");
	uint64_t cum = 0;
	for (int k = 0; k < 12; k++) {
		cum += ds.batch_hist[k];
		if (k < 11)
			tc_buf_printf(out, "tiemchung_db_commit_batch_size_bucket{le=\"%d\"} %llu\n",
			              1 << k, (unsigned long long)cum);
		else
			tc_buf_printf(out, "tiemchung_db_commit_batch_size_bucket{le=\"+Inf\"} %llu\n",
			              (unsigned long long)cum);
	}
	tc_buf_printf(
	        out,
	        "tiemchung_db_commit_batch_size_sum %llu\n"
	        "tiemchung_db_commit_batch_size_count %llu\n"
	        "# HELP tiemchung_db_commits_total Durable commits (batches).\n"
	        "# TYPE tiemchung_db_commits_total counter\n"
	        "tiemchung_db_commits_total %llu\n"
	        "# HELP tiemchung_db_write_jobs_total Write jobs committed or "
	        "rolled back.\n"
	        "# TYPE tiemchung_db_write_jobs_total counter\n"
	        "tiemchung_db_write_jobs_total %llu\n"
	        "# HELP tiemchung_db_wal_restarts_total SQLite: checkpoints that "
	        "let the log start over.\n"
	        "# TYPE tiemchung_db_wal_restarts_total counter\n"
	        "tiemchung_db_wal_restarts_total %llu\n"
	        "# HELP tiemchung_db_commit_syncs_total SQLite: how commits were "
	        "made durable before they were answered: the completer's fdatasync "
	        "of the log, a later commit's sync of the same log, or SQLite's own "
	        "sync within the COMMIT.\n"
	        "# TYPE tiemchung_db_commit_syncs_total counter\n"
	        "tiemchung_db_commit_syncs_total{how=\"completer\"} %llu\n"
	        "tiemchung_db_commit_syncs_total{how=\"shared\"} %llu\n"
	        "tiemchung_db_commit_syncs_total{how=\"in_commit\"} %llu\n",
	        (unsigned long long)ds.jobs, (unsigned long long)ds.batches,
	        (unsigned long long)ds.batches, (unsigned long long)ds.jobs,
	        (unsigned long long)ds.wal_restarts,
	        (unsigned long long)ds.syncs_completer,
	        (unsigned long long)ds.syncs_shared,
	        (unsigned long long)ds.syncs_in_commit);
	tc_buf_puts(out, "# HELP tiemchung_db_write_phase_seconds Where write jobs spent "
	                 "their time: queued until the writer took their batch (queue), "
	                 "until the batch was committed (batch), until the commit was "
	                 "durable (sync).\n"
	                 "# TYPE tiemchung_db_write_phase_seconds histogram\n");
	static const char *const phase_labels[TC_PHASE__COUNT] = {
		[TC_PHASE_QUEUE] = "phase=\"queue\"",
		[TC_PHASE_BATCH] = "phase=\"batch\"",
		[TC_PHASE_SYNC] = "phase=\"sync\"",
	};
	for (int p = 0; p < TC_PHASE__COUNT; p++)
		tc_hist_render(out, "tiemchung_db_write_phase_seconds", phase_labels[p],
		               tc_db_phase_hist(db, (enum tc_write_phase)p));
}
