/* The vaccine supply chain: lots, and a double-entry stock ledger.
 *
 * Every change of stock is a movement of `quantity` doses of one lot from
 * one account to another. The accounts are a facility's stock on hand
 * ('facility'), a transfer's line in transit ('transit'), and the outside
 * ones: 'supplier', 'administered', 'wasted', 'expired', 'adjustment',
 * 'discrepancy', 'unrecorded'. Every movement takes from or gives to
 * exactly one facility's stock or one transit line (a receipt at the
 * other end of a transfer touches both a line and a facility). Balances
 * (stock_balances.on_hand, stock_transfer_items.in_transit) are changed in
 * the movement's transaction by guarded updates, so they never go
 * negative under concurrent writers; tc_stock_check proves they equal the
 * sums of the ledger.
 *
 * The operations (tc_stock_receipt ... tc_stock_sweep) run inside the
 * caller's write transaction. Each checks its input and either writes all
 * it has to or returns an error with the fault naming the field; the
 * caller's job then fails and its transaction (or savepoint) is rolled
 * back, so a refused movement changes nothing. They do not write the
 * audit log: the caller does, in the same transaction. */
#ifndef TC_STOCK_H
#define TC_STOCK_H

#include "../domain/stockrules.h"
#include "db.h"

/* Vaccine vial monitor stages 3 and 4: the vial is unusable. */
#define TC_VVM_UNUSABLE 3
/* Largest quantity of one movement (doses). */
#define TC_STOCK_MAX_QTY 100000000

/* ---- Records ---------------------------------------------------------- */

/* A product with its schedule and handling attributes. Extends
 * struct tc_product (db.h) for the supply chain and the schedule rules. */
struct tc_product_info {
	const char *code;
	const char *name;
	bool active;
	const char *manufacturer;      /* DCC ma code, "ORG-100030215" */
	const char *manufacturer_name; /* "Biontech Manufacturing GmbH" */
	const char *platform; /* mrna, viral_vector, inactivated, protein_subunit, other */
	bool used_in_vn;
	int64_t series_doses;      /* doses in the primary series */
	int64_t min_interval_days; /* between primary doses */
	int64_t rec_interval_days;
	int64_t booster_min_days; /* after a complete series; -1: no booster */
	int64_t min_age_years;
	int64_t doses_per_vial;
	int64_t open_vial_hours; /* 0: single-dose vials */
	int64_t storage_min_c, storage_max_c; /* INT64_MIN when unknown */
};

struct tc_lot {
	int64_t id;
	const char *product;
	const char *lot_number;
	const char *expiry; /* "YYYY-MM-DD": usable through that day */
	const char *manufacturer;
	bool quarantined;
	const char *quarantine_reason;
	int64_t quarantined_at, quarantined_by;
	int64_t created_at, created_by;
	const char *product_name; /* filled by get and list */
	int64_t doses_per_vial;   /* filled by get and list */
};

/* Stock of one lot at one facility. */
struct tc_balance {
	int64_t facility_id, lot_id;
	int64_t on_hand;
	int64_t vvm; /* 0: never recorded */
	const char *scope_path;
	int64_t updated_at;
	/* joined */
	const char *facility_name, *facility_kind;
	const char *product, *product_name, *lot_number, *expiry;
	bool quarantined;
};

struct tc_movement {
	int64_t id; /* drawn with tc_db_next_id */
	const char *kind; /* receipt, transfer_out, transfer_in, discrepancy,
	                   * administered, wastage, expiry, return, adjustment */
	int64_t lot_id;
	int64_t quantity; /* > 0 */
	const char *src, *dst; /* accounts */
	int64_t facility_id;
	int64_t transfer_id; /* 0: none; set exactly when an account is transit */
	const char *scope_path; /* facility_id's */
	const char *party;  /* supplier, donor, ... */
	const char *reason; /* wastage, adjustment, discrepancy: why */
	const char *note;
	int64_t vvm;     /* 0: none */
	int64_t dose_id; /* administered: the dose record */
	const char *flag; /* "no_stock" or NULL */
	int64_t resolved_at, resolved_by;
	const char *resolution;
	int64_t at, actor_id;
	/* joined by the lists */
	const char *lot_number, *product, *facility_name;
};

struct tc_transfer_item {
	int64_t lot_id;
	int64_t shipped;
	int64_t in_transit;
	int64_t received; /* -1: not yet */
	int64_t vvm;      /* stage recorded on receipt; 0: none */
	/* joined */
	const char *lot_number, *product, *expiry;
};

