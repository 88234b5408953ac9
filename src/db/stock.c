/* The stock ledger's operations (see stock.h): each checks its input,
 * then writes its movements through move(), which changes the balances
 * by guarded updates and appends the movement. They run inside the
 * caller's transaction; a failure leaves the rollback to the caller. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../domain/birthdate.h"
#include "../core/log.h"
#include "../core/tctime.h"
#include "dbi.h"
#include "stock.h"

#define MAX_LINES 100

/* ---- Statements the operations write with -------------------------------- */

/* A lot read inside a write: on PostgreSQL it is locked against a
 * concurrent quarantine until this transaction ends. */
static struct tc_sql q_lot_lock = TC_SQL2(
	"SELECT l.quarantined, l.expiry, p.doses_per_vial, p.open_vial_hours"
	" FROM lots l JOIN vaccine_products p ON p.code = l.product"
	" WHERE l.id = $1 FOR SHARE OF l",
	"SELECT l.quarantined, l.expiry, p.doses_per_vial, p.open_vial_hours"
	" FROM lots l JOIN vaccine_products p ON p.code = l.product WHERE l.id = $1");
static struct tc_sql q_fac = TC_SQL("SELECT kind, active, scope_path FROM facilities WHERE id = $1");
/* The two guarded updates that keep every balance at zero or above. */
static struct tc_sql q_bal_take = TC_SQL(
	"UPDATE stock_balances SET on_hand = on_hand - $3, updated_at = $4"
	" WHERE facility_id = $1 AND lot_id = $2 AND on_hand >= $3");
static struct tc_sql q_transit_take = TC_SQL(
	"UPDATE stock_transfer_items SET in_transit = in_transit - $3"
	" WHERE transfer_id = $1 AND lot_id = $2 AND in_transit >= $3");
static struct tc_sql q_bal_give = TC_SQL(
	"INSERT INTO stock_balances (facility_id, lot_id, on_hand, scope_path, updated_at)"
	" VALUES ($1, $2, $3, $4, $5) ON CONFLICT (facility_id, lot_id)"
	" DO UPDATE SET on_hand = stock_balances.on_hand + excluded.on_hand,"
	" updated_at = excluded.updated_at");
static struct tc_sql q_transit_give = TC_SQL(
	"UPDATE stock_transfer_items SET in_transit = in_transit + $3"
	" WHERE transfer_id = $1 AND lot_id = $2");
static struct tc_sql q_bal_get = TC_SQL2(
	"SELECT on_hand, COALESCE(vvm, 0) FROM stock_balances"
	" WHERE facility_id = $1 AND lot_id = $2 FOR UPDATE",
	"SELECT on_hand, COALESCE(vvm, 0) FROM stock_balances"
	" WHERE facility_id = $1 AND lot_id = $2");
/* A zero balance, so that a count has a row to lock even for a lot the
 * facility never held (a receipt committing meanwhile then waits). */
static struct tc_sql q_bal_ensure = TC_SQL(
	"INSERT INTO stock_balances (facility_id, lot_id, on_hand, scope_path, updated_at)"
	" VALUES ($1, $2, 0, $3, $4) ON CONFLICT (facility_id, lot_id) DO NOTHING");
static struct tc_sql q_bal_vvm = TC_SQL(
	"UPDATE stock_balances SET vvm = $3 WHERE facility_id = $1 AND lot_id = $2");
static struct tc_sql q_move = TC_SQL(
	"INSERT INTO stock_movements (id, kind, lot_id, quantity, src, dst, facility_id,"
	" transfer_id, scope_path, party, reason, note, vvm, dose_id, flag, at, actor_id)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)");

static struct tc_sql q_transfer_id = TC_SQL2(
	"SELECT nextval(pg_get_serial_sequence('stock_transfers', 'id'))",
	"SELECT COALESCE(MAX(id), 0) + 1 FROM stock_transfers");
static struct tc_sql q_transfer_insert = TC_SQL(
	"INSERT INTO stock_transfers (id, from_facility, to_facility, allocation_id, is_return,"
	" status, note, from_scope, to_scope, shipped_at, shipped_by)"
	" VALUES ($1, $2, $3, $4, $5, 'in_transit', $6, $7, $8, $9, $10)");
static struct tc_sql q_item_insert = TC_SQL(
	"INSERT INTO stock_transfer_items (transfer_id, lot_id, shipped, in_transit)"
	" VALUES ($1, $2, $3, 0)");
static struct tc_sql q_transfer_receive = TC_SQL(
	"UPDATE stock_transfers SET status = 'received', received_at = $2, received_by = $3,"
	" discrepancy_reason = $4 WHERE id = $1 AND status = 'in_transit'");
static struct tc_sql q_item_received = TC_SQL(
	"UPDATE stock_transfer_items SET received = $3, vvm = $4"
	" WHERE transfer_id = $1 AND lot_id = $2");
static struct tc_sql q_alloc_take = TC_SQL(
	"UPDATE stock_allocations SET shipped = shipped + $5"
	" WHERE id = $1 AND from_facility = $2 AND to_facility = $3 AND product = $4"
	" AND status = 'open' AND shipped + $5 <= quantity");

static struct tc_sql q_vial_id = TC_SQL2(
	"SELECT nextval(pg_get_serial_sequence('open_vials', 'id'))",
	"SELECT COALESCE(MAX(id), 0) + 1 FROM open_vials");
static struct tc_sql q_vial_insert = TC_SQL(
	"INSERT INTO open_vials (id, facility_id, lot_id, doses, used, wasted, opened_at,"
	" usable_until, opened_by, scope_path) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8, $9)");
/* The vial a dose comes from: the oldest open one still usable. */
static struct tc_sql q_vial_current = TC_SQL(
	"SELECT id FROM open_vials WHERE facility_id = $1 AND lot_id = $2"
	" AND closed_at IS NULL AND usable_until > $3 AND used < doses"
	" ORDER BY opened_at, id LIMIT 1");
