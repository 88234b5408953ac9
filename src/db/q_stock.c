/* Lots and the stock ledger: the reads (lists, reconciliation) and the
 * check that the balances equal the ledger. The writes are in stock.c. */
#include <string.h>

#include "../core/arena.h"
#include "../core/util.h"
#include "dbi.h"
#include "stock.h"

/* ---- Lots ------------------------------------------------------------------ */

#define LOT_COLS                                                                        \
	"l.id, l.product, l.lot_number, l.expiry, l.manufacturer, l.quarantined,"       \
	" l.quarantine_reason, l.quarantined_at, l.quarantined_by, l.created_at,"       \
	" l.created_by, p.name, p.doses_per_vial"
#define LOT_FROM " FROM lots l JOIN vaccine_products p ON p.code = l.product"

static struct tc_sql q_lot_id =
	TC_SQL2("SELECT nextval(pg_get_serial_sequence('lots', 'id'))",
	        "SELECT COALESCE(MAX(id), 0) + 1 FROM lots");
static struct tc_sql q_lot_insert = TC_SQL(
	"INSERT INTO lots (id, product, lot_number, expiry, manufacturer, created_at, created_by)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (product, lot_number) DO NOTHING");
static struct tc_sql q_lot_get = TC_SQL("SELECT " LOT_COLS LOT_FROM " WHERE l.id = $1");
static struct tc_sql q_lot_by_number =
	TC_SQL("SELECT " LOT_COLS LOT_FROM " WHERE l.product = $1 AND l.lot_number = $2");
static struct tc_sql q_lots_list = TC_SQL(
	"SELECT " LOT_COLS LOT_FROM " WHERE (CAST($1 AS TEXT) IS NULL OR l.product = $1)"
	" AND (CAST($2 AS TEXT) IS NULL OR (l.lot_number >= $2 AND l.lot_number < $3))"
	" ORDER BY l.expiry, l.id LIMIT $4 OFFSET $5");
static struct tc_sql q_lot_quarantine = TC_SQL(
	"UPDATE lots SET quarantined = $2, quarantine_reason = $3, quarantined_at = $4,"
	" quarantined_by = $5 WHERE id = $1 AND quarantined <> $2");

static void fill_lot(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_lot *l = item;

	l->id = tc_row_i64(r, 0);
	l->product = tc_row_text(r, 1, a);
	l->lot_number = tc_row_text(r, 2, a);
	l->expiry = tc_row_text(r, 3, a);
	l->manufacturer = tc_row_text(r, 4, a);
	l->quarantined = tc_row_bool(r, 5);
	l->quarantine_reason = tc_row_text(r, 6, a);
	l->quarantined_at = tc_row_null(r, 7) ? 0 : tc_row_time(r, 7);
	l->quarantined_by = tc_row_null(r, 8) ? 0 : tc_row_i64(r, 8);
	l->created_at = tc_row_time(r, 9);
	l->created_by = tc_row_null(r, 10) ? 0 : tc_row_i64(r, 10);
	l->product_name = tc_row_text(r, 11, a);
	l->doses_per_vial = tc_row_i64(r, 12);
}

enum tc_qs tc_q_lot_insert(struct tc_dbc *c, struct tc_lot *l)
{
	enum tc_qs qs = tc_exec(c, &q_lot_id, NULL, 0, tc_rows_i64, &l->id);

	if (qs != TC_QS_ONE)
		return qs < 0 ? qs : TC_QS_HARD;
	struct tc_dbv p[] = {TC_P_I64(l->id),         TC_P_TEXT(l->product),
	                     TC_P_TEXT(l->lot_number), TC_P_TEXT(l->expiry),
	                     TC_P_TEXT(l->manufacturer), TC_P_TIME(l->created_at),
	                     TC_P_ID(l->created_by)};
	qs = tc_exec(c, &q_lot_insert, p, 7, NULL, NULL);
	return qs == TC_QS_NONE ? TC_QS_CONFLICT : qs;
}

