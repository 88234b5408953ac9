-- Schema v7: fewer index entries written for each injection (issue 5's
-- benchmark); sql/sqlite/0007_hot_path.sql also moves the counters into
-- their keys' b-trees, which PostgreSQL's tables have no equivalent of.
--
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