static struct tc_sql q_vial_use = TC_SQL(
	"UPDATE open_vials SET used = used + 1,"
	" closed_at = CASE WHEN used + 1 = doses THEN $2 ELSE closed_at END"
	" WHERE id = $1 AND used < doses AND closed_at IS NULL");
/* q_vial_current and q_vial_use in one statement, for the common case
 * (NONE: no usable open vial, or another writer took its last dose). */
static struct tc_sql q_vial_take = TC_SQL(
	"UPDATE open_vials SET used = used + 1,"
	" closed_at = CASE WHEN used + 1 = doses THEN $3 ELSE closed_at END"
	" WHERE id = (SELECT id FROM open_vials WHERE facility_id = $1 AND lot_id = $2"
	" AND closed_at IS NULL AND usable_until > $3 AND used < doses"
	" ORDER BY opened_at, id LIMIT 1) AND used < doses AND closed_at IS NULL");
static struct tc_sql q_vials_due = TC_SQL(
	"SELECT id, facility_id, lot_id, scope_path FROM open_vials"
	" WHERE closed_at IS NULL AND usable_until <= $1"
	" AND (CAST($2 AS BIGINT) IS NULL OR facility_id = $2) ORDER BY id LIMIT 1000");
/* Closing answers the doses the vial still had, as of the close. */
static struct tc_sql q_vial_close = TC_SQL(
	"UPDATE open_vials SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL"
	" RETURNING doses - used");
static struct tc_sql q_vial_wasted = TC_SQL("UPDATE open_vials SET wasted = $2 WHERE id = $1");

static struct tc_sql q_resolve = TC_SQL(
	"UPDATE stock_movements SET resolved_at = $2, resolved_by = $3, resolution = $4"
	" WHERE id = $1 AND flag IS NOT NULL AND resolved_at IS NULL");
static struct tc_sql q_movement_exists =
	TC_SQL("SELECT COUNT(*) FROM stock_movements WHERE id = $1");

/* ---- Small pieces ----------------------------------------------------------- */

static void day_text(int64_t day, char out[11])
{
	int64_t y;
	unsigned m, d;

	tc_civil_from_days(day, &y, &m, &d);
	snprintf(out, 11, "%04lld-%02u-%02u", (long long)y, m, d);
}

struct fac {
	char kind[32];
	bool active;
	char scope[256];
};

static int fill_fac(void *cls, const struct tc_dbrow *r)
{
	struct fac *fc = cls;
	struct tc_arena a;

	tc_arena_init(&a);
	snprintf(fc->kind, sizeof fc->kind, "%s", tc_row_text(r, 0, &a));
	fc->active = tc_row_bool(r, 1);
	snprintf(fc->scope, sizeof fc->scope, "%s", tc_row_text(r, 2, &a));
	tc_arena_cleanup(&a);
	return 1;
}

static tc_err load_fac(struct tc_dbc *c, int64_t id, const char *field, struct fac *out,
                       struct tc_fault *f)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	enum tc_qs qs = tc_exec(c, &q_fac, p, 1, fill_fac, out);

	if (qs < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, field, "no facility has that id");
	if (!out->active)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, field, "that facility is closed");
	return TC_ERR_OK;
}

struct lotinfo {
	bool quarantined;
	char expiry[11];
	int64_t doses_per_vial, open_vial_hours;
};

static int fill_lotinfo(void *cls, const struct tc_dbrow *r)
{
	struct lotinfo *li = cls;
	struct tc_arena a;

	tc_arena_init(&a);
	li->quarantined = tc_row_bool(r, 0);
	snprintf(li->expiry, sizeof li->expiry, "%s", tc_row_text(r, 1, &a));
	li->doses_per_vial = tc_row_i64(r, 2);
	li->open_vial_hours = tc_row_i64(r, 3);
	tc_arena_cleanup(&a);
	return 1;
}

static tc_err load_lot(struct tc_dbc *c, int64_t id, const char *field, struct lotinfo *out,
                       struct tc_fault *f)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	enum tc_qs qs = tc_exec(c, &q_lot_lock, p, 1, fill_lotinfo, out);

	if (qs < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, field, "no lot has that id");
	return TC_ERR_OK;
}

/* Whether doses of the lot may still go to people (and so be shipped or
 * taken in from a supplier). */
static tc_err lot_usable(const struct lotinfo *li, int64_t now, const char *field,
                         struct tc_fault *f)
{
	char today[11];

	if (li->quarantined)
		return tc_fault_set(f, TC_ERR_LOT_UNUSABLE, field,
		                    "that lot is quarantined (recalled): it may not be used");
	day_text(tc_vn_day(now), today);
	if (strcmp(li->expiry, today) < 0)
		return tc_fault_set(f, TC_ERR_LOT_UNUSABLE, field, "that lot has expired");
	return TC_ERR_OK;
}

static tc_err check_qty(int64_t q, const char *field, struct tc_fault *f)
{
	if (q <= 0)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, field,
		                    "the quantity must be 1 dose or more");
	if (q > TC_STOCK_MAX_QTY)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, field,
		                    "the quantity is larger than any shipment (100,000,000 doses)");
	return TC_ERR_OK;
}

static tc_err check_vvm(int64_t vvm, struct tc_fault *f)
{
	if (vvm < 0 || vvm > 4)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "vvm",
		                    "the vial monitor stage is 1, 2, 3 or 4");
	return TC_ERR_OK;
}

static bool is_blank(const char *s)
{
	if (!s)
		return true;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return *s == '\0';
}

/* ---- The one writer of movements ------------------------------------------- */

static bool is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* Applies m to the balances and appends it. INSUFFICIENT_STOCK (field
 * `field`) when the account it takes from has too little. */
