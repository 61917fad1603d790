//! Schema migrations (rusqlite_migration, tracked in SQLite's `user_version`).
//! Append new steps; never edit a released one.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

const STEPS: &[&str] = &[
    // 1: the catalogue. Each agency and service is kept as its feed JSON (`data`) plus the
    // columns queries need, so an export gives back exactly what was imported.
    r#"
    CREATE TABLE catalogue_meta (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        schema       INTEGER NOT NULL,
        version      INTEGER NOT NULL,
        generated_at TEXT    NOT NULL,
        expires      TEXT,
        imported_at  TEXT    NOT NULL,
        source       TEXT    NOT NULL,
        site         TEXT    NOT NULL
    ) STRICT;
    CREATE TABLE agency (
        code       TEXT    PRIMARY KEY,
        position   INTEGER NOT NULL UNIQUE,
        sort_order INTEGER NOT NULL,
        active     INTEGER NOT NULL,
        data       TEXT    NOT NULL
    ) STRICT;
    CREATE TABLE service (
        code          TEXT    PRIMARY KEY COLLATE NOCASE,
        position      INTEGER NOT NULL UNIQUE,
        agency_code   TEXT    NOT NULL REFERENCES agency (code),
        ticket_prefix TEXT    NOT NULL UNIQUE,
        active        INTEGER NOT NULL,
        verified      INTEGER NOT NULL,
        data          TEXT    NOT NULL
    ) STRICT;
    CREATE INDEX service_by_agency ON service (agency_code, position);
    -- Search index: rowid = service position; `live` = service and agency both active,
    -- kept here so a search needs no join.
    CREATE VIRTUAL TABLE service_fts USING fts5 (
        code UNINDEXED, live UNINDEXED, name, keywords, agency, body,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
    );
    "#,
    // 2: the ticket ledger. The number is unique per local day; `seq` counts per day,
    // prefix, kiosk and class (regular / priority). Every status change is an event.
    r#"
    CREATE TABLE ticket (
        id              TEXT    PRIMARY KEY,
        local_date      TEXT    NOT NULL,
        number          TEXT    NOT NULL,
        service_code    TEXT    NOT NULL,
        agency_code     TEXT    NOT NULL,
        prefix          TEXT    NOT NULL,
        kiosk_id        INTEGER NOT NULL,
        priority        TEXT,
        seq             INTEGER NOT NULL,
        issued_at_utc   TEXT    NOT NULL,
        issued_at_local TEXT    NOT NULL,
        people_ahead    INTEGER NOT NULL,
        status          TEXT    NOT NULL,
        UNIQUE (local_date, number)
    ) STRICT;
    CREATE INDEX ticket_by_sequence ON ticket (local_date, prefix, kiosk_id, seq);
    CREATE INDEX ticket_by_service ON ticket (local_date, service_code);
    CREATE TABLE ticket_event (
        id        INTEGER PRIMARY KEY,
        ticket_id TEXT    NOT NULL REFERENCES ticket (id),
        status    TEXT    NOT NULL,
        at_utc    TEXT    NOT NULL,
        detail    TEXT
    ) STRICT;
    CREATE INDEX ticket_event_by_ticket ON ticket_event (ticket_id, id);
    "#,
    // 3: survey responses (SKM). Anonymous: no ticket, no kiosk user, only the service,
    // the day and what the respondent chose to tell.
    r#"
    CREATE TABLE survey_response (
        id            TEXT    PRIMARY KEY,
        service_code  TEXT    NOT NULL,
        agency_code   TEXT    NOT NULL,
        local_date    TEXT    NOT NULL,
        submitted_utc TEXT    NOT NULL,
        source        TEXT    NOT NULL CHECK (source IN ('kiosk', 'paper')),
        age           TEXT,
        sex           TEXT,
        education     TEXT,
        occupation    TEXT,
        comment       TEXT
    ) STRICT;
    CREATE INDEX survey_by_date ON survey_response (local_date);
    CREATE TABLE survey_answer (
        response_id TEXT    NOT NULL REFERENCES survey_response (id),
        element     TEXT    NOT NULL,
        value       INTEGER NOT NULL CHECK (value BETWEEN 1 AND 4),
        PRIMARY KEY (response_id, element)
    ) STRICT;
    "#,
    // 4: the upload outbox and the sync state. Every ticket, status change and survey
    // response is queued here in the transaction that records it; the uploader marks rows
    // acknowledged. `event_id` is what the receiver deduplicates on.
    r#"
    CREATE TABLE outbox (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id    TEXT    NOT NULL UNIQUE,
        kind        TEXT    NOT NULL CHECK (kind IN ('ticket', 'ticket_status', 'survey')),
        payload     TEXT    NOT NULL,
        created_utc TEXT    NOT NULL,
        acked_utc   TEXT
    ) STRICT;
    CREATE INDEX outbox_pending ON outbox (acked_utc, seq);
    CREATE TABLE sync_state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;
    -- Tickets issued before the outbox existed are queued too (their current state).
    INSERT INTO outbox (event_id, kind, payload, created_utc)
    SELECT lower(hex(randomblob(16))), 'ticket',
           json_object('id', id, 'number', number, 'service', service_code, 'agency', agency_code,
                       'priority', priority, 'kiosk_id', kiosk_id, 'local_date', local_date,
                       'issued_at_utc', issued_at_utc, 'issued_at_local', issued_at_local,
                       'people_ahead', people_ahead, 'status', status, 'backfilled', json('true')),
           issued_at_utc
    FROM ticket ORDER BY rowid;
    "#,
    // 5: survey responses keep the day only: an exact time could link a response to the
    // ticket printed just before it. Queued survey records lose theirs too.
    r#"
    ALTER TABLE survey_response DROP COLUMN submitted_utc;
    UPDATE outbox SET created_utc = json_extract(payload, '$.local_date') WHERE kind = 'survey';
    "#,
    // 6: the staff PIN pad's lock-out, so a restart (pulling the plug) does not reset it.
    r#"
    CREATE TABLE staff_lockout (
        id                INTEGER PRIMARY KEY CHECK (id = 1),
        wrong             INTEGER NOT NULL,
        locks             INTEGER NOT NULL,
        locked_until_utc  TEXT
    ) STRICT;
    "#,
    // 7: a survey response cannot be placed among the tickets. Its upload record leaves the
    // outbox (whose sequence is shared with the tickets') for a table of its own, ordered
    // by a random id and deleted once delivered; the responses and their answers are kept
    // without rowid, so even their order on disk is their random id's, not when they were
    // given.
    r#"
    CREATE TABLE survey_outbox (
        event_id    TEXT NOT NULL PRIMARY KEY,
        payload     TEXT NOT NULL,
        local_date  TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    INSERT INTO survey_outbox (event_id, payload, local_date)
        SELECT event_id, payload, json_extract(payload, '$.local_date') FROM outbox
        WHERE kind = 'survey' AND acked_utc IS NULL;
    DELETE FROM outbox WHERE kind = 'survey';
    CREATE TABLE survey_response_new (
        id            TEXT    NOT NULL PRIMARY KEY,
        service_code  TEXT    NOT NULL,
        agency_code   TEXT    NOT NULL,
        local_date    TEXT    NOT NULL,
        source        TEXT    NOT NULL CHECK (source IN ('kiosk', 'paper')),
        age           TEXT,
        sex           TEXT,
        education     TEXT,
        occupation    TEXT,
        comment       TEXT
    ) STRICT, WITHOUT ROWID;
    INSERT INTO survey_response_new
        SELECT id, service_code, agency_code, local_date, source, age, sex, education, occupation, comment
        FROM survey_response;
    CREATE TABLE survey_answer_new (
        response_id TEXT    NOT NULL REFERENCES survey_response_new (id),
        element     TEXT    NOT NULL,
        value       INTEGER NOT NULL CHECK (value BETWEEN 1 AND 4),
        PRIMARY KEY (response_id, element)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO survey_answer_new SELECT response_id, element, value FROM survey_answer;
    DROP TABLE survey_answer;
    DROP TABLE survey_response;
    ALTER TABLE survey_response_new RENAME TO survey_response;
    ALTER TABLE survey_answer_new RENAME TO survey_answer;
    CREATE INDEX survey_by_date ON survey_response (local_date);
    "#,
    // 8: where a day's numbering continues when the ledger was lost (a kiosk re-imaged
    // mid-day): the last sequences the site server holds for this kiosk, per prefix and
    // line.
    r#"
    CREATE TABLE sequence_floor (
        local_date TEXT    NOT NULL,
        prefix     TEXT    NOT NULL,
        priority   INTEGER NOT NULL CHECK (priority IN (0, 1)),
        last       INTEGER NOT NULL,
        PRIMARY KEY (local_date, prefix, priority)
    ) STRICT;
    "#,
    // 9: bookings. The day's bookings as the site server last listed them (their codes
    // only as hashes), so check-in works with the network cut; and the booking a ticket
    // checked in.
    r#"
    CREATE TABLE booking (
        code_hash  TEXT NOT NULL PRIMARY KEY,
        local_date TEXT NOT NULL,
        service    TEXT NOT NULL,
        slot_start TEXT NOT NULL,
        slot_end   TEXT NOT NULL,
        state      TEXT NOT NULL,
        early      INTEGER NOT NULL,
        late       INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX booking_by_date ON booking (local_date);
    ALTER TABLE ticket ADD COLUMN booking TEXT;
    "#,
];

fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect())
}

pub fn latest() -> usize {
    STEPS.len()
}

pub fn current(conn: &Connection) -> rusqlite::Result<usize> {
    conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).map(|v| v.max(0) as usize)
}

pub fn apply(conn: &mut Connection) -> Result<(), rusqlite_migration::Error> {
    migrations().to_latest(conn)
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }

    #[test]
    fn tickets_from_before_the_outbox_are_queued_for_upload() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut conn, 3).unwrap();
        conn.execute(
            "INSERT INTO ticket (id, local_date, number, service_code, agency_code, prefix, kiosk_id, priority, seq,
                                 issued_at_utc, issued_at_local, people_ahead, status)
             VALUES ('t1', '2026-11-30', 'KTB-A001', 'KTP-BARU', 'DUKCAPIL', 'KTB', 1, NULL, 1,
                     '2026-11-30T01:00:00Z', '2026-11-30T09:00:00+08:00[Asia/Makassar]', 0, 'printed')",
            [],
        )
        .unwrap();
        super::apply(&mut conn).unwrap();
        let (kind, payload): (String, String) =
            conn.query_row("SELECT kind, payload FROM outbox", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        assert_eq!(kind, "ticket");
        let v: serde_json::Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(
            (v["number"].as_str(), v["status"].as_str(), v["backfilled"].as_bool()),
            (Some("KTB-A001"), Some("printed"), Some(true))
        );
    }
}
