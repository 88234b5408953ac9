-- Schema v5: the vaccine supply chain. Products carry their schedule and
-- handling attributes; lots belong to a product; every change of stock is
-- a movement in a double-entry ledger between two accounts, one of which
-- is always a facility's stock or a transfer's stock in transit; the
-- balances are kept current in the movement's transaction and can never
-- go negative. `tiemchung stock check` proves balances equal the ledger.

-- Schedule and handling attributes, from data/vaccines/products.csv.
ALTER TABLE vaccine_products ADD COLUMN manufacturer TEXT;          -- DCC ma code, ORG-...
ALTER TABLE vaccine_products ADD COLUMN manufacturer_name TEXT;
ALTER TABLE vaccine_products ADD COLUMN platform TEXT;              -- mrna, viral_vector, ...
ALTER TABLE vaccine_products ADD COLUMN used_in_vn INTEGER NOT NULL DEFAULT 0;
ALTER TABLE vaccine_products ADD COLUMN series_doses INTEGER NOT NULL DEFAULT 2;
ALTER TABLE vaccine_products ADD COLUMN min_interval_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE vaccine_products ADD COLUMN rec_interval_days INTEGER NOT NULL DEFAULT 0;
-- days after a complete primary series before a booster; NULL: the
-- product is not given as a booster
ALTER TABLE vaccine_products ADD COLUMN booster_min_days INTEGER;
ALTER TABLE vaccine_products ADD COLUMN min_age_years INTEGER NOT NULL DEFAULT 18;
ALTER TABLE vaccine_products ADD COLUMN doses_per_vial INTEGER NOT NULL DEFAULT 1;
-- hours an opened multi-dose vial stays usable (0: single-dose vials)
ALTER TABLE vaccine_products ADD COLUMN open_vial_hours INTEGER NOT NULL DEFAULT 0;
ALTER TABLE vaccine_products ADD COLUMN storage_min_c INTEGER;
ALTER TABLE vaccine_products ADD COLUMN storage_max_c INTEGER;
DELETE FROM ref_data WHERE name = 'dcc-vaccine-products';

-- A manufacturing lot. The lot number is unique per product. A
-- quarantined lot (a recall) can be neither shipped nor injected anywhere.
CREATE TABLE lots (
    id                INTEGER PRIMARY KEY,
    product           TEXT NOT NULL REFERENCES vaccine_products (code),
    lot_number        TEXT NOT NULL,
    expiry            TEXT NOT NULL CHECK (length(expiry) = 10),
    manufacturer      TEXT NOT NULL,
    quarantined       INTEGER NOT NULL DEFAULT 0 CHECK (quarantined IN (0, 1)),
    quarantine_reason TEXT,
    quarantined_at    TEXT,
    quarantined_by    INTEGER REFERENCES users (id),
    created_at        TEXT NOT NULL,
    created_by        INTEGER REFERENCES users (id),
    UNIQUE (product, lot_number)
);
CREATE INDEX lots_expiry ON lots (expiry);

-- Doses of a lot on hand at a facility (the 'facility' account), kept
-- current by every movement. `vvm` is the vaccine vial monitor stage
-- last recorded for the usable stock (1 or 2; 3 and 4 are written off).
CREATE TABLE stock_balances (
    facility_id INTEGER NOT NULL REFERENCES facilities (id),
    lot_id      INTEGER NOT NULL REFERENCES lots (id),
    on_hand     INTEGER NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    vvm         INTEGER CHECK (vvm BETWEEN 1 AND 4),
    scope_path  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (facility_id, lot_id)
);
CREATE INDEX stock_balances_scope ON stock_balances (scope_path);
CREATE INDEX stock_balances_lot ON stock_balances (lot_id);

-- An allocation plan: a quota of doses of a product that a facility is to
-- ship to one below it. Transfers that name it count against it.
CREATE TABLE stock_allocations (
    id            INTEGER PRIMARY KEY,
    from_facility INTEGER NOT NULL REFERENCES facilities (id),
    to_facility   INTEGER NOT NULL REFERENCES facilities (id),
    product       TEXT NOT NULL REFERENCES vaccine_products (code),
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    shipped       INTEGER NOT NULL DEFAULT 0 CHECK (shipped >= 0),
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'cancelled')),
    note          TEXT,
    from_scope    TEXT NOT NULL,
    to_scope      TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    INTEGER REFERENCES users (id)
);
CREATE INDEX stock_allocations_from ON stock_allocations (from_scope);
CREATE INDEX stock_allocations_to ON stock_allocations (to_scope);