static tc_err move(struct tc_dbc *c, const struct tc_stock_by *by, struct tc_movement *m,
                   const char *field, struct tc_fault *f)
{
	enum tc_qs qs;

	m->at = by->now;
	m->actor_id = by->actor_id;
	if (is(m->src, "facility")) {
		struct tc_dbv p[] = {TC_P_I64(m->facility_id), TC_P_I64(m->lot_id),
		                     TC_P_I64(m->quantity), TC_P_TIME(by->now)};
		qs = tc_exec(c, &q_bal_take, p, 4, NULL, NULL);
		if (qs < 0)
			return tc_qs_err(qs, f);
		if (qs == TC_QS_NONE)
			return tc_fault_set(f, TC_ERR_INSUFFICIENT_STOCK, field,
			                    "there are not that many doses of this lot on hand");
	} else if (is(m->src, "transit")) {
		struct tc_dbv p[] = {TC_P_I64(m->transfer_id), TC_P_I64(m->lot_id),
		                     TC_P_I64(m->quantity)};
		qs = tc_exec(c, &q_transit_take, p, 3, NULL, NULL);
		if (qs < 0)
			return tc_qs_err(qs, f);
		if (qs == TC_QS_NONE)
			return tc_fault_set(f, TC_ERR_INSUFFICIENT_STOCK, field,
			                    "there are not that many doses of this lot in transit");
	}
	if (is(m->dst, "facility")) {
		struct tc_dbv p[] = {TC_P_I64(m->facility_id), TC_P_I64(m->lot_id),
		                     TC_P_I64(m->quantity), TC_P_TEXT(m->scope_path),
		                     TC_P_TIME(by->now)};
		qs = tc_exec(c, &q_bal_give, p, 5, NULL, NULL);
		if (qs < 0)
			return tc_qs_err(qs, f);
	} else if (is(m->dst, "transit")) {
		struct tc_dbv p[] = {TC_P_I64(m->transfer_id), TC_P_I64(m->lot_id),
		                     TC_P_I64(m->quantity)};
		qs = tc_exec(c, &q_transit_give, p, 3, NULL, NULL);
		if (qs != TC_QS_ONE)
			return qs < 0 ? tc_qs_err(qs, f)
			              : tc_fault_internal(f, TC_ERR_INTERNAL, "transit line missing");
	}
	m->id = tc_db_next_id(c);
	struct tc_dbv p[] = {
		TC_P_I64(m->id),         TC_P_TEXT(m->kind),     TC_P_I64(m->lot_id),
		TC_P_I64(m->quantity),   TC_P_TEXT(m->src),      TC_P_TEXT(m->dst),
		TC_P_I64(m->facility_id), TC_P_ID(m->transfer_id), TC_P_TEXT(m->scope_path),
		TC_P_TEXT(m->party),     TC_P_TEXT(m->reason),   TC_P_TEXT(m->note),
		m->vvm ? TC_P_I64(m->vvm) : TC_P_NULL, TC_P_ID(m->dose_id), TC_P_TEXT(m->flag),
		TC_P_TIME(m->at),        TC_P_ID(m->actor_id)};
	qs = tc_exec(c, &q_move, p, 17, NULL, NULL);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

static struct tc_movement movement(const char *kind, const char *src, const char *dst,
                                   int64_t facility_id, const char *scope, int64_t lot_id,
                                   int64_t quantity)
{
	return (struct tc_movement){.kind = kind,
	                            .src = src,
	                            .dst = dst,
	                            .facility_id = facility_id,
	                            .scope_path = scope,
	                            .lot_id = lot_id,
	                            .quantity = quantity};
}

static tc_err set_vvm(struct tc_dbc *c, int64_t facility_id, int64_t lot_id, int64_t vvm,
                      struct tc_fault *f)
{
	struct tc_dbv p[] = {TC_P_I64(facility_id), TC_P_I64(lot_id),
	                     vvm ? TC_P_I64(vvm) : TC_P_NULL};
	enum tc_qs qs = tc_exec(c, &q_bal_vvm, p, 3, NULL, NULL);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

/* Doses just found at VVM stage 3 or 4: written off at once. */
static tc_err vvm_writeoff(struct tc_dbc *c, const struct tc_stock_by *by, int64_t facility_id,
                           const char *scope, int64_t lot_id, int64_t quantity, int64_t vvm,
                           struct tc_fault *f)
{
	struct tc_movement w =
		movement("wastage", "facility", "wasted", facility_id, scope, lot_id, quantity);
	tc_err rc;

	w.reason = "vvm";
	w.vvm = vvm;
	rc = move(c, by, &w, "vvm", f);
	return rc != TC_ERR_OK ? rc : set_vvm(c, facility_id, lot_id, 0, f);
}

/* ---- Operations ------------------------------------------------------------ */

tc_err tc_stock_receipt(struct tc_dbc *c, const struct tc_stock_by *by,
                        const struct tc_receipt *in, int64_t *movement_id,
                        struct tc_fault *f)
{
	struct fac fc;
	struct lotinfo li;
	tc_err rc;

	if ((rc = check_qty(in->quantity, "quantity", f)) != TC_ERR_OK ||
	    (rc = check_vvm(in->vvm, f)) != TC_ERR_OK)
		return rc;
	if (!tc_stock_source_ok(in->source))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "source",
		                    "source must be covax, donation, purchase or other");
	if ((rc = load_fac(c, in->facility_id, "facility_id", &fc, f)) != TC_ERR_OK)
		return rc;
	if (!is(fc.kind, "national_warehouse") && !is(fc.kind, "provincial_warehouse"))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "facility_id",
		                    "vaccine from a supplier is received into a national or "
		                    "provincial warehouse");
	if ((rc = load_lot(c, in->lot_id, "lot_id", &li, f)) != TC_ERR_OK ||
	    (rc = lot_usable(&li, by->now, "lot_id", f)) != TC_ERR_OK)
		return rc;

	struct tc_movement m = movement("receipt", "supplier", "facility", in->facility_id,
	                                fc.scope, in->lot_id, in->quantity);
	m.reason = in->source;
	m.party = in->party;
	m.note = in->note;
	m.vvm = in->vvm;
	if ((rc = move(c, by, &m, "quantity", f)) != TC_ERR_OK)
		return rc;
	*movement_id = m.id;
	if (in->vvm >= TC_VVM_UNUSABLE)
		return vvm_writeoff(c, by, in->facility_id, fc.scope, in->lot_id, in->quantity,
		                    in->vvm, f);
	return in->vvm ? set_vvm(c, in->facility_id, in->lot_id, in->vvm, f) : TC_ERR_OK;
}

