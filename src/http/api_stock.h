/* Shared by the supply-chain handlers (api_lots.c, api_stock_read.c,
 * api_stock_write.c, api_transfers.c): JSON views of lots, stock, movements,
 * transfers, allocations and open vials, and the checks their requests
 * have in common. Private to src/http. docs/stock.md is the API. */
#ifndef TC_API_STOCK_H
#define TC_API_STOCK_H

#include "../db/stock.h"
#include "request.h"

#define TC_DAY_US       (86400LL * 1000000)
#define TC_VN_OFFSET_US (7LL * 3600 * 1000000)

/* Today in Vietnam as "YYYY-MM-DD", in out[11]; returns the day number. */
int64_t tc_api_stock_today(int64_t now_us, char out[11]);

/* ---- JSON views -------------------------------------------------------- */

/* `today` ("YYYY-MM-DD") decides "expired". */
void tc_jw_lot(struct tc_jw *w, const struct tc_lot *l, const char *today);
void tc_jw_movement(struct tc_jw *w, const struct tc_movement *m);
/* With its lines when `items`. */
void tc_jw_transfer(struct tc_jw *w, const struct tc_transfer *t, bool items);
void tc_jw_allocation(struct tc_jw *w, const struct tc_allocation *al);
void tc_jw_vial(struct tc_jw *w, const struct tc_open_vial *v);
/* The key and an id, or null when it is 0. */
void tc_jw_kid(struct tc_jw *w, const char *key, int64_t id);

/* JSON text for audit records: begin, write with the views, end copies
 * the text into `a` and frees the buffer. */
struct tc_jtext {
	struct tc_buf b;
	struct tc_jw w;
};
struct tc_jw *tc_jtext_begin(struct tc_jtext *t);
const char *tc_jtext_end(struct tc_jtext *t, struct tc_arena *a);

/* ---- requests ------------------------------------------------------------ */

/* Loads facility `id` named by body field `field` (unknown: 400
 * invalid_field) and checks that it lies inside the caller's
 * jurisdiction (403 out_of_jurisdiction naming the field). */
tc_err tc_api_stock_facility(struct tc_req *r, int64_t id, const char *field,
                             struct tc_facility *out);

/* Loads the two ends of a transfer or an allocation (fields
 * from_facility, to_facility) and checks the route with
 * tc_stock_route_ok: 403 out_of_jurisdiction names the end that is
 * outside. */
tc_err tc_api_stock_route(struct tc_req *r, int64_t from_id, int64_t to_id,
                          struct tc_facility *from, struct tc_facility *to,
                          bool *is_return);

/* Parses a body with an "items" array: the object without it by `spec`
 * into `out`, each item (an object) by `item_spec` into an array of
 * `item_size`-byte structs from the arena (*items, *nitems, 1 to
 * `max_items`). Faults name "items" or "items[i].field". */
tc_err tc_api_stock_body_items(struct tc_req *r, const struct tc_jfield *spec, void *out,
                               const struct tc_jfield *item_spec, size_t item_size,
                               size_t max_items, void **items, size_t *nitems);

/* Query parameters: a whole number in [lo, hi] (*set false when absent),
 * and a day "YYYY-MM-DD" (required). 400 invalid_parameter / missing. */
tc_err tc_api_stock_query_int(struct tc_req *r, const char *name, int64_t lo, int64_t hi,
                              bool required, int64_t *out, bool *set);
tc_err tc_api_stock_query_day(struct tc_req *r, const char *name, int64_t *day);

#endif
