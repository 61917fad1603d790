-- Staff sign-in: sessions that expire (a working day at most, an hour idle), each with its
-- CSRF token; the session token is kept only as its SHA-256. Wrong passwords lock the
-- account for a while.
ALTER TABLE staff
    ADD COLUMN failed_logins SMALLINT NOT NULL DEFAULT 0,
    ADD COLUMN locked_until  TIMESTAMPTZ;

CREATE TABLE staff_session (
    token_sha256 TEXT PRIMARY KEY,
    site         TEXT NOT NULL,
    username     TEXT NOT NULL,
    csrf         TEXT NOT NULL,
    counter      SMALLINT,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen    TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site, username) REFERENCES staff (site, username) ON DELETE CASCADE
);
CREATE INDEX staff_session_expires ON staff_session (expires_at);
