-- Schema v7: fewer b-tree entries written for each injection (issue 5's
-- benchmark), same tables and columns.
--
-- The counters are small rows always found by their whole key: kept in
-- their key's own b-tree (WITHOUT ROWID), one b-tree to write, not two.
CREATE TABLE dose_counts_v7 (
    day       TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    product   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    number    INTEGER NOT NULL,
    n         INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (day, unit_code, product, kind, number)
) WITHOUT ROWID;
INSERT INTO dose_counts_v7 (day, unit_code, product, kind, number, n)
    SELECT day, unit_code, product, kind, number, n FROM dose_counts;
DROP TABLE dose_counts;
ALTER TABLE dose_counts_v7 RENAME TO dose_counts;

CREATE TABLE coverage_counts_v7 (
    unit_code TEXT PRIMARY KEY,
    first     INTEGER NOT NULL DEFAULT 0 CHECK (first >= 0),
    complete  INTEGER NOT NULL DEFAULT 0 CHECK (complete >= 0),
    boosted   INTEGER NOT NULL DEFAULT 0 CHECK (boosted >= 0)
) WITHOUT ROWID;
INSERT INTO coverage_counts_v7 (unit_code, first, complete, boosted)
    SELECT unit_code, first, complete, boosted FROM coverage_counts;
DROP TABLE coverage_counts;
ALTER TABLE coverage_counts_v7 RENAME TO coverage_counts;

-- Every step of a visit changes its status: the session's index of
-- visits leaves the status out, so a step no longer moves the visit in it
-- (a session's visits are a few hundred; the status is filtered there).
DROP INDEX visits_session;
CREATE INDEX visits_session ON visits (session_id);

-- The dose comes from the oldest usable open vial of the lot at the site:
-- the index gives them in that order, with no sort of its own each time.
DROP INDEX open_vials_open;
CREATE INDEX open_vials_open ON open_vials (facility_id, lot_id, opened_at, id)
    WHERE closed_at IS NULL;
