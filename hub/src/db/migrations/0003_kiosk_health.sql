-- Each kiosk's last health report: for the fleet view (which printer is out of paper).
CREATE TABLE kiosk_health (
    site               TEXT NOT NULL,
    kiosk              SMALLINT NOT NULL,
    reported_at        TIMESTAMPTZ NOT NULL,
    received_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    app_version        TEXT NOT NULL,
    catalogue_version  BIGINT,
    printer            TEXT NOT NULL,
    printer_at         TIMESTAMPTZ,
    outbox_pending     BIGINT NOT NULL,
    oldest_pending     TEXT,
    PRIMARY KEY (site, kiosk),
    FOREIGN KEY (site, kiosk) REFERENCES kiosk (site, number)
);
