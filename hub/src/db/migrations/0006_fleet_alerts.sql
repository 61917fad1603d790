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

-- The fleet page reads each site's catalogue expiry: kept beside the feed, so the page
-- does not unpack every site's whole catalogue (2,000 kiosks at 500 sites: 351 ms → see
-- docs/hub-api.md).
ALTER TABLE site ADD COLUMN feed_expires TEXT GENERATED ALWAYS AS (feed->>'expires') STORED;
