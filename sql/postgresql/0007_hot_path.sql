-- Schema v7: fewer index entries written for each injection (issue 5's
-- benchmark); sql/sqlite/0007_hot_path.sql also moves the counters into
-- their keys' b-trees, which PostgreSQL's tables have no equivalent of.
--
-- Every step of a visit changes its status: the session's index of
-- visits leaves the status out, so a step no longer moves the visit in it
-- (a session's visits are a few hundred; the status is filtered there).
DROP INDEX visits_session;
CREATE INDEX visits_session ON visits (session_id);