struct tc_transfer {
	int64_t id;
	int64_t from_facility, to_facility;
	int64_t allocation_id; /* 0: none */
	bool is_return;        /* back up the chain */
	const char *status;    /* in_transit, received */
	const char *note;
	const char *discrepancy_reason;
	const char *from_scope, *to_scope;
	int64_t shipped_at, shipped_by, received_at, received_by;
	const char *from_name, *to_name; /* joined */
	struct tc_transfer_item *items;
	size_t nitems;
};

struct tc_allocation {
	int64_t id;
	int64_t from_facility, to_facility;
	const char *product;
	int64_t quantity, shipped;
	const char *status; /* open, closed, cancelled */
	const char *note;
	const char *from_scope, *to_scope;
	int64_t created_at, created_by;
	const char *from_name, *to_name; /* joined */
};

struct tc_open_vial {
	int64_t id;
	int64_t facility_id, lot_id;
	int64_t doses, used, wasted;
	int64_t opened_at, usable_until, closed_at;
	int64_t opened_by;
	const char *scope_path;
	const char *lot_number, *product; /* joined */
};

/* One row of a reconciliation: a lot at a facility over [from, to).
 * opening + received - sent - administered - wasted - expired
 *   + adjust_in - adjust_out = closing. */
struct tc_recon_row {
	int64_t lot_id;
	const char *product, *lot_number, *expiry;
	int64_t opening;
	int64_t received;   /* receipts, transfers in, over-deliveries */
	int64_t sent;       /* transfers out, returns to the supplier */
	int64_t administered;
	int64_t wasted;
	int64_t expired;
	int64_t adjust_in, adjust_out; /* physical counts, unrecorded doses */
	int64_t closing;
	int64_t flagged; /* doses given with no stock recorded, unresolved */
};

/* ---- Operations (inside the caller's transaction) ---------------------- */

/* Who and when, for every movement an operation writes. */
struct tc_stock_by {
	int64_t actor_id; /* 0: the system or the command line */
	int64_t now;      /* microseconds */
};

/* Into a warehouse from outside: `source` covax, donation, purchase or
 * other; `party` who (the donor, the supplier). A VVM stage of 3 or 4
 * writes the doses off at once (reason "vvm"). Fails on an unknown or
 * closed facility that is not a warehouse, an unknown, expired or
 * quarantined lot, a quantity out of range. Sets *movement_id to the
 * receipt's movement. */
struct tc_receipt {
	int64_t facility_id, lot_id, quantity, vvm;
	const char *source, *party, *note;
};
tc_err tc_stock_receipt(struct tc_dbc *c, const struct tc_stock_by *by,
                        const struct tc_receipt *in, int64_t *movement_id,
                        struct tc_fault *f);

/* Ships t->items from t->from_facility to t->to_facility: each line's
 * doses go from the sender's stock into transit. Checks: both facilities
 * exist and are active, the lots are distinct, known, unexpired, not
 * quarantined, the sender has them (stock found at VVM stage 3-4 is
 * written off the moment it is recorded, so none is left to ship);
 * an allocation, if named, is open, between the same facilities, for the
 * lines' product and not exceeded. Fills t->id, status, scopes, times.
 * The caller checks jurisdiction (tc_stock_route_ok). */
tc_err tc_stock_ship(struct tc_dbc *c, const struct tc_stock_by *by, struct tc_transfer *t,
                     struct tc_arena *a, struct tc_fault *f);

/* What arrived of one line, and its VVM stage (0: not read). */
struct tc_arrival {
	int64_t lot_id, received, vvm;
};
/* Receives transfer `id`: each line's transit doses go on hand at the
 * receiver; a difference from what was shipped is a 'discrepancy'
 * movement and needs `reason`; VVM stage 3-4 writes the arrived doses
 * off. Every line of the transfer must be named once. CONFLICT
 * (WRONG_STATE) when it was already received. Fills *out. */
tc_err tc_stock_receive(struct tc_dbc *c, const struct tc_stock_by *by, int64_t id,
                        const struct tc_arrival *arr, size_t narr, const char *reason,
                        struct tc_arena *a, struct tc_transfer *out, struct tc_fault *f);

/* A physical count: sets the stock on hand of a lot to `counted` with an
 * adjustment movement of the difference (a reason is required when
 * there is one), records the VVM stage, and writes the counted doses off
 * when the stage is 3 or 4. *delta is the adjustment (signed). */