enum tc_qs tc_q_lot_get(struct tc_dbc *c, int64_t id, struct tc_arena *a, struct tc_lot *out)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	struct tc_row_into o = {a, out, fill_lot};
	return tc_exec(c, &q_lot_get, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_lot_by_number(struct tc_dbc *c, const char *product, const char *lot_number,
                              struct tc_arena *a, struct tc_lot *out)
{
	struct tc_dbv p[] = {TC_P_TEXT(product), TC_P_TEXT(lot_number)};
	struct tc_row_into o = {a, out, fill_lot};
	return tc_exec(c, &q_lot_by_number, p, 2, tc_rows_one, &o);
}

/* The first text after every text that starts with `prefix` (its last
 * byte moved on by one), for a bytewise prefix range. */
static const char *prefix_end(struct tc_arena *a, const char *prefix)
{
	size_t n = strlen(prefix);
	char *hi = tc_arena_strdup(a, prefix);

	while (n > 0 && (unsigned char)hi[n - 1] == 0xff)
		hi[--n] = '\0';
	if (n == 0)
		return "\xf4\x8f\xbf\xbf";
	hi[n - 1] = (char)((unsigned char)hi[n - 1] + 1);
	return hi;
}

enum tc_qs tc_q_lots_list(struct tc_dbc *c, const char *product, const char *prefix,
                          struct tc_page page, struct tc_arena *a, struct tc_lot **out,
                          size_t *n)
{
	if (prefix && !*prefix)
		prefix = NULL;
	struct tc_dbv p[] = {TC_P_TEXT(product), TC_P_TEXT(prefix),
	                     TC_P_TEXT(prefix ? prefix_end(a, prefix) : NULL),
	                     TC_P_I64(page.limit), TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_lot), .fill = fill_lot};
	enum tc_qs qs = tc_exec(c, &q_lots_list, p, 5, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

enum tc_qs tc_q_lot_quarantine(struct tc_dbc *c, int64_t id, const char *reason,
                               int64_t actor_id, int64_t now)
{
	struct tc_dbv p[] = {TC_P_I64(id), TC_P_BOOL(reason != NULL), TC_P_TEXT(reason),
	                     reason ? TC_P_TIME(now) : TC_P_NULL,
	                     reason ? TC_P_ID(actor_id) : TC_P_NULL};
	return tc_exec(c, &q_lot_quarantine, p, 5, NULL, NULL);
}

/* ---- Balances ---------------------------------------------------------------- */

#define BAL_COLS                                                                        \
	"b.facility_id, b.lot_id, b.on_hand, COALESCE(b.vvm, 0), b.scope_path, b.updated_at," \
	" f.name, f.kind, l.product, p.name, l.lot_number, l.expiry, l.quarantined"
#define BAL_FROM                                                                        \
	" FROM stock_balances b JOIN facilities f ON f.id = b.facility_id"              \
	" JOIN lots l ON l.id = b.lot_id JOIN vaccine_products p ON p.code = l.product"

static struct tc_sql q_stock_list = TC_SQL(
	"SELECT " BAL_COLS BAL_FROM " WHERE " TC_SCOPE_UNDER("b.scope_path", "$2", "$3")
	" AND (CAST($4 AS BIGINT) IS NULL OR b.facility_id = $4)"
	" AND (CAST($5 AS BIGINT) IS NULL OR b.lot_id = $5)"
	" AND (CAST($6 AS TEXT) IS NULL OR l.product = $6)"
	" AND (CAST($7 AS TEXT) IS NULL OR l.expiry <= $7)"
	" AND ($8 OR b.on_hand > 0) AND (NOT $9 OR l.quarantined)"
	" ORDER BY f.name, b.facility_id, l.expiry, l.lot_number LIMIT $10 OFFSET $11");
static struct tc_sql q_fefo = TC_SQL(
	"SELECT " BAL_COLS BAL_FROM " WHERE b.facility_id = $1 AND l.product = $2"
	" AND b.on_hand > 0 AND l.expiry >= $3 AND NOT l.quarantined"
	" AND COALESCE(b.vvm, 0) < 3 ORDER BY l.expiry, l.id");

static void fill_balance(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_balance *b = item;

	b->facility_id = tc_row_i64(r, 0);
	b->lot_id = tc_row_i64(r, 1);
	b->on_hand = tc_row_i64(r, 2);
	b->vvm = tc_row_i64(r, 3);
	b->scope_path = tc_row_text(r, 4, a);
	b->updated_at = tc_row_time(r, 5);
	b->facility_name = tc_row_text(r, 6, a);
	b->facility_kind = tc_row_text(r, 7, a);
	b->product = tc_row_text(r, 8, a);
	b->product_name = tc_row_text(r, 9, a);
	b->lot_number = tc_row_text(r, 10, a);
	b->expiry = tc_row_text(r, 11, a);
	b->quarantined = tc_row_bool(r, 12);
}

enum tc_qs tc_q_stock_list(struct tc_dbc *c, const struct tc_stock_filter *flt,
                           struct tc_page page, struct tc_arena *a,
                           struct tc_balance **out, size_t *n)
{
	const char *lo, *hi;
	tc_scope_range(a, flt->scope, &lo, &hi);
	struct tc_dbv p[] = {TC_P_TEXT(flt->scope),       TC_P_TEXT(lo),
	                     TC_P_TEXT(hi),               TC_P_ID(flt->facility_id),
	                     TC_P_ID(flt->lot_id),        TC_P_TEXT(flt->product),
	                     TC_P_TEXT(flt->expiring_by), TC_P_BOOL(flt->with_empty),
	                     TC_P_BOOL(flt->quarantined_only), TC_P_I64(page.limit),
	                     TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_balance),
	                            .fill = fill_balance};
	enum tc_qs qs = tc_exec(c, &q_stock_list, p, 11, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

enum tc_qs tc_q_stock_fefo(struct tc_dbc *c, int64_t facility_id, const char *product,
                           const char *today, struct tc_arena *a, struct tc_balance **out,
                           size_t *n)
{
	struct tc_dbv p[] = {TC_P_I64(facility_id), TC_P_TEXT(product), TC_P_TEXT(today)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_balance),
	                            .fill = fill_balance};
	enum tc_qs qs = tc_exec(c, &q_fefo, p, 3, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

/* Usable stock per product on day $3, and what left for use since $2
 * (administered, shipped, wasted or expired; not returns nor count
 * corrections). */
static struct tc_sql q_consumption = TC_SQL(
	"SELECT product, SUM(on_hand), SUM(used) FROM ("
	" SELECT l.product AS product, b.on_hand AS on_hand, 0 AS used"
	" FROM stock_balances b JOIN lots l ON l.id = b.lot_id WHERE b.facility_id = $1"
	" AND NOT l.quarantined AND l.expiry >= $3 AND COALESCE(b.vvm, 0) < 3"
	" UNION ALL"
	" SELECT l.product, 0, m.quantity FROM stock_movements m JOIN lots l ON l.id = m.lot_id"
	" WHERE m.facility_id = $1 AND m.src = 'facility' AND m.at >= $2"
	" AND m.kind IN ('administered', 'transfer_out', 'wastage', 'expiry')) u"
	" GROUP BY product ORDER BY product");

static void fill_consumption(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_consumption *cn = item;

	cn->product = tc_row_text(r, 0, a);
	cn->on_hand = tc_row_i64(r, 1);
	cn->used = tc_row_i64(r, 2);
}

enum tc_qs tc_q_stock_consumption(struct tc_dbc *c, int64_t facility_id, int64_t since,
                                  const char *today, struct tc_arena *a,
                                  struct tc_consumption **out, size_t *n)
{
	struct tc_dbv p[] = {TC_P_I64(facility_id), TC_P_TIME(since), TC_P_TEXT(today)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_consumption),
	                            .fill = fill_consumption};
	enum tc_qs qs = tc_exec(c, &q_consumption, p, 3, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

/* ---- Movements ---------------------------------------------------------------- */

#define MOVE_COLS                                                                       \
	"m.id, m.kind, m.lot_id, m.quantity, m.src, m.dst, m.facility_id, m.transfer_id," \
	" m.scope_path, m.party, m.reason, m.note, m.vvm, m.dose_id, m.flag, m.resolved_at," \
	" m.resolved_by, m.resolution, m.at, m.actor_id, l.lot_number, l.product, f.name"
#define MOVE_FROM                                                                       \
	" FROM stock_movements m JOIN lots l ON l.id = m.lot_id"                        \
	" JOIN facilities f ON f.id = m.facility_id"

static struct tc_sql q_movements = TC_SQL(
	"SELECT " MOVE_COLS MOVE_FROM " WHERE " TC_SCOPE_UNDER("m.scope_path", "$2", "$3")
	" AND (CAST($4 AS BIGINT) IS NULL OR m.facility_id = $4)"
	" AND (CAST($5 AS BIGINT) IS NULL OR m.lot_id = $5)"
	" AND (NOT $6 OR m.flag IS NOT NULL)"
	" ORDER BY m.id DESC LIMIT $7 OFFSET $8");
static struct tc_sql q_movement_get =
	TC_SQL("SELECT " MOVE_COLS MOVE_FROM " WHERE m.id = $1");

static int64_t opt_i64(const struct tc_dbrow *r, int col)
{
	return tc_row_null(r, col) ? 0 : tc_row_i64(r, col);
}

static void fill_movement(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_movement *m = item;

	m->id = tc_row_i64(r, 0);
	m->kind = tc_row_text(r, 1, a);
	m->lot_id = tc_row_i64(r, 2);
	m->quantity = tc_row_i64(r, 3);
	m->src = tc_row_text(r, 4, a);
	m->dst = tc_row_text(r, 5, a);
	m->facility_id = tc_row_i64(r, 6);
	m->transfer_id = opt_i64(r, 7);
	m->scope_path = tc_row_text(r, 8, a);
	m->party = tc_row_text(r, 9, a);
	m->reason = tc_row_text(r, 10, a);
	m->note = tc_row_text(r, 11, a);
	m->vvm = opt_i64(r, 12);
	m->dose_id = opt_i64(r, 13);
	m->flag = tc_row_text(r, 14, a);
	m->resolved_at = tc_row_null(r, 15) ? 0 : tc_row_time(r, 15);
	m->resolved_by = opt_i64(r, 16);
	m->resolution = tc_row_text(r, 17, a);
	m->at = tc_row_time(r, 18);
	m->actor_id = opt_i64(r, 19);
	m->lot_number = tc_row_text(r, 20, a);
	m->product = tc_row_text(r, 21, a);
	m->facility_name = tc_row_text(r, 22, a);
}

enum tc_qs tc_q_movements_list(struct tc_dbc *c, const char *scope, int64_t facility_id,
                               int64_t lot_id, bool flagged, struct tc_page page,
                               struct tc_arena *a, struct tc_movement **out, size_t *n)
{
	const char *lo, *hi;
	tc_scope_range(a, scope, &lo, &hi);
	struct tc_dbv p[] = {TC_P_TEXT(scope),    TC_P_TEXT(lo),        TC_P_TEXT(hi),
	                     TC_P_ID(facility_id), TC_P_ID(lot_id),     TC_P_BOOL(flagged),
	                     TC_P_I64(page.limit), TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_movement),
	                            .fill = fill_movement};
	enum tc_qs qs = tc_exec(c, &q_movements, p, 8, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

enum tc_qs tc_q_movement_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                             struct tc_movement *out)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	struct tc_row_into o = {a, out, fill_movement};
	return tc_exec(c, &q_movement_get, p, 1, tc_rows_one, &o);
}

/* ---- Transfers ---------------------------------------------------------------- */

#define TR_COLS                                                                         \
	"t.id, t.from_facility, t.to_facility, t.allocation_id, t.is_return, t.status,"  \
	" t.note, t.discrepancy_reason, t.from_scope, t.to_scope, t.shipped_at,"         \
	" t.shipped_by, t.received_at, t.received_by, ff.name, tf.name"
#define TR_FROM                                                                         \
	" FROM stock_transfers t JOIN facilities ff ON ff.id = t.from_facility"         \
	" JOIN facilities tf ON tf.id = t.to_facility"

static struct tc_sql q_transfer_get = TC_SQL("SELECT " TR_COLS TR_FROM " WHERE t.id = $1");
static struct tc_sql q_transfer_items = TC_SQL(
	"SELECT i.lot_id, i.shipped, i.in_transit, COALESCE(i.received, -1),"
	" COALESCE(i.vvm, 0), l.lot_number, l.product, l.expiry"
	" FROM stock_transfer_items i JOIN lots l ON l.id = i.lot_id"
	" WHERE i.transfer_id = $1 ORDER BY l.product, l.expiry, i.lot_id");
static struct tc_sql q_transfers_list = TC_SQL(
	"SELECT " TR_COLS TR_FROM
	" WHERE (" TC_SCOPE_UNDER("t.from_scope", "$2", "$3")
	" OR t.to_scope = $1 OR (t.to_scope >= $2 AND t.to_scope < $3))"
	" AND (CAST($4 AS BIGINT) IS NULL OR t.from_facility = $4 OR t.to_facility = $4)"
	" AND (CAST($5 AS TEXT) IS NULL OR t.status = $5)"
	" ORDER BY t.id DESC LIMIT $6 OFFSET $7");

static void fill_transfer(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_transfer *t = item;

	t->id = tc_row_i64(r, 0);
	t->from_facility = tc_row_i64(r, 1);
	t->to_facility = tc_row_i64(r, 2);
	t->allocation_id = opt_i64(r, 3);
	t->is_return = tc_row_bool(r, 4);
	t->status = tc_row_text(r, 5, a);
	t->note = tc_row_text(r, 6, a);
	t->discrepancy_reason = tc_row_text(r, 7, a);
	t->from_scope = tc_row_text(r, 8, a);
	t->to_scope = tc_row_text(r, 9, a);
	t->shipped_at = tc_row_time(r, 10);
	t->shipped_by = opt_i64(r, 11);
	t->received_at = tc_row_null(r, 12) ? 0 : tc_row_time(r, 12);
	t->received_by = opt_i64(r, 13);
	t->from_name = tc_row_text(r, 14, a);
	t->to_name = tc_row_text(r, 15, a);
	t->items = NULL;
	t->nitems = 0;
}

static void fill_item(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_transfer_item *it = item;

	it->lot_id = tc_row_i64(r, 0);
	it->shipped = tc_row_i64(r, 1);
	it->in_transit = tc_row_i64(r, 2);
	it->received = tc_row_i64(r, 3);
	it->vvm = tc_row_i64(r, 4);
	it->lot_number = tc_row_text(r, 5, a);
	it->product = tc_row_text(r, 6, a);
	it->expiry = tc_row_text(r, 7, a);
}

enum tc_qs tc_q_transfer_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                             struct tc_transfer *out)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	struct tc_row_into o = {a, out, fill_transfer};
	enum tc_qs qs = tc_exec(c, &q_transfer_get, p, 1, tc_rows_one, &o);

	if (qs != TC_QS_ONE)
		return qs;
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_transfer_item),
	                            .fill = fill_item};
	enum tc_qs qi = tc_exec(c, &q_transfer_items, p, 1, tc_rows_collect, &into);
	if (qi < 0)
		return qi;
	out->items = into.items;
	out->nitems = into.n;
	return TC_QS_ONE;
}

