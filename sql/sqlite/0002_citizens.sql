-- Schema v2: citizens and their identity documents.
-- Citizen ids are drawn by the program (time-ordered, 53 bits: safe as
-- JSON numbers), never from one global sequence, so the tables that grow
-- with people can be distributed by citizen id (DESIGN.md).

-- The 3-digit province code of CCCD numbers, from provinces.csv; the
-- units are loaded again by this migrate run to fill it.
ALTER TABLE units ADD COLUMN cccd_code TEXT;
DELETE FROM ref_data WHERE name = 'vn-admin';

CREATE TABLE citizens (
    id             INTEGER PRIMARY KEY,
    id_type        TEXT NOT NULL CHECK (id_type IN ('cccd', 'cmnd', 'passport', 'none')),
    id_number      TEXT,
    full_name      TEXT NOT NULL,
    family_name    TEXT NOT NULL,
    given_name     TEXT NOT NULL,
    -- accent-, case- and space-insensitive keys for search and matching:
    -- the whole name, and its last word (the name a person is called by)
    name_key       TEXT NOT NULL,
    last_word_key  TEXT NOT NULL,
    -- '1990-05-17', '1990-05' or '1990': the precision is the length
    birth_date     TEXT NOT NULL,
    birth_year     INTEGER NOT NULL,
    gender         TEXT CHECK (gender IN ('male', 'female')),
    phone          TEXT,
    commune_code   TEXT REFERENCES units (code),
    address        TEXT,
    nationality    TEXT NOT NULL DEFAULT 'VN',
    priority_group INTEGER,
    guardian_id    INTEGER REFERENCES citizens (id),
    -- where the person lives, for jurisdictions ("VN/01/001/00001")
    scope_path     TEXT NOT NULL,
    verification   TEXT NOT NULL DEFAULT 'unverified'
                   CHECK (verification IN ('unverified', 'verified', 'mismatch', 'not_found')),
    -- comma-separated: born_abroad, no_document, ...
    flags          TEXT NOT NULL DEFAULT '',
    -- the personal QR: an opaque random token, never the ID number
    qr_token       TEXT NOT NULL UNIQUE,
    source         TEXT NOT NULL CHECK (source IN ('staff', 'self', 'import', 'dose_record')),
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    created_by     INTEGER REFERENCES users (id)
);
CREATE INDEX citizens_name ON citizens (name_key, birth_date);
CREATE INDEX citizens_last_word ON citizens (last_word_key);
CREATE INDEX citizens_scope ON citizens (scope_path, name_key);
CREATE INDEX citizens_phone ON citizens (phone);
CREATE INDEX citizens_guardian ON citizens (guardian_id) WHERE guardian_id IS NOT NULL;

-- One person, one record: every document number points at one citizen.
-- Keys: 'cccd:001090001234', 'cmnd:012345678', 'passport:US:X1234567'.
-- The document is claimed before the citizen row is written (a taken
-- number then costs nothing), so the reference is checked at commit.
CREATE TABLE citizen_documents (
    doc_key    TEXT PRIMARY KEY,
    citizen_id INTEGER NOT NULL REFERENCES citizens (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX citizen_documents_citizen ON citizen_documents (citizen_id);

-- Likely duplicates (same name key and birth date, and the same phone or
-- commune), listed for review and never merged automatically.
CREATE TABLE citizen_duplicates (
    citizen_id  INTEGER NOT NULL REFERENCES citizens (id),
    other_id    INTEGER NOT NULL REFERENCES citizens (id),
    reason      TEXT NOT NULL CHECK (reason IN ('same_phone', 'same_commune')),
    scope_path  TEXT NOT NULL,
    found_at    TEXT NOT NULL,
    resolved_at TEXT,
    resolution  TEXT CHECK (resolution IN ('different_people', 'same_person')),
    PRIMARY KEY (citizen_id, other_id)
);
CREATE INDEX citizen_duplicates_open ON citizen_duplicates (scope_path, resolved_at);

-- One-time codes sent to a phone (citizen login). Stored only as
-- SHA-256(salt || phone || code); five minutes, five attempts.
CREATE TABLE otp_codes (
    phone      TEXT PRIMARY KEY,
    code_hash  TEXT NOT NULL,
    salt       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0
);

-- Citizens' sessions: by verified phone, not by staff account.
CREATE TABLE citizen_sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    phone        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX citizen_sessions_expiry ON citizen_sessions (expires_at);

-- Messages to people (SMS): written in the transaction that decides to
-- send them, delivered by the configured gateway (none: they wait here).
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    channel    TEXT NOT NULL CHECK (channel IN ('sms')),
    recipient  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_try   TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at    TEXT
);
CREATE INDEX outbox_queue ON outbox (status, next_try);
