-- Schema v4: the registration workflow. A registration moves pending ->
-- approved (province) -> allocated to a district -> scheduled into a
-- session at a vaccination site -> done, or ends rejected or cancelled
-- with a reason.

-- COVID-19 vaccine medicinal products, from the EU DCC value set
-- (data/dcc-valuesets/vaccine-medicinal-product.json), loaded by migrate.
CREATE TABLE vaccine_products (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

-- A session at a vaccination site: a day (a local date in
-- Asia/Ho_Chi_Minh), a time window, one product and a number of places.
-- `booked` never passes `capacity`: scheduling takes a place with a
-- conditional UPDATE, and the CHECK backs it.
CREATE TABLE vaccination_sessions (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES facilities (id),
    day        TEXT NOT NULL CHECK (length(day) = 10),
    starts     TEXT NOT NULL CHECK (length(starts) = 5),
    ends       TEXT NOT NULL CHECK (length(ends) = 5),
    product    TEXT NOT NULL REFERENCES vaccine_products (code),
    capacity   INTEGER NOT NULL CHECK (capacity > 0),
    booked     INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity),
    status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'cancelled')),
    -- the site's path, for jurisdictions
    scope_path TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    CHECK (starts < ends)
);
CREATE INDEX vaccination_sessions_site ON vaccination_sessions (site_id, day);
CREATE INDEX vaccination_sessions_scope ON vaccination_sessions (scope_path, day);

-- Ids drawn by the program (time-ordered), like citizens'.
CREATE TABLE registrations (
    id             INTEGER PRIMARY KEY,
    citizen_id     INTEGER NOT NULL REFERENCES citizens (id),
    status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'allocated', 'scheduled',
                                                   'done', 'rejected', 'cancelled')),
    -- copied from the citizen when registered
    priority_group INTEGER,
    -- where the person lives (the citizen's commune path)
    scope_path     TEXT NOT NULL,
    -- the district health centre the province allocated the person to
    district_code  TEXT REFERENCES units (code),
    session_id     INTEGER REFERENCES vaccination_sessions (id),
    -- why it was rejected or cancelled
    reason         TEXT,
    source         TEXT NOT NULL CHECK (source IN ('staff', 'self')),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
-- At most one open registration per person.
CREATE UNIQUE INDEX registrations_open ON registrations (citizen_id)
    WHERE status IN ('pending', 'approved', 'allocated', 'scheduled');
CREATE INDEX registrations_citizen ON registrations (citizen_id);
CREATE INDEX registrations_scope ON registrations (scope_path, status);
CREATE INDEX registrations_district ON registrations (district_code, status);
CREATE INDEX registrations_session ON registrations (session_id);