static struct tc_sql q_lot_product = TC_SQL("SELECT product FROM lots WHERE id = $1");

static int fill_text(void *cls, const struct tc_dbrow *r)
{
	struct {
		struct tc_arena *a;
		const char *s;
	} *t = cls;
	t->s = tc_row_text(r, 0, t->a);
	return 1;
}

/* Positions 0..n-1 in the order of their lots: a job that moves several
 * lots takes their balances' row locks lot by lot in that order, so two
 * jobs naming the same lots in other orders cannot deadlock (PostgreSQL). */
struct lot_pos {
	int64_t lot_id;
	size_t i;
};

static int cmp_lot_pos(const void *x, const void *y)
{
	const struct lot_pos *a = x, *b = y;
	return a->lot_id < b->lot_id ? -1 : a->lot_id > b->lot_id;
}

static size_t *in_lot_order(struct tc_arena *a, size_t n, const void *items, size_t size,
                            size_t lot_offset)
{
	struct lot_pos *lp = TC_NEWN(a, struct lot_pos, n ? n : 1);
	size_t *order = TC_NEWN(a, size_t, n ? n : 1);

	for (size_t i = 0; i < n; i++) {
		memcpy(&lp[i].lot_id, (const char *)items + i * size + lot_offset, sizeof(int64_t));
		lp[i].i = i;
	}
	qsort(lp, n, sizeof *lp, cmp_lot_pos);
	for (size_t i = 0; i < n; i++)
		order[i] = lp[i].i;
	return order;
}

tc_err tc_stock_ship(struct tc_dbc *c, const struct tc_stock_by *by, struct tc_transfer *t,
                     struct tc_arena *a, struct tc_fault *f)
{
	struct fac from, to;
	int64_t total = 0;
	const char *product = NULL;
	enum tc_qs qs;
	tc_err rc;

	if (t->nitems == 0)
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "items",
		                    "a transfer ships at least one lot");
	if (t->nitems > MAX_LINES)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "items",
		                    "a transfer has at most 100 lines");
	if ((rc = load_fac(c, t->from_facility, "from_facility", &from, f)) != TC_ERR_OK ||
	    (rc = load_fac(c, t->to_facility, "to_facility", &to, f)) != TC_ERR_OK)
		return rc;
	if (t->from_facility == t->to_facility)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "to_facility",
		                    "a transfer goes to another facility");
	for (size_t i = 0; i < t->nitems; i++) {
		struct tc_transfer_item *it = &t->items[i];
		const char *qf = tc_arena_printf(a, "items[%zu].quantity", i);
		const char *lf = tc_arena_printf(a, "items[%zu].lot_id", i);
		struct lotinfo li;

		if ((rc = check_qty(it->shipped, qf, f)) != TC_ERR_OK)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (t->items[j].lot_id == it->lot_id)
				return tc_fault_set(f, TC_ERR_INVALID_FIELD, lf,
				                    "each lot appears once in a transfer");
		if ((rc = load_lot(c, it->lot_id, lf, &li, f)) != TC_ERR_OK ||
		    (rc = lot_usable(&li, by->now, lf, f)) != TC_ERR_OK)
			return rc;
		total += it->shipped;
	}
	if (t->allocation_id) {
		struct {
			struct tc_arena *a;
			const char *s;
		} pr = {a, NULL};
		for (size_t i = 0; i < t->nitems; i++) {
			struct tc_dbv p[] = {TC_P_I64(t->items[i].lot_id)};
			pr.s = NULL;
			qs = tc_exec(c, &q_lot_product, p, 1, fill_text, &pr);
			if (qs < 0)
				return tc_qs_err(qs, f);
			if (product && pr.s && strcmp(product, pr.s) != 0)
				return tc_fault_set(f, TC_ERR_INVALID_FIELD, "allocation_id",
				                    "an allocation is for one product: ship its "
				                    "lines in one transfer each");
			product = pr.s;
		}
		struct tc_dbv p[] = {TC_P_I64(t->allocation_id), TC_P_I64(t->from_facility),
		                     TC_P_I64(t->to_facility), TC_P_TEXT(product),
		                     TC_P_I64(total)};
		qs = tc_exec(c, &q_alloc_take, p, 5, NULL, NULL);
		if (qs < 0)
			return tc_qs_err(qs, f);
		if (qs == TC_QS_NONE)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "allocation_id",
			                    "no open allocation of this product between these "
			                    "facilities has that many doses left");
	}

	qs = tc_exec(c, &q_transfer_id, NULL, 0, tc_rows_i64, &t->id);
	if (qs != TC_QS_ONE)
		return qs < 0 ? tc_qs_err(qs, f) : tc_fault_internal(f, TC_ERR_DB, "no transfer id");
	t->status = "in_transit";
	t->from_scope = tc_arena_strdup(a, from.scope);
	t->to_scope = tc_arena_strdup(a, to.scope);
	t->shipped_at = by->now;
	t->shipped_by = by->actor_id;
	t->received_at = t->received_by = 0;
	{
		struct tc_dbv p[] = {TC_P_I64(t->id),        TC_P_I64(t->from_facility),
		                     TC_P_I64(t->to_facility), TC_P_ID(t->allocation_id),
		                     TC_P_BOOL(t->is_return), TC_P_TEXT(t->note),
		                     TC_P_TEXT(t->from_scope), TC_P_TEXT(t->to_scope),
		                     TC_P_TIME(t->shipped_at), TC_P_ID(t->shipped_by)};
		qs = tc_exec(c, &q_transfer_insert, p, 10, NULL, NULL);
		if (qs < 0)
			return tc_qs_err(qs, f);
	}
	size_t *order = in_lot_order(a, t->nitems, t->items, sizeof t->items[0],
	                             offsetof(struct tc_transfer_item, lot_id));
	size_t first_short = t->nitems;
	struct tc_fault short_fault = {0};
	for (size_t k = 0; k < t->nitems; k++) {
		size_t i = order[k];
		struct tc_transfer_item *it = &t->items[i];
		struct tc_dbv p[] = {TC_P_I64(t->id), TC_P_I64(it->lot_id), TC_P_I64(it->shipped)};

		qs = tc_exec(c, &q_item_insert, p, 3, NULL, NULL);
		if (qs < 0)
			return tc_qs_err(qs, f);
		struct tc_movement m = movement(t->is_return ? "return" : "transfer_out",
		                                "facility", "transit", t->from_facility,
		                                t->from_scope, it->lot_id, it->shipped);
		m.transfer_id = t->id;
		m.note = t->note;
		rc = move(c, by, &m, tc_arena_printf(a, "items[%zu].quantity", i), f);
		if (rc == TC_ERR_INSUFFICIENT_STOCK) {
			/* the answer names the first such line as the request
			 * lists them (the job is rolled back either way) */
			if (i < first_short) {
				first_short = i;
				short_fault = *f;
			}
			tc_fault_clear(f);
			continue;
		}
		if (rc != TC_ERR_OK)
			return rc;
		it->in_transit = it->shipped;
		it->received = -1;
		it->vvm = 0;
	}
	if (first_short < t->nitems) {
		*f = short_fault;
		return f->code;
	}
	return TC_ERR_OK;
}

