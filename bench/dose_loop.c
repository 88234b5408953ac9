/* dose_loop: the injection's write without HTTP and without group commit,
 * the baseline for bench/dose_write.sh. Opens a database made by
 * `tiemchung migrate` + `seed-demo` with the project's db layer
 * (no_writer: each job runs inline in its own BEGIN IMMEDIATE ... COMMIT),
 * adds people if there are fewer than --citizens, a lot shipped down to
 * the demo site, a session and --visits visits screened eligible
 * (bench/dose_prep.c), then records one injection per transaction --
 * tc_dose_give, the visit's update, the audit entry, exactly the job of
 * dose_prep.h -- for --seconds or until the visits run out.
 *
 * --sync full (the server's setting: one fsync of the WAL per dose) or
 * normal (no fsync at commit: the CPU ceiling of one writer doing one
 * dose per transaction; not durable against power loss).
 *
 * --batch N puts N doses in each transaction instead of one, as the
 * server's group commit does: its cpu_us_per_dose is the writer thread's
 * own cost of an injection with no HTTP around it (the benchmark prints
 * it; it is not one of the baselines).
 *
 * Prints "RESULT doses=... doses_per_s=... sync=... cpu_us_per_dose=...".
 *
 * --prep N does only the set-up, for the HTTP benchmark and the crash
 * test's scripts: people, a lot, a session and N visits, then prints
 * "PREP site_id=... session_id=... lot_id=... first_visit=... visits=N"
 * (the visits' ids are first_visit .. first_visit + N - 1). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/tctime.h"
#include "db/walbuf.h"
#include "dose_prep.h"

static const char usage[] =
	"usage: dose_loop --db PATH [--sync full|normal] [--seconds S] [--visits N]\n"
	"                 [--citizens N] [--product CODE] [--data DIR] [--prep N]\n"
	"                 [--batch N]\n";

/* N injections in one transaction (--batch). */
struct batch {
	struct dp_inject *jobs;
	int n;
};