enum tc_qs tc_q_transfers_list(struct tc_dbc *c, const char *scope, int64_t facility_id,
                               const char *status, struct tc_page page, struct tc_arena *a,
                               struct tc_transfer **out, size_t *n)
{
	const char *lo, *hi;
	tc_scope_range(a, scope, &lo, &hi);
	struct tc_dbv p[] = {TC_P_TEXT(scope),     TC_P_TEXT(lo),     TC_P_TEXT(hi),
	                     TC_P_ID(facility_id), TC_P_TEXT(status), TC_P_I64(page.limit),
	                     TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_transfer),
	                            .fill = fill_transfer};
	enum tc_qs qs = tc_exec(c, &q_transfers_list, p, 7, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

/* ---- Allocations -------------------------------------------------------------- */

#define AL_COLS                                                                         \
	"a.id, a.from_facility, a.to_facility, a.product, a.quantity, a.shipped, a.status," \
	" a.note, a.from_scope, a.to_scope, a.created_at, a.created_by, ff.name, tf.name"
#define AL_FROM                                                                         \
	" FROM stock_allocations a JOIN facilities ff ON ff.id = a.from_facility"       \
	" JOIN facilities tf ON tf.id = a.to_facility"

static struct tc_sql q_alloc_id =
	TC_SQL2("SELECT nextval(pg_get_serial_sequence('stock_allocations', 'id'))",
	        "SELECT COALESCE(MAX(id), 0) + 1 FROM stock_allocations");
static struct tc_sql q_alloc_insert = TC_SQL(
	"INSERT INTO stock_allocations (id, from_facility, to_facility, product, quantity,"
	" shipped, status, note, from_scope, to_scope, created_at, created_by)"
	" VALUES ($1, $2, $3, $4, $5, 0, 'open', $6, $7, $8, $9, $10)");
static struct tc_sql q_alloc_get = TC_SQL("SELECT " AL_COLS AL_FROM " WHERE a.id = $1");
static struct tc_sql q_allocs_list = TC_SQL(
	"SELECT " AL_COLS AL_FROM
	" WHERE (" TC_SCOPE_UNDER("a.from_scope", "$2", "$3")
	" OR a.to_scope = $1 OR (a.to_scope >= $2 AND a.to_scope < $3))"
	" AND (CAST($4 AS BIGINT) IS NULL OR a.from_facility = $4 OR a.to_facility = $4)"
	" ORDER BY a.id DESC LIMIT $5 OFFSET $6");

static void fill_alloc(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_allocation *al = item;

	al->id = tc_row_i64(r, 0);
	al->from_facility = tc_row_i64(r, 1);
	al->to_facility = tc_row_i64(r, 2);
	al->product = tc_row_text(r, 3, a);
	al->quantity = tc_row_i64(r, 4);
	al->shipped = tc_row_i64(r, 5);
	al->status = tc_row_text(r, 6, a);
	al->note = tc_row_text(r, 7, a);
	al->from_scope = tc_row_text(r, 8, a);
	al->to_scope = tc_row_text(r, 9, a);
	al->created_at = tc_row_time(r, 10);
	al->created_by = opt_i64(r, 11);
	al->from_name = tc_row_text(r, 12, a);
	al->to_name = tc_row_text(r, 13, a);
}

enum tc_qs tc_q_allocation_insert(struct tc_dbc *c, struct tc_allocation *al)
{
	enum tc_qs qs = tc_exec(c, &q_alloc_id, NULL, 0, tc_rows_i64, &al->id);

	if (qs != TC_QS_ONE)
		return qs < 0 ? qs : TC_QS_HARD;
	struct tc_dbv p[] = {TC_P_I64(al->id),          TC_P_I64(al->from_facility),
	                     TC_P_I64(al->to_facility),  TC_P_TEXT(al->product),
	                     TC_P_I64(al->quantity),     TC_P_TEXT(al->note),
	                     TC_P_TEXT(al->from_scope),  TC_P_TEXT(al->to_scope),
	                     TC_P_TIME(al->created_at),  TC_P_ID(al->created_by)};
	return tc_exec(c, &q_alloc_insert, p, 10, NULL, NULL);
}

enum tc_qs tc_q_allocation_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                               struct tc_allocation *out)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	struct tc_row_into o = {a, out, fill_alloc};
	return tc_exec(c, &q_alloc_get, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_allocations_list(struct tc_dbc *c, const char *scope, int64_t facility_id,
                                 struct tc_page page, struct tc_arena *a,
                                 struct tc_allocation **out, size_t *n)
{
	const char *lo, *hi;
	tc_scope_range(a, scope, &lo, &hi);
	struct tc_dbv p[] = {TC_P_TEXT(scope),     TC_P_TEXT(lo),        TC_P_TEXT(hi),
	                     TC_P_ID(facility_id), TC_P_I64(page.limit), TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_allocation),
	                            .fill = fill_alloc};
	enum tc_qs qs = tc_exec(c, &q_allocs_list, p, 6, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

/* ---- Open vials --------------------------------------------------------------- */

static struct tc_sql q_open_vials = TC_SQL(
	"SELECT v.id, v.facility_id, v.lot_id, v.doses, v.used, v.wasted, v.opened_at,"
	" v.usable_until, v.opened_by, v.scope_path, l.lot_number, l.product"
	" FROM open_vials v JOIN lots l ON l.id = v.lot_id"
	" WHERE v.facility_id = $1 AND v.closed_at IS NULL ORDER BY v.opened_at, v.id");

static void fill_vial(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_open_vial *v = item;

	v->id = tc_row_i64(r, 0);
	v->facility_id = tc_row_i64(r, 1);
	v->lot_id = tc_row_i64(r, 2);
	v->doses = tc_row_i64(r, 3);
	v->used = tc_row_i64(r, 4);
	v->wasted = tc_row_i64(r, 5);
	v->opened_at = tc_row_time(r, 6);
	v->usable_until = tc_row_time(r, 7);
	v->closed_at = 0;
	v->opened_by = opt_i64(r, 8);
	v->scope_path = tc_row_text(r, 9, a);
	v->lot_number = tc_row_text(r, 10, a);
	v->product = tc_row_text(r, 11, a);
}

enum tc_qs tc_q_open_vials(struct tc_dbc *c, int64_t facility_id, struct tc_arena *a,
                           struct tc_open_vial **out, size_t *n)
{
	struct tc_dbv p[] = {TC_P_I64(facility_id)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_open_vial),
	                            .fill = fill_vial};
	enum tc_qs qs = tc_exec(c, &q_open_vials, p, 1, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

/* ---- Reconciliation ----------------------------------------------------------- */

/* Sums of the movements that touch the facility's stock, per lot: before
 * $2 (the opening), in [$2, $3) by kind and direction, and before $3 (the
 * closing). Computed independently of the balances. */
#define IN_PERIOD "m.at >= $2 AND m.at < $3"
#define SIGNED "CASE WHEN m.dst = 'facility' THEN m.quantity ELSE -m.quantity END"
#define SUM_IF(cond) "SUM(CASE WHEN " cond " THEN m.quantity ELSE 0 END)"
static struct tc_sql q_reconcile = TC_SQL(
	"SELECT m.lot_id, l.product, l.lot_number, l.expiry,"
	" SUM(CASE WHEN m.at < $2 THEN " SIGNED " ELSE 0 END),"
	" " SUM_IF(IN_PERIOD " AND m.dst = 'facility' AND m.kind IN ('receipt', 'transfer_in',"
	           " 'discrepancy')") ","
	" " SUM_IF(IN_PERIOD " AND m.src = 'facility' AND m.kind IN ('transfer_out', 'return')") ","
	/* a voided dose's return to stock counts against the doses given */
	" " SUM_IF(IN_PERIOD " AND m.kind = 'administered' AND m.src = 'facility'") " - "
	SUM_IF(IN_PERIOD " AND m.kind = 'administered' AND m.dst = 'facility'") ","
	" " SUM_IF(IN_PERIOD " AND m.kind = 'wastage'") ","
	" " SUM_IF(IN_PERIOD " AND m.kind = 'expiry'") ","
	" " SUM_IF(IN_PERIOD " AND m.kind = 'adjustment' AND m.dst = 'facility'") ","
	" " SUM_IF(IN_PERIOD " AND m.kind = 'adjustment' AND m.src = 'facility'") ","
	" SUM(" SIGNED "),"
	" " SUM_IF("m.flag IS NOT NULL AND m.resolved_at IS NULL")
	" FROM stock_movements m JOIN lots l ON l.id = m.lot_id"
	" WHERE m.facility_id = $1 AND m.at < $3 AND (m.src = 'facility' OR m.dst = 'facility')"
	" GROUP BY m.lot_id, l.product, l.lot_number, l.expiry"
	" ORDER BY l.product, l.expiry, m.lot_id");

static void fill_recon(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_recon_row *x = item;

	x->lot_id = tc_row_i64(r, 0);
	x->product = tc_row_text(r, 1, a);
	x->lot_number = tc_row_text(r, 2, a);
	x->expiry = tc_row_text(r, 3, a);
	x->opening = tc_row_i64(r, 4);
	x->received = tc_row_i64(r, 5);
	x->sent = tc_row_i64(r, 6);
	x->administered = tc_row_i64(r, 7);
	x->wasted = tc_row_i64(r, 8);
	x->expired = tc_row_i64(r, 9);
	x->adjust_in = tc_row_i64(r, 10);
	x->adjust_out = tc_row_i64(r, 11);
	x->closing = tc_row_i64(r, 12);
	x->flagged = tc_row_i64(r, 13);
}

enum tc_qs tc_q_stock_reconcile(struct tc_dbc *c, int64_t facility_id, int64_t from,
                                int64_t to, struct tc_arena *a, struct tc_recon_row **out,
                                size_t *n)
{
	struct tc_dbv p[] = {TC_P_I64(facility_id), TC_P_TIME(from), TC_P_TIME(to)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_recon_row),
	                            .fill = fill_recon};
	enum tc_qs qs = tc_exec(c, &q_reconcile, p, 3, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

static struct tc_sql q_wastage_rates = TC_SQL(
	"SELECT m.facility_id, f.name, l.product,"
	" " SUM_IF("m.kind = 'administered' AND m.src = 'facility'") " - "
	SUM_IF("m.kind = 'administered' AND m.dst = 'facility'") ", " SUM_IF("m.kind = 'wastage'")
	" FROM stock_movements m JOIN lots l ON l.id = m.lot_id"
	" JOIN facilities f ON f.id = m.facility_id"
	" WHERE " TC_SCOPE_UNDER("m.scope_path", "$2", "$3")
	" AND m.at >= $4 AND m.at < $5 AND m.kind IN ('administered', 'wastage')"
	" GROUP BY m.facility_id, f.name, l.product ORDER BY f.name, m.facility_id, l.product");

static void fill_rate(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_wastage_rate *w = item;

	w->facility_id = tc_row_i64(r, 0);
	w->facility_name = tc_row_text(r, 1, a);
	w->product = tc_row_text(r, 2, a);
	w->administered = tc_row_i64(r, 3);
	w->wasted = tc_row_i64(r, 4);
}

enum tc_qs tc_q_wastage_rates(struct tc_dbc *c, const char *scope, int64_t from, int64_t to,
                              struct tc_arena *a, struct tc_wastage_rate **out, size_t *n)
{
	const char *lo, *hi;
	tc_scope_range(a, scope, &lo, &hi);
	struct tc_dbv p[] = {TC_P_TEXT(scope), TC_P_TEXT(lo), TC_P_TEXT(hi), TC_P_TIME(from),
	                     TC_P_TIME(to)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_wastage_rate),
	                            .fill = fill_rate};
	enum tc_qs qs = tc_exec(c, &q_wastage_rates, p, 5, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

/* ---- The check ---------------------------------------------------------------- */

/* Each balance against its movements, both ways round: a balance whose
 * sum differs, and a sum with no balance row. */
#define NET_FACILITY                                                                    \
	"SELECT facility_id AS k1, lot_id AS k2, SUM(" SIGNED_BARE ") AS net"           \
	" FROM stock_movements WHERE src = 'facility' OR dst = 'facility'"              \
	" GROUP BY facility_id, lot_id"
#define SIGNED_BARE "CASE WHEN dst = 'facility' THEN quantity ELSE -quantity END"
#define NET_TRANSIT                                                                     \
	"SELECT transfer_id AS k1, lot_id AS k2,"                                       \
	" SUM(CASE WHEN dst = 'transit' THEN quantity ELSE -quantity END) AS net"      \
	" FROM stock_movements WHERE transfer_id IS NOT NULL GROUP BY transfer_id, lot_id"

/* One statement, so that it reads one snapshot even at READ COMMITTED
 * while movements commit around it. */
static struct tc_sql q_check = TC_SQL(
	"SELECT 'facility', b.facility_id, b.lot_id, b.on_hand, COALESCE(m.net, 0)"
	" FROM stock_balances b LEFT JOIN (" NET_FACILITY ") m"
	" ON m.k1 = b.facility_id AND m.k2 = b.lot_id"
	" WHERE b.on_hand <> COALESCE(m.net, 0) OR b.on_hand < 0"
	" UNION ALL SELECT 'facility', m.k1, m.k2, 0, m.net FROM (" NET_FACILITY ") m"
	" WHERE m.net <> 0 AND NOT EXISTS (SELECT 1 FROM stock_balances b"
	" WHERE b.facility_id = m.k1 AND b.lot_id = m.k2)"
	" UNION ALL SELECT 'transit', i.transfer_id, i.lot_id, i.in_transit, COALESCE(m.net, 0)"
	" FROM stock_transfer_items i LEFT JOIN (" NET_TRANSIT ") m"
	" ON m.k1 = i.transfer_id AND m.k2 = i.lot_id"
	" WHERE i.in_transit <> COALESCE(m.net, 0) OR i.in_transit < 0"
	" UNION ALL SELECT 'transit', m.k1, m.k2, 0, m.net FROM (" NET_TRANSIT ") m"
	" WHERE m.net <> 0 AND NOT EXISTS (SELECT 1 FROM stock_transfer_items i"
	" WHERE i.transfer_id = m.k1 AND i.lot_id = m.k2)"
	" UNION ALL SELECT 'received', i.transfer_id, i.lot_id, i.in_transit, 0"
	" FROM stock_transfer_items i JOIN stock_transfers t ON t.id = i.transfer_id"
	" WHERE t.status = 'received' AND i.in_transit <> 0"
	/* a movement must take from or give to a balance */
	" UNION ALL SELECT 'orphan', id, lot_id, quantity, 0 FROM stock_movements"
	" WHERE src NOT IN ('facility', 'transit') AND dst NOT IN ('facility', 'transit')");
static struct tc_sql q_count_balances =
	TC_SQL("SELECT (SELECT COUNT(*) FROM stock_balances)"
	       " + (SELECT COUNT(*) FROM stock_transfer_items)");
static struct tc_sql q_count_movements = TC_SQL("SELECT COUNT(*) FROM stock_movements");

struct check_out {
	struct tc_arena *a;
	struct tc_buf *b;
	int64_t problems;
};

static int check_row(void *cls, const struct tc_dbrow *r)
{
	struct check_out *co = cls;
	const char *what = tc_row_text(r, 0, co->a);
	long long k1 = (long long)tc_row_i64(r, 1), k2 = (long long)tc_row_i64(r, 2);
	long long have = (long long)tc_row_i64(r, 3), sum = (long long)tc_row_i64(r, 4);

	co->problems++;
	if (strcmp(what, "facility") == 0)
		tc_buf_printf(co->b, "facility %lld lot %lld: balance %lld, ledger %lld\n", k1, k2,
		              have, sum);
	else if (strcmp(what, "transit") == 0)
		tc_buf_printf(co->b, "transfer %lld lot %lld: in transit %lld, ledger %lld\n", k1,
		              k2, have, sum);
	else if (strcmp(what, "received") == 0)
		tc_buf_printf(co->b, "transfer %lld lot %lld: received but %lld still in transit\n",
		              k1, k2, have);
	else
		tc_buf_printf(co->b, "movement %lld (lot %lld, %lld doses) touches no balance\n",
		              k1, k2, have);
	return 0;
}

tc_err tc_stock_check(struct tc_dbc *c, struct tc_arena *a, int64_t *balances,
                      int64_t *movements, int64_t *problems, char **report,
                      struct tc_fault *f)
{
	struct tc_buf b;
	struct check_out co = {a, &b, 0};
	enum tc_qs qs;

	*balances = *movements = *problems = 0;
	*report = NULL;
	if ((qs = tc_exec(c, &q_count_balances, NULL, 0, tc_rows_i64, balances)) < 0 ||
	    (qs = tc_exec(c, &q_count_movements, NULL, 0, tc_rows_i64, movements)) < 0)
		return tc_qs_err(qs, f);
	tc_buf_init(&b);
	qs = tc_exec(c, &q_check, NULL, 0, check_row, &co);
	if (qs < 0) {
		tc_buf_cleanup(&b);
		return tc_qs_err(qs, f);
	}
	*problems = co.problems;
	if (b.len)
		*report = tc_arena_strndup(a, b.data, b.len);
	tc_buf_cleanup(&b);
	return TC_ERR_OK;
}
