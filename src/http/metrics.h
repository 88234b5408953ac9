/* Prometheus counters: requests by route and status, a latency histogram
 * per route, the wait after a resume (longest, and a histogram), database
 * commit batches and where write jobs waited.
 * These counters and the configuration are the program's only globals. */
#ifndef TC_METRICS_H
#define TC_METRICS_H

#include <stdint.h>

struct tc_buf;
struct tc_db;

/* Route names are borrowed for the life of the program. Call once. */
void tc_metrics_init(const char *const *route_names, int nroutes);
void tc_metrics_free(void);
/* route: index into route_names, or -1 for requests no route matched. */
void tc_metrics_request(int route, unsigned status, int64_t micros);
void tc_metrics_resume_wait(int64_t micros);
void tc_metrics_inflight(int delta);
void tc_metrics_suspended(int delta);
/* Renders everything in the Prometheus text format. */
void tc_metrics_render(struct tc_buf *out, struct tc_db *db);

#endif
