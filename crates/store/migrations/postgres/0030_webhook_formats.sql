-- A webhook endpoint's body format: 'native' (wagate's envelope) or 'evolution' (Evolution API's
-- envelope and event names); by_events appends the event's name to the URL (Evolution's
-- webhookByEvents) and inline_media puts received media in the body (webhookBase64).
ALTER TABLE webhooks ADD COLUMN format TEXT NOT NULL DEFAULT 'native';
ALTER TABLE webhooks ADD COLUMN by_events BIGINT NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN inline_media BIGINT NOT NULL DEFAULT 0;

-- What an attempt sent when the body was rendered at delivery time (a format other than
-- native): the URL it was posted to and the body, inline media left out. NULL for native
-- deliveries, whose body is the delivery's payload as stored, posted to the endpoint's URL.
ALTER TABLE webhook_attempts ADD COLUMN request_url TEXT;
ALTER TABLE webhook_attempts ADD COLUMN request_body TEXT;
