-- Sites (one MPP each; a province's server holds many), the kiosks enrolled at each, and
-- what the kiosks upload. Every row carries its site's code.
CREATE TABLE site (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    time_zone     TEXT NOT NULL,
    feed          JSONB NOT NULL,
    feed_version  BIGINT NOT NULL,
    added_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A kiosk's credential is `<token_id>.<secret>`: the id finds the row, the secret is kept
-- only as an Argon2id hash.
CREATE TABLE kiosk (
    site          TEXT NOT NULL REFERENCES site (code),
    number        SMALLINT NOT NULL CHECK (number BETWEEN 1 AND 26),
    name          TEXT NOT NULL DEFAULT '',
    token_id      TEXT NOT NULL UNIQUE,
    token_hash    TEXT NOT NULL,
    enrolled_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at    TIMESTAMPTZ,
    last_seen_at  TIMESTAMPTZ,
    PRIMARY KEY (site, number)
);

-- Every record a kiosk sent, once: the receiver's deduplication and the audit trail.
CREATE TABLE upload_record (
    event_id      TEXT PRIMARY KEY,
    site          TEXT NOT NULL REFERENCES site (code),
    kiosk         SMALLINT NOT NULL,
    seq           BIGINT,
    kind          TEXT NOT NULL CHECK (kind IN ('ticket', 'ticket_status', 'survey')),
    created       TEXT NOT NULL,
    data          JSONB NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX upload_record_site_kiosk_seq ON upload_record (site, kiosk, seq);

-- The tickets as the queue knows them: one row per ticket, its latest status.
CREATE TABLE ticket (
    id            TEXT PRIMARY KEY,
    site          TEXT NOT NULL REFERENCES site (code),
    kiosk         SMALLINT NOT NULL,
    number        TEXT NOT NULL,
    service       TEXT NOT NULL,
    agency        TEXT NOT NULL,
    priority      TEXT,
    local_date    DATE NOT NULL,
    issued_at     TIMESTAMPTZ NOT NULL,
    people_ahead  INTEGER NOT NULL,
    status        TEXT NOT NULL,
    status_at     TIMESTAMPTZ NOT NULL
);
-- Not unique: a kiosk whose database was wiped starts its numbers again; both tickets
-- are kept (their ids differ) rather than one refused.
CREATE INDEX ticket_site_day ON ticket (site, local_date, number);

-- Anonymous survey responses (nothing links them to a ticket).
CREATE TABLE survey_response (
    id            TEXT PRIMARY KEY,
    site          TEXT NOT NULL REFERENCES site (code),
    service       TEXT NOT NULL,
    agency        TEXT NOT NULL,
    local_date    DATE NOT NULL,
    source        TEXT NOT NULL,
    answers       JSONB NOT NULL,
    profile       JSONB NOT NULL,
    comment       TEXT
);