tc_err tc_stock_receive(struct tc_dbc *c, const struct tc_stock_by *by, int64_t id,
                        const struct tc_arrival *arr, size_t narr, const char *reason,
                        struct tc_arena *a, struct tc_transfer *out, struct tc_fault *f)
{
	bool differs = false;
	enum tc_qs qs = tc_q_transfer_get(c, id, a, out);
	tc_err rc;

	if (qs < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_NOT_FOUND, NULL, "no transfer has that id");
	if (!is(out->status, "in_transit"))
		return tc_fault_set(f, TC_ERR_WRONG_STATE, NULL, "that transfer was already received");
	if (narr > out->nitems)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "items",
		                    "the transfer has fewer lines than that");
	/* every line named once, and nothing else */
	for (size_t i = 0; i < narr; i++) {
		const char *lf = tc_arena_printf(a, "items[%zu].lot_id", i);
		const char *qf = tc_arena_printf(a, "items[%zu].received", i);
		bool found = false;

		for (size_t j = 0; j < i; j++)
			if (arr[j].lot_id == arr[i].lot_id)
				return tc_fault_set(f, TC_ERR_INVALID_FIELD, lf,
				                    "each lot appears once");
		for (size_t j = 0; j < out->nitems; j++)
			if (out->items[j].lot_id == arr[i].lot_id) {
				found = true;
				differs |= arr[i].received != out->items[j].shipped;
			}
		if (!found)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, lf,
			                    "that lot is not in this transfer");
		if (arr[i].received < 0 || arr[i].received > TC_STOCK_MAX_QTY)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, qf,
			                    "the quantity received is 0 or more doses");
		if ((rc = check_vvm(arr[i].vvm, f)) != TC_ERR_OK) {
			f->field = tc_arena_printf(a, "items[%zu].vvm", i);
			return rc;
		}
	}
	if (narr < out->nitems)
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "items",
		                    "say what arrived of every line of the transfer (0 if none)");
	if (differs && is_blank(reason))
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "reason",
		                    "what arrived differs from what was shipped: give the reason");

	struct tc_dbv p[] = {TC_P_I64(id), TC_P_TIME(by->now), TC_P_ID(by->actor_id),
	                     TC_P_TEXT(differs ? reason : NULL)};
	qs = tc_exec(c, &q_transfer_receive, p, 4, NULL, NULL);
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_WRONG_STATE, NULL, "that transfer was already received");

	size_t *order = in_lot_order(a, narr, arr, sizeof arr[0], offsetof(struct tc_arrival, lot_id));
	for (size_t k = 0; k < narr; k++) {
		size_t i = order[k];
		struct tc_transfer_item *it = NULL;
		for (size_t j = 0; j < out->nitems; j++)
			if (out->items[j].lot_id == arr[i].lot_id)
				it = &out->items[j];
		int64_t got = arr[i].received, sent = it->shipped;
		int64_t onward = got < sent ? got : sent;
		const char *field = tc_arena_printf(a, "items[%zu].received", i);

		if (onward > 0) {
			struct tc_movement m = movement("transfer_in", "transit", "facility",
			                                out->to_facility, out->to_scope,
			                                it->lot_id, onward);
			m.transfer_id = id;
			m.vvm = arr[i].vvm;
			if ((rc = move(c, by, &m, field, f)) != TC_ERR_OK)
				return rc;
		}
		if (got != sent) {
			/* short: the missing doses leave transit; over: the extra
			 * ones come from nowhere the ledger knew of */
			struct tc_movement d = got < sent
				? movement("discrepancy", "transit", "discrepancy", out->to_facility,
				           out->to_scope, it->lot_id, sent - got)
				: movement("discrepancy", "discrepancy", "facility", out->to_facility,
				           out->to_scope, it->lot_id, got - sent);
			if (got < sent)
				d.transfer_id = id;
			d.reason = reason;
			if ((rc = move(c, by, &d, field, f)) != TC_ERR_OK)
				return rc;
		}
		struct tc_dbv pi[] = {TC_P_I64(id), TC_P_I64(it->lot_id), TC_P_I64(got),
		                      arr[i].vvm ? TC_P_I64(arr[i].vvm) : TC_P_NULL};
		qs = tc_exec(c, &q_item_received, pi, 4, NULL, NULL);
		if (qs < 0)
			return tc_qs_err(qs, f);
		it->received = got;
		it->in_transit = 0;
		it->vvm = arr[i].vvm;
		if (got > 0 && arr[i].vvm >= TC_VVM_UNUSABLE)
			rc = vvm_writeoff(c, by, out->to_facility, out->to_scope, it->lot_id, got,
			                  arr[i].vvm, f);
		else if (got > 0 && arr[i].vvm)
			rc = set_vvm(c, out->to_facility, it->lot_id, arr[i].vvm, f);
		if (rc != TC_ERR_OK)
			return rc;
	}
	out->status = "received";
	out->received_at = by->now;
	out->received_by = by->actor_id;
	out->discrepancy_reason = differs ? reason : NULL;
	return TC_ERR_OK;
}

