-- Schema v6: vaccination at the site. A visit follows one person through
-- the Ministry of Health's four steps (check-in, screening, injection,
-- observation); a dose is the record of one injection, given here or
-- recorded from elsewhere, tied to a product, a lot and a place; adverse
-- events follow a dose; counters per day and per commune are kept in the
-- dose's transaction; retried writes are answered from their first answer.

-- Where the district health centre is told at once of a severe adverse
-- event (an SMS through the outbox; the alert is listed in its console
-- either way).
ALTER TABLE facilities ADD COLUMN alert_phone TEXT;

CREATE TABLE visits (
    id               INTEGER PRIMARY KEY,          -- drawn by the program
    citizen_id       INTEGER NOT NULL REFERENCES citizens (id),
    site_id          INTEGER NOT NULL REFERENCES facilities (id),
    session_id       INTEGER NOT NULL REFERENCES vaccination_sessions (id),
    registration_id  INTEGER REFERENCES registrations (id),
    day              TEXT NOT NULL CHECK (length(day) = 10),
    walk_in          INTEGER NOT NULL DEFAULT 0 CHECK (walk_in IN (0, 1)),
    status           TEXT NOT NULL CHECK (status IN ('checked_in', 'screened', 'postponed',
                                                     'referred', 'vaccinated', 'completed',
                                                     'cancelled')),
    -- step 2: the outcome, the answers and measurements (JSON), the reasons
    screening        TEXT CHECK (screening IN ('eligible', 'needs_consent', 'postpone',
                                               'refer', 'contraindicated')),
    screening_json   TEXT,
    postpone_until   TEXT,
    guardian_name    TEXT,
    observe_minutes  INTEGER NOT NULL DEFAULT 30,
    screened_at      TEXT,
    screened_by      INTEGER REFERENCES users (id),
    -- step 3 and 4
    dose_id          INTEGER,
    injected_at      TEXT,
    observe_until    TEXT,
    completed_at     TEXT,
    reason           TEXT,                         -- cancelled: why
    scope_path       TEXT NOT NULL,                -- the site's
    created_at       TEXT NOT NULL,
    created_by       INTEGER REFERENCES users (id),
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX visits_session ON visits (session_id, status);
CREATE INDEX visits_citizen ON visits (citizen_id, day);
CREATE INDEX visits_observing ON visits (site_id, observe_until) WHERE status = 'vaccinated';

-- One dose given to one person. Nothing is deleted: a wrong record is
-- voided (or replaced by its correction) with a reason.
CREATE TABLE doses (
    id              INTEGER PRIMARY KEY,           -- drawn by the program
    citizen_id      INTEGER NOT NULL REFERENCES citizens (id),
    product         TEXT NOT NULL REFERENCES vaccine_products (code),
    lot_id          INTEGER REFERENCES lots (id),  -- NULL: a lot we do not hold
    lot_number      TEXT,                          -- as recorded
    given_on        TEXT NOT NULL CHECK (length(given_on) = 10),
    given_at        TEXT,                          -- NULL: the time is not known
    kind            TEXT CHECK (kind IN ('primary', 'booster')),
    number          INTEGER NOT NULL DEFAULT 0,    -- 1..n in its kind; 0 not numbered
    site_id         INTEGER REFERENCES facilities (id),
    place           TEXT,                          -- elsewhere: where, as recorded
    unit_code       TEXT REFERENCES units (code),  -- the commune (or unit) where given
    visit_id        INTEGER REFERENCES visits (id),
    source          TEXT NOT NULL CHECK (source IN ('site', 'record', 'import')),
    source_ref      TEXT,                          -- the other system's id, a paper book
    status          TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'voided')),
    -- rules the dose broke (comma-separated verdict codes), "" for none
    flags           TEXT NOT NULL DEFAULT '',
    override_reason TEXT,                          -- a rule overridden by staff: why
    review          TEXT NOT NULL DEFAULT 'none' CHECK (review IN ('none', 'pending', 'done')),
    scope_path      TEXT NOT NULL,                 -- the place's, else the person's
    replaces_id     INTEGER REFERENCES doses (id), -- a correction of that dose
    void_reason     TEXT,
    voided_at       TEXT,
    voided_by       INTEGER REFERENCES users (id),
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES users (id),
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX doses_citizen ON doses (citizen_id, given_on);
CREATE INDEX doses_lot ON doses (lot_id, given_on);
CREATE INDEX doses_review ON doses (scope_path) WHERE review = 'pending';
-- An exact duplicate (same person, product and day) is the same dose.
CREATE UNIQUE INDEX doses_same ON doses (citizen_id, product, given_on) WHERE status = 'valid';

