/* Latency histograms (hist.h). */
#include "hist.h"

#include <stdio.h>

#include "util.h"

static const int64_t bounds[TC_HIST_BOUNDS] = {
	250,   500,    1000,   2500,   5000,    10000,   25000,
	50000, 100000, 250000, 500000, 1000000, 2500000, 10000000,
};

void tc_hist_add(struct tc_hist *h, int64_t micros)
{
	size_t b = 0;

	if (micros < 0)
		micros = 0;
	while (b < TC_HIST_BOUNDS && micros > bounds[b])
		b++;
	atomic_fetch_add_explicit(&h->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_us, (uint64_t)micros, memory_order_relaxed);
}

uint64_t tc_hist_count(const struct tc_hist *h)
{
	uint64_t n = 0;

	for (size_t b = 0; b <= TC_HIST_BOUNDS; b++)
		n += atomic_load_explicit(&h->buckets[b], memory_order_relaxed);
	return n;
}

void tc_hist_render(struct tc_buf *out, const char *name, const char *labels,
                    const struct tc_hist *h)
{
	const char *sep = *labels ? "," : "", *open = *labels ? "{" : "",
	           *close = *labels ? "}" : "";
	uint64_t cum = 0;

	for (size_t b = 0; b <= TC_HIST_BOUNDS; b++) {
		char le[24] = "+Inf";
		cum += atomic_load_explicit(&h->buckets[b], memory_order_relaxed);
		if (b < TC_HIST_BOUNDS)
			snprintf(le, sizeof(le), "%g", (double)bounds[b] / 1e6);
		tc_buf_printf(out, "%s_bucket{%s%sle=\"%s\"} %llu\n", name, labels, sep,
		              le, (unsigned long long)cum);
	}
	tc_buf_printf(out, "%s_sum%s%s%s %.6f\n%s_count%s%s%s %llu\n", name, open, labels,
	              close,
	              (double)atomic_load_explicit(&h->sum_us, memory_order_relaxed) /
	                      1e6,
	              name, open, labels, close, (unsigned long long)cum);
}
