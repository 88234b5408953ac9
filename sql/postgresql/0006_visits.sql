-- Schema v6: vaccination at the site. Same tables and columns as
-- sql/sqlite/0006_visits.sql, native types. A visit follows one person through
-- the Ministry of Health's four steps (check-in, screening, injection,
-- observation); a dose is the record of one injection, given here or
-- recorded from elsewhere, tied to a product, a lot and a place; adverse
-- events follow a dose; counters per day and per commune are kept in the
-- dose's transaction; retried writes are answered from their first answer.

-- Where the district health centre is told at once of a severe adverse
-- event (an SMS through the outbox; the alert is listed in its console
-- either way).
ALTER TABLE facilities ADD COLUMN alert_phone text;

CREATE TABLE visits (
    id               bigint PRIMARY KEY,          -- drawn by the program
    citizen_id       bigint NOT NULL REFERENCES citizens (id),
    site_id          bigint NOT NULL REFERENCES facilities (id),
    session_id       bigint NOT NULL REFERENCES vaccination_sessions (id),
    registration_id  bigint REFERENCES registrations (id),
    day              text NOT NULL CHECK (length(day) = 10),
    walk_in          boolean NOT NULL DEFAULT false,
    status           text NOT NULL CHECK (status IN ('checked_in', 'screened', 'postponed',
                                                     'referred', 'vaccinated', 'completed',
                                                     'cancelled')),
    -- step 2: the outcome, the answers and measurements (JSON), the reasons
    screening        text CHECK (screening IN ('eligible', 'needs_consent', 'postpone',
                                               'refer', 'contraindicated')),
    screening_json   text,
    postpone_until   text,
    guardian_name    text,
    observe_minutes  integer NOT NULL DEFAULT 30,
    screened_at      timestamptz,
    screened_by      bigint REFERENCES users (id),
    -- step 3 and 4
    dose_id          bigint,
    injected_at      timestamptz,
    observe_until    timestamptz,
    completed_at     timestamptz,
    reason           text,                         -- cancelled: why
    scope_path       text COLLATE "C" NOT NULL,                -- the site's
    created_at       timestamptz NOT NULL,
    created_by       bigint REFERENCES users (id),
    updated_at       timestamptz NOT NULL,
    version          integer NOT NULL DEFAULT 1
);
CREATE INDEX visits_session ON visits (session_id, status);
CREATE INDEX visits_citizen ON visits (citizen_id, day);
CREATE INDEX visits_observing ON visits (site_id, observe_until) WHERE status = 'vaccinated';

-- One dose given to one person. Nothing is deleted: a wrong record is
-- voided (or replaced by its correction) with a reason.
CREATE TABLE doses (
    id              bigint PRIMARY KEY,           -- drawn by the program
    citizen_id      bigint NOT NULL REFERENCES citizens (id),
    product         text NOT NULL REFERENCES vaccine_products (code),
    lot_id          bigint REFERENCES lots (id),  -- NULL: a lot we do not hold
    lot_number      text,                          -- as recorded
    given_on        text NOT NULL CHECK (length(given_on) = 10),
    given_at        timestamptz,                          -- NULL: the time is not known
    kind            text CHECK (kind IN ('primary', 'booster')),
    number          integer NOT NULL DEFAULT 0,    -- 1..n in its kind; 0 not numbered
    site_id         bigint REFERENCES facilities (id),
    place           text,                          -- elsewhere: where, as recorded
    unit_code       text REFERENCES units (code),  -- the commune (or unit) where given
    visit_id        bigint REFERENCES visits (id),
    source          text NOT NULL CHECK (source IN ('site', 'record', 'import')),
    source_ref      text,                          -- the other system's id, a paper book
    status          text NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'voided')),
    -- rules the dose broke (comma-separated verdict codes), "" for none
    flags           text NOT NULL DEFAULT '',
    override_reason text,                          -- a rule overridden by staff: why
    review          text NOT NULL DEFAULT 'none' CHECK (review IN ('none', 'pending', 'done')),
    scope_path      text COLLATE "C" NOT NULL,                 -- the place's, else the person's
    replaces_id     bigint REFERENCES doses (id), -- a correction of that dose
    void_reason     text,
    voided_at       timestamptz,
    voided_by       bigint REFERENCES users (id),
    created_at      timestamptz NOT NULL,
    created_by      bigint REFERENCES users (id),
    version         integer NOT NULL DEFAULT 1
);
CREATE INDEX doses_citizen ON doses (citizen_id, given_on);
CREATE INDEX doses_lot ON doses (lot_id, given_on);
CREATE INDEX doses_review ON doses (scope_path) WHERE review = 'pending';
-- An exact duplicate (same person, product and day) is the same dose.
CREATE UNIQUE INDEX doses_same ON doses (citizen_id, product, given_on) WHERE status = 'valid';

