-- Bookings (issue 28): a place in a service's line at a slot of a day, taken ahead from a
-- phone, checked in at a kiosk or the desk on the day.

-- The policy of a site's service ('*': the site's default), set by its administrator
-- (`mpp-hub booking policy`); no row: the service takes no bookings.
CREATE TABLE booking_policy (
    site       TEXT NOT NULL REFERENCES site (code),
    service    TEXT NOT NULL,
    policy     JSONB NOT NULL,
    set_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site, service)
);

-- Places taken per slot, per service and day, per person and day: each counter is raised
-- in the booking's own transaction by one statement that cannot pass its capacity (the
-- CHECK, and `taken < capacity` in the UPDATE), so a burst of requests never takes more
-- places than there are; a cancellation gives its places back.
CREATE TABLE booking_count (
    site       TEXT NOT NULL REFERENCES site (code),
    scope      TEXT NOT NULL CHECK (scope IN ('slot', 'day', 'person')),
    key        TEXT NOT NULL,
    local_date DATE NOT NULL,
    capacity   INTEGER NOT NULL,
    taken      INTEGER NOT NULL CHECK (taken >= 0 AND taken <= capacity),
    PRIMARY KEY (site, scope, key, local_date)
);

-- One booking. Its code is kept only as a hash (SHA-256 of the domain's hash input), the
-- NIK only as a keyed hash (HMAC-SHA256 with the hub's own key) and its last four digits.
CREATE TABLE booking (
    id            TEXT PRIMARY KEY,
    site          TEXT NOT NULL REFERENCES site (code),
    service       TEXT NOT NULL,
    local_date    DATE NOT NULL,
    slot_start    TEXT NOT NULL,
    slot_end      TEXT NOT NULL,
    -- The slot's start as an instant: a checked-in booking's place in line (queue_at).
    slot_at       TIMESTAMPTZ NOT NULL,
    -- Its policy's grace after the slot's start when it was booked: a check-in later than
    -- that is a walk-in.
    late_minutes  INTEGER NOT NULL,
    code_hash     TEXT NOT NULL UNIQUE,
    -- The booking's own page (see, cancel) needs a key of its own (128 bits, kept as a
    -- SHA-256 hash): the 8-character code alone could be found from its hash.
    page_key_hash TEXT NOT NULL,
    -- Whether it took a place of its service's day (a service with a quota): a
    -- cancellation gives back only what was taken.
    day_counted   BOOLEAN NOT NULL,
    nik_hash      TEXT NOT NULL,
    nik_last4     TEXT NOT NULL,
    phone         TEXT,
    state         TEXT NOT NULL CHECK (state IN ('booked', 'cancelled', 'checked_in', 'no_show')),
    booked_at     TIMESTAMPTZ NOT NULL,
    state_at      TIMESTAMPTZ NOT NULL,
    -- The ticket it became at check-in, and where.
    ticket        TEXT,
    checked_in_by TEXT,
    -- A second check-in of the same code elsewhere (two kiosks cut off from the hub):
    -- kept and shown to the supervisor, never silently doubled.
    conflict      TEXT
);
CREATE INDEX booking_site_day ON booking (site, local_date, slot_start);
CREATE INDEX booking_person_day ON booking (site, nik_hash, local_date);

-- The hub's own secrets (the key of the NIK's hash), made once at first use.
CREATE TABLE hub_secret (
    name       TEXT PRIMARY KEY,
    value      BYTEA NOT NULL
);

-- A ticket that is a booking's: it waits as if taken at its slot's start (queue_at), and
-- the counter page shows its slot.
ALTER TABLE ticket ADD COLUMN booking TEXT;
