/* The counters kept with the doses (counters.h). */
#include "counters.h"

#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/util.h"
#include "dbi.h"

static struct tc_sql q_day_add = TC_SQL(
	"INSERT INTO dose_counts (day, unit_code, product, kind, number, n)"
	" VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (day, unit_code, product, kind, number)"
	" DO UPDATE SET n = dose_counts.n + excluded.n");
/* Taking a count back: the row exists (it was counted), and an upsert of
 * a negative count would fail its CHECK before it met the conflict. */
static struct tc_sql q_day_sub = TC_SQL(
	"UPDATE dose_counts SET n = n + $6 WHERE day = $1 AND unit_code = $2 AND product = $3"
	" AND kind = $4 AND number = $5");
static struct tc_sql q_status_put = TC_SQL(
	"INSERT INTO vax_status (citizen_id, commune_code, doses, complete, boosters, last_day)"
	" VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (citizen_id) DO UPDATE SET"
	" commune_code = excluded.commune_code, doses = excluded.doses,"
	" complete = excluded.complete, boosters = excluded.boosters,"
	" last_day = excluded.last_day");
static struct tc_sql q_coverage_add = TC_SQL(
	"INSERT INTO coverage_counts (unit_code, first, complete, boosted) VALUES ($1, $2, $3, $4)"
	" ON CONFLICT (unit_code) DO UPDATE SET first = coverage_counts.first + excluded.first,"
	" complete = coverage_counts.complete + excluded.complete,"
	" boosted = coverage_counts.boosted + excluded.boosted");
static struct tc_sql q_coverage_move = TC_SQL(
	"UPDATE coverage_counts SET first = first + $2, complete = complete + $3,"
	" boosted = boosted + $4 WHERE unit_code = $1");

/* ---- Additions summed over a group commit ---------------------------- */

/* One counter row's additions waiting: a day's (day, unit, product, kind,
 * number: n) or a commune's coverage (unit: first, complete, boosted). */
struct pending {
	uint64_t hash;
	bool coverage;
	const char *day, *unit, *product, *kind;
	int64_t number;
	int64_t n, first, complete, boosted;
};

struct tc_counts {
	struct tc_arena a;    /* the rows' text */
	struct pending *rows; /* in the order they were first counted */
	size_t n, cap;
	uint32_t *slots; /* open addressing: index + 1 into rows, 0 empty */
	size_t nslots;
};

static bool same(const struct pending *p, const struct pending *q)
{
	return p->hash == q->hash && p->coverage == q->coverage &&
	       strcmp(p->unit, q->unit) == 0 &&
	       (p->coverage ||
	        (p->number == q->number && strcmp(p->day, q->day) == 0 &&
	         strcmp(p->product, q->product) == 0 && strcmp(p->kind, q->kind) == 0));
}

static void grow_slots(struct tc_counts *t)
{
	size_t n = t->nslots ? 2 * t->nslots : 64, mask = n - 1;

	free(t->slots);
	t->slots = tc_xcalloc(n, sizeof *t->slots);
	t->nslots = n;
	for (size_t i = 0; i < t->n; i++) {
		size_t k = (size_t)t->rows[i].hash & mask;
		while (t->slots[k])
			k = (k + 1) & mask;
		t->slots[k] = (uint32_t)(i + 1);
	}
}

/* The waiting row like `key`, added (with no counts yet) when new. */
static struct pending *pending_row(struct tc_dbc *c, struct pending *key)
{
	struct tc_counts *t = c->counts;
	size_t mask, k;

	if (t == NULL) {
		t = c->counts = tc_xcalloc(1, sizeof *t);
		tc_arena_init(&t->a);
	}
	key->hash =
	        tc_fnv1a(tc_fnv1a(TC_FNV_BASIS, key->coverage ? "c" : "d"), key->unit);
	if (!key->coverage)
		key->hash = tc_fnv1a_u64(
		        tc_fnv1a(tc_fnv1a(tc_fnv1a(key->hash, key->day), key->product),
		                 key->kind),
		        (uint64_t)key->number);
	if (2 * (t->n + 1) > t->nslots)
		grow_slots(t);
	mask = t->nslots - 1;
	for (k = (size_t)key->hash & mask; t->slots[k]; k = (k + 1) & mask)
		if (same(&t->rows[t->slots[k] - 1], key))
			return &t->rows[t->slots[k] - 1];
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->rows = tc_xrealloc(t->rows, t->cap * sizeof *t->rows);
	}
	struct pending *p = &t->rows[t->n];
	*p = *key;
	p->unit = tc_arena_strdup(&t->a, key->unit);
	if (!key->coverage) {
		p->day = tc_arena_strdup(&t->a, key->day);
		p->product = tc_arena_strdup(&t->a, key->product);
		p->kind = tc_arena_strdup(&t->a, key->kind);
	}
	t->slots[k] = (uint32_t)(++t->n);
	return p;
}

