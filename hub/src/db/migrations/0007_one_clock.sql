-- One clock (issue 25): every time the server stores comes from its own clock
-- (`clock::now()`, pinned by MPP_HUB_NOW in demos and tests) and is passed in as a
-- parameter. Column defaults that read PostgreSQL's clock could stamp a row with another
-- time than the one the server compares it with (a pinned clock, a database host with
-- drift), so they go: an insert that forgets a time now fails instead of guessing.
ALTER TABLE site ALTER COLUMN added_at DROP DEFAULT;
ALTER TABLE kiosk ALTER COLUMN enrolled_at DROP DEFAULT;
ALTER TABLE upload_record ALTER COLUMN received_at DROP DEFAULT;
ALTER TABLE kiosk_health ALTER COLUMN received_at DROP DEFAULT;
ALTER TABLE staff ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE call_event ALTER COLUMN at DROP DEFAULT;
ALTER TABLE schema_migration ALTER COLUMN applied_at DROP DEFAULT;
