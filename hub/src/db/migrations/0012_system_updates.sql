-- System updates: the bundles the hub holds (files in [updates] dir, listed here), each
-- site's rollout of one of them, and what each kiosk reports of its slots.
CREATE TABLE system_bundle (
    version    TEXT PRIMARY KEY,
    size       BIGINT NOT NULL CHECK (size > 0),
    signature  TEXT NOT NULL,
    built_at   TIMESTAMPTZ NOT NULL,
    added_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE system_rollout (
    site        TEXT PRIMARY KEY REFERENCES site (code),
    version     TEXT NOT NULL REFERENCES system_bundle (version),
    -- NULL: every kiosk of the site; a number: that pilot kiosk alone.
    pilot       SMALLINT,
    paused      BOOLEAN NOT NULL,
    changed_at  TIMESTAMPTZ NOT NULL
);

ALTER TABLE kiosk_health ADD COLUMN system JSONB;
