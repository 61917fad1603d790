-- Calling at the counters. A ticket's place at the counters (call_state, the counter, its
-- recalls) beside the kiosk's status, which keeps arriving (printed, voided) and must not
-- undo a call. queue_at is its place in line: the issue time, moved by a transfer to the
-- front or the back of another service. Every action is a call_event row: who, where,
-- why (the audit trail and the source of every statistic). A counter can be paused.
ALTER TABLE ticket
    ADD COLUMN call_state   TEXT NOT NULL DEFAULT 'waiting'
        CHECK (call_state IN ('waiting', 'called', 'serving', 'done', 'no_show')),
    ADD COLUMN counter      SMALLINT,
    ADD COLUMN recalls      SMALLINT NOT NULL DEFAULT 0,
    ADD COLUMN last_call_at TIMESTAMPTZ,
    ADD COLUMN queue_at     TIMESTAMPTZ,
    -- Transferred to one counter: only it calls the ticket.
    ADD COLUMN for_counter  SMALLINT;
UPDATE ticket SET queue_at = issued_at;
ALTER TABLE ticket ALTER COLUMN queue_at SET NOT NULL;

-- The waiting line of a site's day, in calling order: per service (a counter's lines),
-- and across services (call next walks it in order to the first ticket the counter serves).
CREATE INDEX ticket_line ON ticket (site, local_date, service, (priority IS NULL), queue_at, number)
    WHERE call_state = 'waiting';
CREATE INDEX ticket_calling_order ON ticket (site, local_date, (priority IS NULL), queue_at, number)
    WHERE call_state = 'waiting';
CREATE INDEX ticket_at_counter ON ticket (site, counter) WHERE call_state IN ('called', 'serving');

CREATE TABLE call_event (
    id         BIGSERIAL PRIMARY KEY,
    site       TEXT NOT NULL REFERENCES site (code),
    ticket     TEXT REFERENCES ticket (id),
    number     TEXT,
    action     TEXT NOT NULL,
    counter    SMALLINT NOT NULL,
    staff      TEXT NOT NULL,
    reason     TEXT,
    service    TEXT,
    at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX call_event_site_at ON call_event (site, at);
CREATE INDEX call_event_ticket ON call_event (ticket);

ALTER TABLE counter
    ADD COLUMN paused_reason TEXT,
    ADD COLUMN state_at      TIMESTAMPTZ;
