-- Schema v2: citizens and their identity documents. Same tables and
-- columns as sql/sqlite/0002_citizens.sql, native types. Citizen ids are
-- drawn by the program (time-ordered, 53 bits), never from one global
-- sequence, so these tables can be distributed by citizen id. Keys that
-- are searched by prefix use the "C" collation (bytewise ranges).

ALTER TABLE units ADD COLUMN cccd_code text;
DELETE FROM ref_data WHERE name = 'vn-admin';

CREATE TABLE citizens (
    id             bigint PRIMARY KEY,
    id_type        text NOT NULL CHECK (id_type IN ('cccd', 'cmnd', 'passport', 'none')),
    id_number      text,
    full_name      text NOT NULL,
    family_name    text NOT NULL,
    given_name     text NOT NULL,
    name_key       text COLLATE "C" NOT NULL,
    given_key      text COLLATE "C" NOT NULL,
    birth_date     text NOT NULL,
    birth_year     integer NOT NULL,
    gender         text CHECK (gender IN ('male', 'female')),
    phone          text,
    commune_code   text REFERENCES units (code),
    address        text,
    nationality    text NOT NULL DEFAULT 'VN',
    priority_group integer,
    guardian_id    bigint REFERENCES citizens (id),
    scope_path     text COLLATE "C" NOT NULL,
    verification   text NOT NULL DEFAULT 'unverified'
                   CHECK (verification IN ('unverified', 'verified', 'mismatch', 'not_found')),
    flags          text NOT NULL DEFAULT '',
    qr_token       text NOT NULL UNIQUE,
    source         text NOT NULL CHECK (source IN ('staff', 'self', 'import', 'dose_record')),
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    created_by     bigint REFERENCES users (id)
);
CREATE INDEX citizens_name ON citizens (name_key, birth_date);
CREATE INDEX citizens_given ON citizens (given_key);
CREATE INDEX citizens_scope ON citizens (scope_path, name_key);
CREATE INDEX citizens_phone ON citizens (phone);
CREATE INDEX citizens_guardian ON citizens (guardian_id);

CREATE TABLE citizen_documents (
    doc_key    text PRIMARY KEY,
    citizen_id bigint NOT NULL REFERENCES citizens (id)
);
CREATE INDEX citizen_documents_citizen ON citizen_documents (citizen_id);

CREATE TABLE citizen_duplicates (
    citizen_id  bigint NOT NULL REFERENCES citizens (id),
    other_id    bigint NOT NULL REFERENCES citizens (id),
    reason      text NOT NULL CHECK (reason IN ('same_phone', 'same_commune')),
    scope_path  text COLLATE "C" NOT NULL,
    found_at    timestamptz NOT NULL,
    resolved_at timestamptz,
    resolution  text CHECK (resolution IN ('different_people', 'same_person')),
    PRIMARY KEY (citizen_id, other_id)
);
CREATE INDEX citizen_duplicates_open ON citizen_duplicates (scope_path, resolved_at);
