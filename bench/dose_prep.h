/* Set-up shared by the dose benchmarks and the crash test (bench/dose_loop.c,
 * bench/dose_prep_main.c, tests/crash/crash.c): people, a session today at
 * a demo site, stock shipped down to it, visits screened eligible, and the
 * injection's write as one job.
 *
 * Shortcuts, for throwaway databases only: the people and the visits are
 * bulk-inserted with SQL (synthetic names, no identity document), because
 * importing a million people through `tiemchung import` takes a minute
 * and visits screened over the API would take longer than the benchmark.
 * The lot, the session and the stock go through the project's own
 * functions (tc_stock_receipt, tc_stock_ship, tc_stock_receive), so the
 * ledger they leave balances. */
#ifndef BENCH_DOSE_PREP_H
#define BENCH_DOSE_PREP_H

#include <stdint.h>

#include "core/arena.h"
#include "db/db.h"
#include "db/visits.h"

/* Where the doses are given. */
struct dp_place {
	int64_t site_id, session_id, lot_id;
	const char *product; /* static */
};

/* How many people are stored. */
tc_err dp_count_citizens(struct tc_db *db, int64_t *n, struct tc_fault *f);

/* Adds `n` people (adults, spread over every commune), ids following the
 * largest one stored; *first is the first new id. */
tc_err dp_citizens(struct tc_db *db, int64_t n, int64_t *first, struct tc_fault *f);

/* The demo site "Trạm Y tế phường Phúc Xá" (run `seed-demo` first), a
 * session there today for `product` with room for everyone, and a new
 * lot of `doses` doses received into the national warehouse and shipped
 * down through the province and the district to the site. */
tc_err dp_place(struct tc_db *db, const char *product, int64_t doses, struct dp_place *out,
                struct tc_fault *f);

/* `n` visits of the session, screened eligible, for people who have no
 * visit yet (in id order). Their ids are *first .. *first + n - 1. Fails
 * when fewer than n people are left. */
tc_err dp_visits(struct tc_db *db, const struct dp_place *p, int64_t n, int64_t *first,
                 struct tc_fault *f);

/* The injection's write, as POST /api/v1/visits/{id}/injection does it
 * (inject_run in src/http/api_injection.c, which is static there): the
 * visit must be screened eligible; tc_dose_give (person, site, lot,
 * schedule, dose, stock, counters); the visit moves
 * to vaccinated with its dose; an audit entry. Left out: the session
 * check (tc_actor_still_current: the command-line actor needs none), the
 * registration's step to done (the bench's visits are walk-ins without
 * one) and the JSON writer for the audit's text (a short printf instead).
 * `a` is reset by the caller between jobs. */
struct dp_inject {
	const struct tc_vaxref *ref;
	const char *product; /* screened for */
	int64_t visit_id, lot_id;
	struct tc_arena *a;
	int64_t dose_id; /* out */
};
tc_err dp_inject_run(struct tc_dbc *c, void *cls, struct tc_fault *f);

/* The vaccine reference data as the server loads it (DATA_DIR: "data"). */
tc_err dp_vaxref(struct tc_db *db, const char *data_dir, struct tc_arena *a,
                 struct tc_vaxref *out, struct tc_fault *f);

#endif