static int fill_bal(void *cls, const struct tc_dbrow *r)
{
	int64_t *v = cls;
	v[0] = tc_row_i64(r, 0);
	v[1] = tc_row_i64(r, 1);
	return 1;
}

tc_err tc_stock_count(struct tc_dbc *c, const struct tc_stock_by *by,
                      const struct tc_count *in, int64_t *delta, struct tc_fault *f)
{
	struct fac fc;
	struct lotinfo li;
	int64_t bal[2] = {0, 0};
	enum tc_qs qs;
	tc_err rc;

	if (in->counted < 0 || in->counted > TC_STOCK_MAX_QTY)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "counted",
		                    "the count is 0 or more doses");
	if ((rc = check_vvm(in->vvm, f)) != TC_ERR_OK ||
	    (rc = load_fac(c, in->facility_id, "facility_id", &fc, f)) != TC_ERR_OK ||
	    (rc = load_lot(c, in->lot_id, "lot_id", &li, f)) != TC_ERR_OK)
		return rc;
	struct tc_dbv pe[] = {TC_P_I64(in->facility_id), TC_P_I64(in->lot_id),
	                      TC_P_TEXT(fc.scope), TC_P_TIME(by->now)};
	qs = tc_exec(c, &q_bal_ensure, pe, 4, NULL, NULL);
	if (qs < 0)
		return tc_qs_err(qs, f);
	struct tc_dbv p[] = {TC_P_I64(in->facility_id), TC_P_I64(in->lot_id)};
	qs = tc_exec(c, &q_bal_get, p, 2, fill_bal, bal);
	if (qs < 0)
		return tc_qs_err(qs, f);
	*delta = in->counted - bal[0];
	if (*delta != 0 && is_blank(in->reason))
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "reason",
		                    "the count differs from the stock on record: give the reason");
	if (*delta != 0) {
		struct tc_movement m = *delta > 0
			? movement("adjustment", "adjustment", "facility", in->facility_id, fc.scope,
			           in->lot_id, *delta)
			: movement("adjustment", "facility", "adjustment", in->facility_id, fc.scope,
			           in->lot_id, -*delta);
		m.reason = in->reason;
		m.note = in->note;
		m.vvm = in->vvm;
		if ((rc = move(c, by, &m, "counted", f)) != TC_ERR_OK)
			return rc;
	}
	if (in->counted > 0 && in->vvm >= TC_VVM_UNUSABLE)
		return vvm_writeoff(c, by, in->facility_id, fc.scope, in->lot_id, in->counted,
		                    in->vvm, f);
	return in->vvm && in->counted > 0 ? set_vvm(c, in->facility_id, in->lot_id, in->vvm, f)
	                                  : TC_ERR_OK;
}

tc_err tc_stock_writeoff(struct tc_dbc *c, const struct tc_stock_by *by,
                         const struct tc_writeoff *in, int64_t *movement_id,
                         struct tc_fault *f)
{
	struct fac fc;
	struct lotinfo li;
	tc_err rc;

	if ((rc = check_qty(in->quantity, "quantity", f)) != TC_ERR_OK)
		return rc;
	if (!tc_stock_writeoff_reason_ok(in->reason))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "reason",
		                    "reason must be opened_vial_expired, breakage, cold_chain, "
		                    "vvm, expired, recall or other");
	if (is(in->reason, "other") && is_blank(in->note))
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "note",
		                    "say what happened when the reason is other");
	if ((rc = load_fac(c, in->facility_id, "facility_id", &fc, f)) != TC_ERR_OK ||
	    (rc = load_lot(c, in->lot_id, "lot_id", &li, f)) != TC_ERR_OK)
		return rc;
	bool expiry = is(in->reason, "expired");
	struct tc_movement m =
		movement(expiry ? "expiry" : "wastage", "facility", expiry ? "expired" : "wasted",
		         in->facility_id, fc.scope, in->lot_id, in->quantity);
	m.reason = in->reason;
	m.note = in->note;
	if ((rc = move(c, by, &m, "quantity", f)) != TC_ERR_OK)
		return rc;
	*movement_id = m.id;
	return TC_ERR_OK;
}

tc_err tc_stock_return(struct tc_dbc *c, const struct tc_stock_by *by,
                       const struct tc_writeoff *in, const char *party,
                       int64_t *movement_id, struct tc_fault *f)
{
	struct fac fc;
	struct lotinfo li;
	tc_err rc;

	if ((rc = check_qty(in->quantity, "quantity", f)) != TC_ERR_OK)
		return rc;
	if (is_blank(in->reason))
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "reason",
		                    "say why the doses go back to the supplier");
	if ((rc = load_fac(c, in->facility_id, "facility_id", &fc, f)) != TC_ERR_OK ||
	    (rc = load_lot(c, in->lot_id, "lot_id", &li, f)) != TC_ERR_OK)
		return rc;
	struct tc_movement m = movement("return", "facility", "supplier", in->facility_id,
	                                fc.scope, in->lot_id, in->quantity);
	m.reason = in->reason;
	m.note = in->note;
	m.party = party;
	if ((rc = move(c, by, &m, "quantity", f)) != TC_ERR_OK)
		return rc;
	*movement_id = m.id;
	return TC_ERR_OK;
}