struct tc_count {
	int64_t facility_id, lot_id, counted, vvm;
	const char *reason, *note;
};
tc_err tc_stock_count(struct tc_dbc *c, const struct tc_stock_by *by,
                      const struct tc_count *in, int64_t *delta, struct tc_fault *f);

/* Writes doses off: reason "expired" is an expiry write-off, the others
 * (opened_vial_expired, breakage, cold_chain, vvm, recall, other) are
 * wastage. Quarantined and expired lots can be written off. */
struct tc_writeoff {
	int64_t facility_id, lot_id, quantity;
	const char *reason, *note;
};
tc_err tc_stock_writeoff(struct tc_dbc *c, const struct tc_stock_by *by,
                         const struct tc_writeoff *in, int64_t *movement_id,
                         struct tc_fault *f);

/* Sends doses back to the supplier (a recall): kind 'return'. */
tc_err tc_stock_return(struct tc_dbc *c, const struct tc_stock_by *by,
                       const struct tc_writeoff *in, const char *party,
                       int64_t *movement_id, struct tc_fault *f);

/* One dose given at a site, for the dose record's transaction (the site
 * issue): the lot must be known; whether it may be used is the caller's
 * rule. Takes the dose from the site's stock, and from an open vial of a
 * multi-dose product (opening one when none is open). A dose given with
 * no stock on hand is never refused: an 'unrecorded' adjustment flagged
 * "no_stock" brings one dose in first, for the site manager to reconcile,
 * and *flagged is set. */
tc_err tc_stock_administer(struct tc_dbc *c, const struct tc_stock_by *by,
                           int64_t facility_id, int64_t lot_id, int64_t dose_id,
                           bool *flagged, struct tc_fault *f);

/* The same, for a caller that has just read the site and the lot (the
 * injection): nothing is read again. */
struct tc_stock_where {
	int64_t facility_id;
	const char *scope; /* the facility's */
	int64_t lot_id;
	int64_t doses_per_vial, open_vial_hours; /* the lot's product's */
};
tc_err tc_stock_administer_at(struct tc_dbc *c, const struct tc_stock_by *by,
                              const struct tc_stock_where *at, int64_t dose_id, bool *flagged,
                              struct tc_fault *f);

/* Takes back one dose of a voided dose record: the 'administered' account
 * gives it back to the site's stock (kind administered, reason
 * dose_voided), so the reconciliation's administered count goes down. */
tc_err tc_stock_unadminister(struct tc_dbc *c, const struct tc_stock_by *by,
                             int64_t facility_id, int64_t lot_id, int64_t dose_id,
                             struct tc_fault *f);

/* Opens a vial of a lot at a site (multi-dose products). */
tc_err tc_stock_open_vial(struct tc_dbc *c, const struct tc_stock_by *by,
                          int64_t facility_id, int64_t lot_id, struct tc_open_vial *out,
                          struct tc_fault *f);

/* Closes the open vials past their usable time (all of them when
 * facility_id is 0), writing the doses left off as wastage
 * "opened_vial_expired". *wasted counts the doses. */
tc_err tc_stock_sweep(struct tc_dbc *c, const struct tc_stock_by *by, int64_t facility_id,
                      int64_t *wasted, struct tc_fault *f);

/* Marks a flagged movement reconciled. */
tc_err tc_stock_resolve(struct tc_dbc *c, const struct tc_stock_by *by, int64_t movement_id,
                        const char *resolution, struct tc_fault *f);

/* ---- Queries ----------------------------------------------------------- */

enum tc_qs tc_q_product_info(struct tc_dbc *c, const char *code, struct tc_arena *a,
                             struct tc_product_info *out);
/* Every product: active first, then those used in Vietnam, then by name. */
enum tc_qs tc_q_product_infos(struct tc_dbc *c, struct tc_arena *a,
                              struct tc_product_info **out, size_t *n);
/* Inserts or updates a product with every attribute (migrate). */
enum tc_qs tc_q_product_info_upsert(struct tc_dbc *c, const struct tc_product_info *p);

/* Sets l->id. CONFLICT when the product already has that lot number. */
enum tc_qs tc_q_lot_insert(struct tc_dbc *c, struct tc_lot *l);
enum tc_qs tc_q_lot_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                        struct tc_lot *out);
enum tc_qs tc_q_lot_by_number(struct tc_dbc *c, const char *product, const char *lot_number,
                              struct tc_arena *a, struct tc_lot *out);
/* Lots of a product (NULL: any) whose number starts with `prefix` (NULL:
 * any), soonest expiry first. */
enum tc_qs tc_q_lots_list(struct tc_dbc *c, const char *product, const char *prefix,
                          struct tc_page page, struct tc_arena *a, struct tc_lot **out,
                          size_t *n);
