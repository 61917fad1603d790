-- The fleet's alerts while they last (a kiosk silent, a printer out of paper, an expired
-- catalogue): the webhook hears of each once when it is raised and once when it clears,
-- whichever server process noticed, and a restart does not send them again.
CREATE TABLE fleet_alert (
    site         TEXT NOT NULL,
    kiosk        SMALLINT NOT NULL,
    kind         TEXT NOT NULL,
    severity     TEXT NOT NULL,
    message      TEXT NOT NULL,
    raised_at    TIMESTAMPTZ NOT NULL,
    notified_at  TIMESTAMPTZ,
    PRIMARY KEY (site, kiosk, kind)
);