-- Adverse events following immunisation, linked to the dose (and so to
-- its lot).
CREATE TABLE aefi (
    id           bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    dose_id      bigint NOT NULL REFERENCES doses (id),
    citizen_id   bigint NOT NULL REFERENCES citizens (id),
    lot_id       bigint REFERENCES lots (id),
    site_id      bigint REFERENCES facilities (id),
    onset_at     timestamptz NOT NULL,
    symptoms     text NOT NULL,                    -- comma-separated codes
    description  text,
    severity     text NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe')),
    actions      text,
    outcome      text NOT NULL CHECK (outcome IN ('recovering', 'recovered', 'hospitalised',
                                                  'died', 'unknown')),
    scope_path   text COLLATE "C" NOT NULL,
    reported_at  timestamptz NOT NULL,
    reported_by  bigint REFERENCES users (id)
);
CREATE INDEX aefi_dose ON aefi (dose_id);
CREATE INDEX aefi_scope ON aefi (scope_path, reported_at);

-- What needs someone's attention at once: a severe adverse event, for the
-- district health centre of the site.
CREATE TABLE alerts (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('aefi_severe')),
    facility_id     bigint REFERENCES facilities (id), -- who is alerted
    scope_path      text COLLATE "C" NOT NULL,                      -- where it happened
    ref_id          bigint NOT NULL,                   -- the aefi row
    message         text NOT NULL,
    created_at      timestamptz NOT NULL,
    acknowledged_at timestamptz,
    acknowledged_by bigint REFERENCES users (id)
);
CREATE INDEX alerts_open ON alerts (scope_path) WHERE acknowledged_at IS NULL;

-- Doses per day x commune where given x product x kind x number, kept in
-- the dose's transaction (a voided dose takes its one back).
CREATE TABLE dose_counts (
    day       text NOT NULL,
    unit_code text NOT NULL,
    product   text NOT NULL,
    kind      text NOT NULL,
    number    integer NOT NULL,
    n         integer NOT NULL CHECK (n >= 0),
    PRIMARY KEY (day, unit_code, product, kind, number)
);

-- Where each person stands, for the coverage counters: the counted
-- doses, whether the primary series is complete, the boosters.
CREATE TABLE vax_status (
    citizen_id   bigint PRIMARY KEY REFERENCES citizens (id),
    commune_code text,                             -- of residence, when known
    doses        integer NOT NULL DEFAULT 0,
    complete     boolean NOT NULL DEFAULT false,
    boosters     integer NOT NULL DEFAULT 0,
    last_day     text
);

-- People per commune of residence with a first dose, a complete primary
-- series, a booster.
CREATE TABLE coverage_counts (
    unit_code text PRIMARY KEY,
    first     integer NOT NULL DEFAULT 0 CHECK (first >= 0),
    complete  integer NOT NULL DEFAULT 0 CHECK (complete >= 0),
    boosted   integer NOT NULL DEFAULT 0 CHECK (boosted >= 0)
);

-- The first answer to a write that carried an Idempotency-Key, kept a day:
-- the same key from the same account gets it again, never a second write.
CREATE TABLE idempotency_keys (
    actor_key   text NOT NULL,                     -- "u<user id>" or "c<phone>"
    idem_key    text NOT NULL,
    request_sha text NOT NULL,                     -- method, path and body
    status      integer NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (actor_key, idem_key)
);
CREATE INDEX idempotency_age ON idempotency_keys (created_at);

-- Imports take lists of doses given elsewhere too.
ALTER TABLE import_jobs DROP CONSTRAINT import_jobs_kind_check;
ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_kind_check CHECK (kind IN ('citizens', 'doses'));
