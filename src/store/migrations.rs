//! Schema migrations (rusqlite_migration, tracked in SQLite's `user_version`).
//! Append new steps; never edit a released one.

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

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
}