static tc_err insert_vial(struct tc_dbc *c, const struct tc_stock_by *by, int64_t facility_id,
                          const char *scope, int64_t lot_id, const struct lotinfo *li,
                          int64_t used, struct tc_open_vial *out, struct tc_fault *f)
{
	enum tc_qs qs = tc_exec(c, &q_vial_id, NULL, 0, tc_rows_i64, &out->id);

	if (qs != TC_QS_ONE)
		return qs < 0 ? tc_qs_err(qs, f) : tc_fault_internal(f, TC_ERR_DB, "no vial id");
	out->facility_id = facility_id;
	out->lot_id = lot_id;
	out->doses = li->doses_per_vial;
	out->used = used;
	out->wasted = 0;
	out->opened_at = by->now;
	out->usable_until = by->now + li->open_vial_hours * 3600 * INT64_C(1000000);
	out->closed_at = 0;
	out->opened_by = by->actor_id;
	out->scope_path = scope;
	struct tc_dbv p[] = {TC_P_I64(out->id),        TC_P_I64(facility_id),
	                     TC_P_I64(lot_id),         TC_P_I64(out->doses),
	                     TC_P_I64(used),           TC_P_TIME(out->opened_at),
	                     TC_P_TIME(out->usable_until), TC_P_ID(by->actor_id),
	                     TC_P_TEXT(scope)};
	qs = tc_exec(c, &q_vial_insert, p, 9, NULL, NULL);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

tc_err tc_stock_administer(struct tc_dbc *c, const struct tc_stock_by *by,
                           int64_t facility_id, int64_t lot_id, int64_t dose_id,
                           bool *flagged, struct tc_fault *f)
{
	struct fac fc;
	struct lotinfo li;
	tc_err rc;

	*flagged = false;
	if ((rc = load_fac(c, facility_id, "facility_id", &fc, f)) != TC_ERR_OK ||
	    (rc = load_lot(c, lot_id, "lot_id", &li, f)) != TC_ERR_OK)
		return rc;
	struct tc_stock_where at = {.facility_id = facility_id,
	                            .scope = fc.scope,
	                            .lot_id = lot_id,
	                            .doses_per_vial = li.doses_per_vial,
	                            .open_vial_hours = li.open_vial_hours};
	return tc_stock_administer_at(c, by, &at, dose_id, flagged, f);
}

tc_err tc_stock_administer_at(struct tc_dbc *c, const struct tc_stock_by *by,
                              const struct tc_stock_where *at, int64_t dose_id, bool *flagged,
                              struct tc_fault *f)
{
	int64_t facility_id = at->facility_id, lot_id = at->lot_id;
	struct fac fc;
	struct lotinfo li = {.doses_per_vial = at->doses_per_vial,
	                     .open_vial_hours = at->open_vial_hours};
	enum tc_qs qs;
	tc_err rc;

	*flagged = false;
	snprintf(fc.scope, sizeof fc.scope, "%s", at->scope);
	struct tc_movement m = movement("administered", "facility", "administered", facility_id,
	                                fc.scope, lot_id, 1);
	m.dose_id = dose_id;
	rc = move(c, by, &m, "lot_id", f);
	if (rc == TC_ERR_INSUFFICIENT_STOCK) {
		/* given, so never refused: the dose is booked in from
		 * 'unrecorded' and flagged for the site manager */
		struct tc_movement u = movement("adjustment", "unrecorded", "facility",
		                                facility_id, fc.scope, lot_id, 1);
		u.flag = "no_stock";
		u.reason = "dose_without_stock";
		u.dose_id = dose_id;
		tc_fault_clear(f);
		if ((rc = move(c, by, &u, "lot_id", f)) != TC_ERR_OK ||
		    (rc = move(c, by, &m, "lot_id", f)) != TC_ERR_OK)
			return rc;
		*flagged = true;
	} else if (rc != TC_ERR_OK) {
		return rc;
	}
	if (li.doses_per_vial <= 1)
		return TC_ERR_OK;

	/* the dose comes from the oldest usable open vial; one closed by a
	 * sweep in the meantime is passed over */
	{
		struct tc_dbv p[] = {TC_P_I64(facility_id), TC_P_I64(lot_id), TC_P_TIME(by->now)};
		if ((qs = tc_exec(c, &q_vial_take, p, 3, NULL, NULL)) < 0)
			return tc_qs_err(qs, f);
		if (qs == TC_QS_ONE)
			return TC_ERR_OK;
	}
	for (int tries = 0; tries < 3; tries++) {
		int64_t vial = 0;
		struct tc_dbv p[] = {TC_P_I64(facility_id), TC_P_I64(lot_id), TC_P_TIME(by->now)};
		qs = tc_exec(c, &q_vial_current, p, 3, tc_rows_i64, &vial);
		if (qs < 0)
			return tc_qs_err(qs, f);
		if (qs == TC_QS_NONE)
			break;
		struct tc_dbv pu[] = {TC_P_I64(vial), TC_P_TIME(by->now)};
		qs = tc_exec(c, &q_vial_use, pu, 2, NULL, NULL);
		if (qs < 0)
			return tc_qs_err(qs, f);
		if (qs == TC_QS_ONE)
			return TC_ERR_OK;
	}
	struct tc_open_vial v;
	return insert_vial(c, by, facility_id, fc.scope, lot_id, &li, 1, &v, f);
}

tc_err tc_stock_unadminister(struct tc_dbc *c, const struct tc_stock_by *by,
                             int64_t facility_id, int64_t lot_id, int64_t dose_id,
                             struct tc_fault *f)
{
	struct fac fc;
	tc_err rc = load_fac(c, facility_id, "facility_id", &fc, f);

	if (rc != TC_ERR_OK)
		return rc;
	struct tc_movement m = movement("administered", "administered", "facility", facility_id,
	                                fc.scope, lot_id, 1);
	m.dose_id = dose_id;
	m.reason = "dose_voided";
	return move(c, by, &m, "lot_id", f);
}

tc_err tc_stock_open_vial(struct tc_dbc *c, const struct tc_stock_by *by,
                          int64_t facility_id, int64_t lot_id, struct tc_open_vial *out,
                          struct tc_fault *f)
{
	struct fac fc;
	struct lotinfo li;
	int64_t bal[2] = {0, 0};
	enum tc_qs qs;
	tc_err rc;

	if ((rc = load_fac(c, facility_id, "facility_id", &fc, f)) != TC_ERR_OK ||
	    (rc = load_lot(c, lot_id, "lot_id", &li, f)) != TC_ERR_OK ||
	    (rc = lot_usable(&li, by->now, "lot_id", f)) != TC_ERR_OK)
		return rc;
	if (li.doses_per_vial <= 1)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "lot_id",
		                    "that product comes in single-dose vials");
	struct tc_dbv p[] = {TC_P_I64(facility_id), TC_P_I64(lot_id)};
	qs = tc_exec(c, &q_bal_get, p, 2, fill_bal, bal);
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (bal[0] < 1)
		return tc_fault_set(f, TC_ERR_INSUFFICIENT_STOCK, "lot_id",
		                    "this site has no doses of that lot on hand");
	if (bal[1] >= TC_VVM_UNUSABLE)
		return tc_fault_set(f, TC_ERR_LOT_UNUSABLE, "lot_id",
		                    "the vial monitor says this stock is unusable");
	return insert_vial(c, by, facility_id, fc.scope, lot_id, &li, 0, out, f);
}