-- A shipment from one facility to another: shipped (its doses go into
-- transit), then received (what arrived goes on hand; any difference is a
-- discrepancy movement with a reason, never hidden).
CREATE TABLE stock_transfers (
    id                 INTEGER PRIMARY KEY,
    from_facility      INTEGER NOT NULL REFERENCES facilities (id),
    to_facility        INTEGER NOT NULL REFERENCES facilities (id),
    allocation_id      INTEGER REFERENCES stock_allocations (id),
    is_return          INTEGER NOT NULL DEFAULT 0 CHECK (is_return IN (0, 1)),
    status             TEXT NOT NULL CHECK (status IN ('in_transit', 'received')),
    note               TEXT,
    discrepancy_reason TEXT,
    from_scope         TEXT NOT NULL,
    to_scope           TEXT NOT NULL,
    shipped_at         TEXT NOT NULL,
    shipped_by         INTEGER REFERENCES users (id),
    received_at        TEXT,
    received_by        INTEGER REFERENCES users (id),
    CHECK (from_facility <> to_facility)
);
CREATE INDEX stock_transfers_from ON stock_transfers (from_scope, status);
CREATE INDEX stock_transfers_to ON stock_transfers (to_scope, status);

-- The lines of a transfer. `in_transit` is the transit account's balance.
CREATE TABLE stock_transfer_items (
    transfer_id INTEGER NOT NULL REFERENCES stock_transfers (id),
    lot_id      INTEGER NOT NULL REFERENCES lots (id),
    shipped     INTEGER NOT NULL CHECK (shipped > 0),
    in_transit  INTEGER NOT NULL CHECK (in_transit >= 0),
    received    INTEGER CHECK (received >= 0),
    vvm         INTEGER CHECK (vvm BETWEEN 1 AND 4),
    PRIMARY KEY (transfer_id, lot_id)
);

-- The ledger: append-only. Each movement takes `quantity` doses of a lot
-- from one account to another. Accounts: 'facility' (facility_id's stock
-- on hand), 'transit' (transfer_id's line for the lot), and the outside
-- ones: 'supplier', 'administered', 'wasted', 'expired', 'adjustment',
-- 'discrepancy' and 'unrecorded' (doses given that no stock recorded).
-- Every movement touches facility_id's stock or a transit line.
CREATE TABLE stock_movements (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('receipt', 'transfer_out', 'transfer_in', 'discrepancy',
                                              'administered', 'wastage', 'expiry', 'return',
                                              'adjustment')),
    lot_id      INTEGER NOT NULL REFERENCES lots (id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    src         TEXT NOT NULL,
    dst         TEXT NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities (id),
    transfer_id INTEGER REFERENCES stock_transfers (id),
    scope_path  TEXT NOT NULL,
    party       TEXT,
    reason      TEXT,
    note        TEXT,
    vvm         INTEGER CHECK (vvm BETWEEN 1 AND 4),
    dose_id     INTEGER,
    -- 'no_stock': a dose given where no stock was recorded, for the
    -- site manager to reconcile (resolved_* say when and how)
    flag        TEXT,
    resolved_at TEXT,
    resolved_by INTEGER REFERENCES users (id),
    resolution  TEXT,
    at          TEXT NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    CHECK (src <> dst),
    CHECK ((src = 'transit' OR dst = 'transit') = (transfer_id IS NOT NULL))
);
CREATE INDEX stock_movements_facility ON stock_movements (facility_id, at);
CREATE INDEX stock_movements_lot ON stock_movements (lot_id, at);
CREATE INDEX stock_movements_scope ON stock_movements (scope_path, at);
CREATE INDEX stock_movements_flag ON stock_movements (facility_id) WHERE flag IS NOT NULL;

-- Multi-dose vials opened at a site: doses left when it stops being usable
-- are written off as wastage by the sweep.
CREATE TABLE open_vials (
    id          INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities (id),
    lot_id      INTEGER NOT NULL REFERENCES lots (id),
    doses       INTEGER NOT NULL CHECK (doses > 0),
    used        INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0 AND used <= doses),
    wasted      INTEGER NOT NULL DEFAULT 0 CHECK (wasted >= 0),
    opened_at   TEXT NOT NULL,
    usable_until TEXT NOT NULL,
    closed_at   TEXT,
    opened_by   INTEGER REFERENCES users (id),
    scope_path  TEXT NOT NULL
);
CREATE INDEX open_vials_open ON open_vials (facility_id, lot_id) WHERE closed_at IS NULL;
CREATE INDEX open_vials_due ON open_vials (usable_until) WHERE closed_at IS NULL;