static void counts_clear(struct tc_counts *t)
{
	if (t == NULL || t->n == 0)
		return;
	t->n = 0;
	memset(t->slots, 0, t->nslots * sizeof *t->slots);
	tc_arena_reset(&t->a);
}

tc_err tc_counts_flush(struct tc_dbc *c, struct tc_fault *f)
{
	struct tc_counts *t = c->counts;
	enum tc_qs qs = TC_QS_NONE;

	for (size_t i = 0; t && i < t->n && qs >= 0; i++) {
		const struct pending *p = &t->rows[i];
		if (p->coverage) {
			struct tc_dbv v[] = { TC_P_TEXT(p->unit), TC_P_I64(p->first),
				              TC_P_I64(p->complete),
				              TC_P_I64(p->boosted) };
			qs = tc_exec(c, &q_coverage_add, v, 4, NULL, NULL);
		} else {
			struct tc_dbv v[] = { TC_P_TEXT(p->day),     TC_P_TEXT(p->unit),
				              TC_P_TEXT(p->product), TC_P_TEXT(p->kind),
				              TC_P_I64(p->number),   TC_P_I64(p->n) };
			qs = tc_exec(c, &q_day_add, v, 6, NULL, NULL);
		}
	}
	counts_clear(t);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

void tc_counts_discard(struct tc_dbc *c)
{
	counts_clear(c->counts);
}

void tc_counts_free(struct tc_dbc *c)
{
	struct tc_counts *t = c->counts;

	if (t == NULL)
		return;
	tc_arena_cleanup(&t->a);
	free(t->rows);
	free(t->slots);
	free(t);
	c->counts = NULL;
}

/* ---- The counters ----------------------------------------------------------- */

tc_err tc_count_day(struct tc_dbc *c, const struct tc_dose *d, const char *kind,
                    int64_t number, int64_t delta, struct tc_fault *f)
{
	tc_err rc;

	if (!kind || !d->unit_code || delta == 0)
		return TC_ERR_OK;
	if (delta > 0 && tc_dbc_can_defer(c)) {
		struct pending key = { .day = d->given_on,
			               .unit = d->unit_code,
			               .product = d->product,
			               .kind = kind,
			               .number = number };
		pending_row(c, &key)->n += delta;
		return TC_ERR_OK;
	}
	/* a count taken back may be one still waiting */
	if ((rc = tc_counts_flush(c, f)) != TC_ERR_OK)
		return rc;
	struct tc_dbv p[] = {TC_P_TEXT(d->given_on), TC_P_TEXT(d->unit_code),
	                     TC_P_TEXT(d->product),  TC_P_TEXT(kind),
	                     TC_P_I64(number),       TC_P_I64(delta)};
	enum tc_qs qs = tc_exec(c, delta < 0 ? &q_day_sub : &q_day_add, p, 6, NULL, NULL);
	if (qs == TC_QS_NONE && delta < 0)
		return tc_fault_internal(f, TC_ERR_DB, "a dose counter to take back is missing");
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

tc_err tc_count_status(struct tc_dbc *c, int64_t citizen_id, const char *commune,
                       const struct tc_vax_status *st, struct tc_fault *f)
{
	struct tc_dbv p[] = {TC_P_I64(citizen_id), TC_P_TEXT(commune), TC_P_I64(st->doses),
	                     TC_P_BOOL(st->complete), TC_P_I64(st->boosters),
	                     TC_P_TEXT(st->last_day)};
	enum tc_qs qs = tc_exec(c, &q_status_put, p, 6, NULL, NULL);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

tc_err tc_count_coverage(struct tc_dbc *c, const char *commune,
                         const struct tc_vax_status *before,
                         const struct tc_vax_status *after, struct tc_fault *f)
{
	int64_t first = (after->doses > 0) - (before->doses > 0);
	int64_t complete = (int64_t)after->complete - (int64_t)before->complete;
	int64_t boosted = (after->boosters > 0) - (before->boosters > 0);

	bool back = first < 0 || complete < 0 || boosted < 0;
	tc_err rc;

	if (!commune || (!first && !complete && !boosted))
		return TC_ERR_OK;
	if (!back && tc_dbc_can_defer(c)) {
		struct pending key = { .coverage = true, .unit = commune };
		struct pending *p = pending_row(c, &key);
		p->first += first;
		p->complete += complete;
		p->boosted += boosted;
		return TC_ERR_OK;
	}
	if ((rc = tc_counts_flush(c, f)) != TC_ERR_OK)
		return rc;
	struct tc_dbv p[] = { TC_P_TEXT(commune), TC_P_I64(first), TC_P_I64(complete),
		              TC_P_I64(boosted) };
	enum tc_qs qs = tc_exec(c, back ? &q_coverage_move : &q_coverage_add, p, 4, NULL, NULL);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}
