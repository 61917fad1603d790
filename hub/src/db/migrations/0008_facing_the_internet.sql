-- The site server facing the internet (issue 26).

-- Sign-in throttling: every attempt is counted before its password is checked, in one
-- statement per attempt, per account at one address ('pair'), per address ('source') and
-- per account from anywhere ('account'), for any username typed (existing or not, so a
-- lock-out says nothing of which names exist). A row locks its scope once `failed`
-- reaches `max_failed` within a window; a supervisor lifts a pair or account lock.
CREATE TABLE sign_in_guard (
    scope        TEXT NOT NULL CHECK (scope IN ('pair', 'source', 'account')),
    site         TEXT NOT NULL,
    username     TEXT NOT NULL,
    source       TEXT NOT NULL,
    failed       INTEGER NOT NULL,
    max_failed   INTEGER NOT NULL,
    window_from  TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ,
    PRIMARY KEY (scope, site, username, source)
);
ALTER TABLE staff DROP COLUMN failed_logins, DROP COLUMN locked_until;

-- A province's operators see every site's fleet; a site's admin sees that site.
ALTER TABLE staff DROP CONSTRAINT staff_role_check;
ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN ('counter', 'supervisor', 'admin', 'operator'));

-- Exactly once per site and kiosk: another site's kiosk cannot make a record look like a
-- duplicate. Survey responses are no longer kept here (with their kiosk and receipt
-- time they could be linked to the ticket uploaded beside them): survey_response.id
-- keeps them once, with neither.
DELETE FROM upload_record WHERE kind = 'survey';
ALTER TABLE upload_record DROP CONSTRAINT upload_record_pkey;
ALTER TABLE upload_record ADD PRIMARY KEY (site, kiosk, event_id);
ALTER TABLE upload_record DROP CONSTRAINT upload_record_kind_check;
ALTER TABLE upload_record ADD CONSTRAINT upload_record_kind_check CHECK (kind IN ('ticket', 'ticket_status'));

-- Each kiosk's clock, measured against the server's with every request it makes: its
-- records are ordered by corrected times, and a kiosk that is off is flagged.
ALTER TABLE kiosk ADD COLUMN clock_offset_ms BIGINT, ADD COLUMN clock_measured_at TIMESTAMPTZ;

-- The same number twice on one day (a kiosk re-imaged mid-day, its ledger lost): both
-- tickets are kept, and the collision is shown to the supervisor (the fleet).
CREATE TABLE number_collision (
    site        TEXT NOT NULL,
    local_date  DATE NOT NULL,
    number      TEXT NOT NULL,
    ticket      TEXT NOT NULL,
    earlier     TEXT NOT NULL,
    kiosk       SMALLINT NOT NULL,
    noticed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site, ticket)
);

-- The fleet's webhook messages, in order, until the receiver takes them: a failed
-- delivery backs off without holding up the fleet's watch, and a restart sends nothing
-- twice and loses nothing (fleet_alert.notified_at is no longer used).
CREATE TABLE webhook_outbox (
    id        BIGSERIAL PRIMARY KEY,
    body      JSONB NOT NULL,
    attempts  INTEGER NOT NULL,
    retry_at  TIMESTAMPTZ NOT NULL
);
