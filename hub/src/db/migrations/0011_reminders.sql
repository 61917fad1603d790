-- Reminders to booked citizens (issue 28), through the site's SMS or WhatsApp gateway: one
-- row per booking and kind (at booking, the day before, a few people ahead), kept until the
-- gateway took it. The text is erased once sent (the first one carries the booking's code).
CREATE TABLE reminder (
    booking    TEXT NOT NULL REFERENCES booking (id),
    kind       TEXT NOT NULL CHECK (kind IN ('booked', 'day_before', 'ahead')),
    phone      TEXT NOT NULL,
    message    TEXT NOT NULL,
    due_at     TIMESTAMPTZ NOT NULL,
    attempts   INTEGER NOT NULL,
    sent_at    TIMESTAMPTZ,
    PRIMARY KEY (booking, kind)
);
CREATE INDEX reminder_due ON reminder (due_at) WHERE sent_at IS NULL;
