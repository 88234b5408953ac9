-- Schema v1: administrative units, facilities, staff, sessions, audit.
-- Instants are TEXT 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (UTC), written by the
-- program; booleans are 0/1. The PostgreSQL file describes the same tables.
-- Jurisdiction paths ("VN/01/001") compare bytewise (BINARY), so "every
-- path under X" is the range [X/, X0) and uses the scope indexes.

CREATE TABLE units (
    code           TEXT PRIMARY KEY,
    level          TEXT NOT NULL CHECK (level IN ('country', 'province', 'district', 'commune')),
    parent_code    TEXT REFERENCES units (code),
    name           TEXT NOT NULL,
    name_with_type TEXT NOT NULL,
    type           TEXT NOT NULL,
    slug           TEXT,
    population     INTEGER,
    path           TEXT NOT NULL UNIQUE
);
CREATE INDEX units_parent ON units (parent_code, code);

CREATE TABLE ref_data (
    name      TEXT PRIMARY KEY,
    sha256    TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);

CREATE TABLE facilities (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('national_warehouse', 'provincial_warehouse',
                                                 'district_centre', 'vaccination_site')),
    name           TEXT NOT NULL,
    unit_code      TEXT NOT NULL REFERENCES units (code),
    address        TEXT,
    daily_capacity INTEGER NOT NULL DEFAULT 0 CHECK (daily_capacity >= 0),
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    scope_path     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (unit_code, name)
);
CREATE INDEX facilities_scope ON facilities (scope_path);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('national_admin', 'province_health', 'district_centre',
                                                'site_manager', 'site_staff', 'commune_officer',
                                                'mcc_agent', 'viewer')),
    unit_code     TEXT REFERENCES units (code),
    facility_id   INTEGER REFERENCES facilities (id),
    scope_path    TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT NOT NULL,
    created_by    INTEGER REFERENCES users (id),
    -- bumped whenever the password, role, jurisdiction or active flag
    -- changes: sessions minted under an older epoch are dead
    session_epoch INTEGER NOT NULL DEFAULT 0,
    CHECK ((unit_code IS NULL) <> (facility_id IS NULL))
);
CREATE INDEX users_scope ON users (scope_path);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    idle_seconds INTEGER NOT NULL CHECK (idle_seconds > 0),
    user_epoch   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE auth_failures (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    window_start TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor_id   INTEGER,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    scope_path TEXT NOT NULL,
    before     TEXT,
    after      TEXT
);
CREATE INDEX audit_entity ON audit_log (entity, entity_id, id);
CREATE INDEX audit_scope ON audit_log (scope_path, id);

-- The audit log is append-only.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
