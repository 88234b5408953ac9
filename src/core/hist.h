/* Latency histograms with fixed bounds, counted without a lock and
 * rendered in the Prometheus text format. */
#ifndef TC_HIST_H
#define TC_HIST_H

#include <stdatomic.h>
#include <stdint.h>

struct tc_buf;

/* The upper bounds, in microseconds: 0.25 ms to 10 s. */
#define TC_HIST_BOUNDS 14

struct tc_hist {
	/* by bound; the last counts everything above the largest */
	atomic_uint_fast64_t buckets[TC_HIST_BOUNDS + 1];
	atomic_uint_fast64_t sum_us;
};

void tc_hist_add(struct tc_hist *h, int64_t micros);
/* Everything counted so far. */
uint64_t tc_hist_count(const struct tc_hist *h);
/* NAME_bucket{LABELS,le="..."} (cumulative, in seconds), NAME_sum and
 * NAME_count. `labels` is "" or `key="value"` pairs without braces. */
void tc_hist_render(struct tc_buf *out, const char *name, const char *labels,
                    const struct tc_hist *h);

#endif