static tc_err batch_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct batch *b = cls;
	for (int i = 0; i < b->n; i++) {
		tc_err rc = dp_inject_run(c, &b->jobs[i], f);
		if (rc != TC_ERR_OK)
			return rc;
	}
	return TC_ERR_OK;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	const char *where = NULL, *sync = "full", *product = "EU/1/20/1528", *data = "data";
	double seconds = 5;
	int64_t nvisits = 100000, ncitizens = 0, prep = 0, batch = 1;
	static const struct option opts[] = {
		{"db", required_argument, 0, 'D'},       {"sync", required_argument, 0, 's'},
		{"seconds", required_argument, 0, 'd'},  {"visits", required_argument, 0, 'v'},
		{"citizens", required_argument, 0, 'c'}, {"product", required_argument, 0, 'p'},
		{"data", required_argument, 0, 'x'},     {"prep", required_argument, 0, 'P'},
		{"batch", required_argument, 0, 'b'},
		{0, 0, 0, 0}};
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'D': where = optarg; break;
		case 's': sync = optarg; break;
		case 'd': seconds = atof(optarg); break;
		case 'v': nvisits = atoll(optarg); break;
		case 'c': ncitizens = atoll(optarg); break;
		case 'p': product = optarg; break;
		case 'x': data = optarg; break;
		case 'P': prep = nvisits = atoll(optarg); break;
		case 'b': batch = atoll(optarg); break;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (!where || (strcmp(sync, "full") != 0 && strcmp(sync, "normal") != 0) ||
	    seconds <= 0 || nvisits <= 0 || batch < 1 || batch > 4096) {
		fputs(usage, stderr);
		return 2;
	}
	struct tc_db_options opt = {.no_writer = true,
	                            .sqlite_sync_normal = strcmp(sync, "normal") == 0};
	char *why = NULL;
	struct tc_db *db = tc_db_open(where, &opt, &why);
	if (!db) {
		fprintf(stderr, "dose_loop: %s\n", why ? why : "cannot open");
		return 1;
	}
	struct tc_fault f = {0};
	struct tc_arena ref_a, a;
	struct tc_vaxref ref;
	struct dp_place place;
	int64_t first_person, first_visit, have = 0;
	tc_arena_init(&ref_a);
	tc_arena_init(&a);

	if (dp_count_citizens(db, &have, &f) != TC_ERR_OK)
		goto fail;
	if (have < ncitizens) {
		int64_t t0 = tc_mono_us();
		if (dp_citizens(db, ncitizens - have, &first_person, &f) != TC_ERR_OK)
			goto fail;
		printf("dose_loop: %lld people added in %.1f s\n", (long long)(ncitizens - have),
		       (tc_mono_us() - t0) / 1e6);
	}
	if (dp_vaxref(db, data, &ref_a, &ref, &f) != TC_ERR_OK ||
	    dp_place(db, product, nvisits + 1000, &place, &f) != TC_ERR_OK ||
	    dp_visits(db, &place, nvisits, &first_visit, &f) != TC_ERR_OK)
		goto fail;
	if (prep) {
		printf("PREP site_id=%lld session_id=%lld lot_id=%lld first_visit=%lld visits=%lld\n",
		       (long long)place.site_id, (long long)place.session_id,
		       (long long)place.lot_id, (long long)first_visit, (long long)prep);
		tc_db_close(db);
		return 0;
	}

	int64_t n = 0, failed = 0, t0 = tc_mono_us(), until = t0 + (int64_t)(seconds * 1e6);
	double c0 = cpu_s();
	struct tc_walbuf_stats w0, w1;
	tc_walbuf_stats(&w0);
	struct dp_inject *jobs = calloc((size_t)batch, sizeof *jobs);
	while (n + failed + batch <= nvisits && tc_mono_us() < until) {
		struct batch b = {.jobs = jobs, .n = (int)batch};
		for (int64_t i = 0; i < batch; i++)
			jobs[i] = (struct dp_inject){.ref = &ref,
			                             .visit_id = first_visit + n + failed + i,
			                             .lot_id = place.lot_id,
			                             .a = &a,
			                             .product = place.product};
		tc_arena_reset(&a);
		if (tc_db_run(db, batch_run, &b, &f) == TC_ERR_OK) {
			n += batch;
		} else {
			if (failed == 0)
				fprintf(stderr, "dose_loop: visits from %lld: %s %s\n",
				        (long long)jobs[0].visit_id, f.field ? f.field : "",
				        f.message ? f.message : "");
			failed += batch;
		}
	}
	free(jobs);
	double wall = (tc_mono_us() - t0) / 1e6, cpu = cpu_s() - c0;
	tc_walbuf_stats(&w1);
	if (batch == 1)
		printf("dose_loop: sync=%s, %lld doses in %.2f s (one transaction each), %lld "
		       "failed\n",
		       sync, (long long)n, wall, (long long)failed);
	else
		printf("dose_loop: sync=%s, %lld doses in %.2f s (%lld a transaction), %lld failed\n",
		       sync, (long long)n, wall, (long long)batch, (long long)failed);
	/* A frame is two writes, its header and its page (walbuf.c); only
	 * SQLite's log with synchronous=FULL goes through it. */
	char frames[32] = "-";
	if (tc_db_kind(db) == TC_DB_SQLITE && strcmp(sync, "full") == 0 && n)
		snprintf(frames, sizeof frames, "%.2f", (w1.writes_in - w0.writes_in) / 2.0 / n);
	printf("RESULT doses=%lld doses_per_s=%.1f sync=%s batch=%lld failed=%lld "
	       "cpu_us_per_dose=%.1f wal_frames_per_dose=%s\n",
	       (long long)n, n / wall, sync, (long long)batch, (long long)failed,
	       n ? cpu / n * 1e6 : 0.0, frames);
	tc_arena_cleanup(&a);
	tc_arena_cleanup(&ref_a);
	tc_db_close(db);
	return failed ? 1 : 0;
fail:
	fprintf(stderr, "dose_loop: set-up failed: %s %s %s\n", tc_err_code(f.code),
	        f.field ? f.field : "", f.message ? f.message : "");
	tc_db_close(db);
	return 1;
}
