-- The counters (loket) of a site and the services each serves, and the staff who sign in
-- to call tickets: roles counter, supervisor, admin; passwords only as Argon2id hashes.
CREATE TABLE counter (
    site          TEXT NOT NULL REFERENCES site (code),
    number        SMALLINT NOT NULL CHECK (number BETWEEN 1 AND 999),
    name          TEXT NOT NULL,
    services      TEXT[] NOT NULL,
    PRIMARY KEY (site, number)
);

CREATE TABLE staff (
    site          TEXT NOT NULL REFERENCES site (code),
    username      TEXT NOT NULL CHECK (username ~ '^[a-z0-9._-]{2,40}$'),
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('counter', 'supervisor', 'admin')),
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    disabled_at   TIMESTAMPTZ,
    PRIMARY KEY (site, username)
);
