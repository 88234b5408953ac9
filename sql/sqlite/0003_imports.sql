-- Schema v3: imports of citizens from spreadsheets. A job is committed
-- batch by batch together with its counters and the last source row it
-- covers, so a job cut off (crash, kill) resumes where it stopped and a
-- file imported twice adds nobody twice.

CREATE TABLE import_jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('citizens')),
    file_name   TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('csv', 'xlsx', 'xls')),
    encoding    TEXT NOT NULL,
    -- the header row as a JSON array, for the file of rejected rows
    header      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    rows        INTEGER NOT NULL DEFAULT 0,
    accepted    INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    last_row    INTEGER NOT NULL DEFAULT 0,
    -- thousandths of the file read
    progress    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    scope_path  TEXT NOT NULL,
    -- the run that owns the job now (a random token): a run that finds
    -- another owner's mark on the job stops
    runner      TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX import_jobs_file ON import_jobs (file_sha256, status);
CREATE INDEX import_jobs_scope ON import_jobs (scope_path, id);

-- Every rejected row with its original cells (a JSON array) and why.
CREATE TABLE import_rejects (
    job_id INTEGER NOT NULL REFERENCES import_jobs (id),
    row_no INTEGER NOT NULL,
    field  TEXT,
    reason TEXT NOT NULL,
    cells  TEXT NOT NULL,
    PRIMARY KEY (job_id, row_no)
);
