/* The counters kept with the doses, in the dose's transaction (internal to
 * src/db: doses.c for injections, dose_records.c for records and voids):
 * doses per day x place x product x kind x number, where each person
 * stands (vax_status), and per commune of residence the people with a
 * first dose, a complete series, a booster. */
#ifndef TC_COUNTERS_H
#define TC_COUNTERS_H

#include "visits.h"

/* Within a group commit on SQLite (while the writer's batch may defer
 * work: tc_dbc_can_defer), additions to the day counts and to coverage
 * are summed per row in memory and written once a row, before the
 * commit, by tc_counts_flush: a batch of injections at one site is then
 * two upserts rather than two a dose. They are in the same transaction
 * as the doses all the same. Whatever takes a count back, or rebuilds
 * the counters, flushes first; a batch rolled back discards them. */
tc_err tc_counts_flush(struct tc_dbc *c, struct tc_fault *f);
void tc_counts_discard(struct tc_dbc *c);
void tc_counts_free(struct tc_dbc *c); /* at disconnect */

/* `delta` doses of d's day, place and product as `kind` and `number`
 * (NULL kind, or no place: nothing). A negative delta takes back what was
 * counted. */
tc_err tc_count_day(struct tc_dbc *c, const struct tc_dose *d, const char *kind,
                    int64_t number, int64_t delta, struct tc_fault *f);

/* Where the person stands now. */
struct tc_vax_status {
	int64_t doses;
	bool complete;
	int64_t boosters;
	const char *last_day;
};
tc_err tc_count_status(struct tc_dbc *c, int64_t citizen_id, const char *commune,
                       const struct tc_vax_status *st, struct tc_fault *f);

/* Moves the commune's coverage by the difference between where the person
 * stood and where they stand (nothing without a commune). */
tc_err tc_count_coverage(struct tc_dbc *c, const char *commune,
                         const struct tc_vax_status *before,
                         const struct tc_vax_status *after, struct tc_fault *f);

#endif