-- Adverse events following immunisation, linked to the dose (and so to
-- its lot).
CREATE TABLE aefi (
    id           INTEGER PRIMARY KEY,
    dose_id      INTEGER NOT NULL REFERENCES doses (id),
    citizen_id   INTEGER NOT NULL REFERENCES citizens (id),
    lot_id       INTEGER REFERENCES lots (id),
    site_id      INTEGER REFERENCES facilities (id),
    onset_at     TEXT NOT NULL,
    symptoms     TEXT NOT NULL,                    -- comma-separated codes
    description  TEXT,
    severity     TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe')),
    actions      TEXT,
    outcome      TEXT NOT NULL CHECK (outcome IN ('recovering', 'recovered', 'hospitalised',
                                                  'died', 'unknown')),
    scope_path   TEXT NOT NULL,
    reported_at  TEXT NOT NULL,
    reported_by  INTEGER REFERENCES users (id)
);
CREATE INDEX aefi_dose ON aefi (dose_id);
CREATE INDEX aefi_scope ON aefi (scope_path, reported_at);

-- What needs someone's attention at once: a severe adverse event, for the
-- district health centre of the site.
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('aefi_severe')),
    facility_id     INTEGER REFERENCES facilities (id), -- who is alerted
    scope_path      TEXT NOT NULL,                      -- where it happened
    ref_id          INTEGER NOT NULL,                   -- the aefi row
    message         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by INTEGER REFERENCES users (id)
);
CREATE INDEX alerts_open ON alerts (scope_path) WHERE acknowledged_at IS NULL;

-- Doses per day x commune where given x product x kind x number, kept in
-- the dose's transaction (a voided dose takes its one back).
CREATE TABLE dose_counts (
    day       TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    product   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    number    INTEGER NOT NULL,
    n         INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (day, unit_code, product, kind, number)
);

-- Where each person stands, for the coverage counters: the counted
-- doses, whether the primary series is complete, the boosters.
CREATE TABLE vax_status (
    citizen_id   INTEGER PRIMARY KEY REFERENCES citizens (id),
    commune_code TEXT,                             -- of residence, when known
    doses        INTEGER NOT NULL DEFAULT 0,
    complete     INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
    boosters     INTEGER NOT NULL DEFAULT 0,
    last_day     TEXT
);

-- People per commune of residence with a first dose, a complete primary
-- series, a booster.
CREATE TABLE coverage_counts (
    unit_code TEXT PRIMARY KEY,
    first     INTEGER NOT NULL DEFAULT 0 CHECK (first >= 0),
    complete  INTEGER NOT NULL DEFAULT 0 CHECK (complete >= 0),
    boosted   INTEGER NOT NULL DEFAULT 0 CHECK (boosted >= 0)
);

-- The first answer to a write that carried an Idempotency-Key, kept a day:
-- the same key from the same account gets it again, never a second write.
CREATE TABLE idempotency_keys (
    actor_key   TEXT NOT NULL,                     -- "u<user id>" or "c<phone>"
    idem_key    TEXT NOT NULL,
    request_sha TEXT NOT NULL,                     -- method, path and body
    status      INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (actor_key, idem_key)
);
CREATE INDEX idempotency_age ON idempotency_keys (created_at);

-- Imports take lists of doses given elsewhere too. SQLite cannot change a
-- CHECK in place: both import tables are rebuilt (the rejects first, they
-- point at the jobs).
CREATE TABLE import_jobs_v6 (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('citizens', 'doses')),
    file_name   TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('csv', 'xlsx', 'xls')),
    encoding    TEXT NOT NULL,
    header      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    rows        INTEGER NOT NULL DEFAULT 0,
    accepted    INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    last_row    INTEGER NOT NULL DEFAULT 0,
    progress    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    scope_path  TEXT NOT NULL,
    runner      TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
INSERT INTO import_jobs_v6 SELECT id, kind, file_name, file_sha256, format, encoding, header,
    status, rows, accepted, rejected, unchanged, last_row, progress, error, scope_path, runner,
    created_by, created_at, updated_at FROM import_jobs;
CREATE TABLE import_rejects_v6 (
    job_id INTEGER NOT NULL REFERENCES import_jobs_v6 (id),
    row_no INTEGER NOT NULL,
    field  TEXT,
    reason TEXT NOT NULL,
    cells  TEXT NOT NULL,
    PRIMARY KEY (job_id, row_no)
);
INSERT INTO import_rejects_v6 SELECT job_id, row_no, field, reason, cells FROM import_rejects;
DROP TABLE import_rejects;
DROP TABLE import_jobs;
ALTER TABLE import_jobs_v6 RENAME TO import_jobs;
ALTER TABLE import_rejects_v6 RENAME TO import_rejects;
CREATE INDEX import_jobs_file ON import_jobs (file_sha256, status);
CREATE INDEX import_jobs_scope ON import_jobs (scope_path, id);