struct due_vial {
	int64_t id, facility_id, lot_id;
	const char *scope;
};

static void fill_due(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct due_vial *v = item;

	v->id = tc_row_i64(r, 0);
	v->facility_id = tc_row_i64(r, 1);
	v->lot_id = tc_row_i64(r, 2);
	v->scope = tc_row_text(r, 3, a);
}

tc_err tc_stock_sweep(struct tc_dbc *c, const struct tc_stock_by *by, int64_t facility_id,
                      int64_t *wasted, struct tc_fault *f)
{
	struct tc_arena a;
	struct tc_rows_into due = {.a = &a, .size = sizeof(struct due_vial), .fill = fill_due};
	struct tc_dbv p[] = {TC_P_TIME(by->now), TC_P_ID(facility_id)};
	enum tc_qs qs;
	tc_err rc = TC_ERR_OK;

	*wasted = 0;
	tc_arena_init(&a);
	qs = tc_exec(c, &q_vials_due, p, 2, tc_rows_collect, &due);
	if (qs < 0)
		rc = tc_qs_err(qs, f);
	for (size_t i = 0; rc == TC_ERR_OK && i < due.n; i++) {
		struct due_vial *v = (struct due_vial *)due.items + i;
		int64_t bal[2] = {0, 0}, left = 0, take;
		struct tc_dbv pb[] = {TC_P_I64(v->facility_id), TC_P_I64(v->lot_id)};

		/* the stock first (locked on PostgreSQL), then the vial: closed
		 * first, so that of sweeps running at once (two servers, or the
		 * command line beside the server) only the one that closes it
		 * writes its doses off */
		qs = tc_exec(c, &q_bal_get, pb, 2, fill_bal, bal);
		if (qs < 0) {
			rc = tc_qs_err(qs, f);
			break;
		}
		struct tc_dbv pc[] = {TC_P_I64(v->id), TC_P_TIME(by->now)};
		qs = tc_exec(c, &q_vial_close, pc, 2, tc_rows_i64, &left);
		if (qs < 0) {
			rc = tc_qs_err(qs, f);
			break;
		}
		/* what it had left, as far as the stock still holds it */
		take = left < bal[0] ? left : bal[0];
		if (qs == TC_QS_NONE || take <= 0)
			continue;
		struct tc_movement m = movement("wastage", "facility", "wasted", v->facility_id,
		                                v->scope, v->lot_id, take);
		m.reason = "opened_vial_expired";
		if ((rc = move(c, by, &m, "quantity", f)) != TC_ERR_OK)
			break;
		struct tc_dbv pw[] = {TC_P_I64(v->id), TC_P_I64(take)};
		qs = tc_exec(c, &q_vial_wasted, pw, 2, NULL, NULL);
		if (qs < 0) {
			rc = tc_qs_err(qs, f);
			break;
		}
		*wasted += take;
	}
	tc_arena_cleanup(&a);
	return rc;
}

tc_err tc_stock_resolve(struct tc_dbc *c, const struct tc_stock_by *by, int64_t movement_id,
                        const char *resolution, struct tc_fault *f)
{
	int64_t n = 0;
	enum tc_qs qs;

	if (is_blank(resolution))
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "resolution",
		                    "say how the difference was reconciled");
	struct tc_dbv p[] = {TC_P_I64(movement_id), TC_P_TIME(by->now), TC_P_ID(by->actor_id),
	                     TC_P_TEXT(resolution)};
	qs = tc_exec(c, &q_resolve, p, 4, NULL, NULL);
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (qs != TC_QS_NONE)
		return TC_ERR_OK;
	struct tc_dbv pe[] = {TC_P_I64(movement_id)};
	qs = tc_exec(c, &q_movement_exists, pe, 1, tc_rows_i64, &n);
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (n == 0)
		return tc_fault_set(f, TC_ERR_NOT_FOUND, NULL, "no movement has that id");
	return tc_fault_set(f, TC_ERR_WRONG_STATE, NULL,
	                    "that movement is not flagged, or was already resolved");
}