/* Quarantines (reason not NULL) or releases (reason NULL) a lot; NONE
 * when it already was in that state. */
enum tc_qs tc_q_lot_quarantine(struct tc_dbc *c, int64_t id, const char *reason,
                               int64_t actor_id, int64_t now);

/* Stock on hand under `scope`, at one facility (0: any), of one lot (0:
 * any), expiring on or before `expiring_by` (NULL: any); zero balances
 * only when `with_empty`. By facility, then soonest expiry. */
struct tc_stock_filter {
	const char *scope;
	int64_t facility_id, lot_id;
	const char *product;
	const char *expiring_by;
	bool with_empty;
	bool quarantined_only;
};
enum tc_qs tc_q_stock_list(struct tc_dbc *c, const struct tc_stock_filter *flt,
                           struct tc_page page, struct tc_arena *a,
                           struct tc_balance **out, size_t *n);
/* Usable stock of a product at a facility (unexpired on `today`, not
 * quarantined, VVM below 3, on hand), first expiry first. */
enum tc_qs tc_q_stock_fefo(struct tc_dbc *c, int64_t facility_id, const char *product,
                           const char *today, struct tc_arena *a, struct tc_balance **out,
                           size_t *n);
/* Per product at a facility, for days of stock left: the usable doses on
 * hand (not quarantined, not expired on `today`, VVM below 3) and the
 * doses that left the stock for use since `since` (administered,
 * shipped, wasted, expired). */
struct tc_consumption {
	const char *product;
	int64_t on_hand, used;
};
enum tc_qs tc_q_stock_consumption(struct tc_dbc *c, int64_t facility_id, int64_t since,
                                  const char *today, struct tc_arena *a,
                                  struct tc_consumption **out, size_t *n);

/* Movements under `scope`, of a facility (0: any) and a lot (0: any),
 * flagged ones only when `flagged`, newest first. */
enum tc_qs tc_q_movements_list(struct tc_dbc *c, const char *scope, int64_t facility_id,
                               int64_t lot_id, bool flagged, struct tc_page page,
                               struct tc_arena *a, struct tc_movement **out, size_t *n);
enum tc_qs tc_q_movement_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                             struct tc_movement *out);

/* With its items. */
enum tc_qs tc_q_transfer_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                             struct tc_transfer *out);
/* Transfers sent from or to a facility under `scope` (facility 0: any),
 * of one status (NULL: any), newest first; without items. */
enum tc_qs tc_q_transfers_list(struct tc_dbc *c, const char *scope, int64_t facility_id,
                               const char *status, struct tc_page page, struct tc_arena *a,
                               struct tc_transfer **out, size_t *n);

/* Sets al->id. */
enum tc_qs tc_q_allocation_insert(struct tc_dbc *c, struct tc_allocation *al);
enum tc_qs tc_q_allocation_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                               struct tc_allocation *out);
/* Allocations from or to a facility under `scope`, newest first. */
enum tc_qs tc_q_allocations_list(struct tc_dbc *c, const char *scope, int64_t facility_id,
                                 struct tc_page page, struct tc_arena *a,
                                 struct tc_allocation **out, size_t *n);

enum tc_qs tc_q_open_vials(struct tc_dbc *c, int64_t facility_id, struct tc_arena *a,
                           struct tc_open_vial **out, size_t *n);

/* Per lot held at the facility in [from, to). */
enum tc_qs tc_q_stock_reconcile(struct tc_dbc *c, int64_t facility_id, int64_t from,
                                int64_t to, struct tc_arena *a, struct tc_recon_row **out,
                                size_t *n);

/* Doses administered and wasted per facility and product in [from, to),
 * for facilities under `scope`. */
struct tc_wastage_rate {
	int64_t facility_id;
	const char *facility_name, *product;
	int64_t administered, wasted;
};
enum tc_qs tc_q_wastage_rates(struct tc_dbc *c, const char *scope, int64_t from, int64_t to,
                              struct tc_arena *a, struct tc_wastage_rate **out, size_t *n);

/* ---- The proof ---------------------------------------------------------- */

/* Compares every balance with the sum of its movements, and looks for
 * negative balances and movements that touch no balance. `report` gets
 * one line per problem (from `a`; NULL when none); *problems counts
 * them. */
tc_err tc_stock_check(struct tc_dbc *c, struct tc_arena *a, int64_t *balances,
                      int64_t *movements, int64_t *problems, char **report,
                      struct tc_fault *f);

#endif
