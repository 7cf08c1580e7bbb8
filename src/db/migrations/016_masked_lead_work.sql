-- Free text people type about customers (a contact's note, a consent event's note, an INVALID reason)
-- may hold personal data: the analysts' console sees these tables through masked views without it.
CREATE VIEW masked.contacts AS SELECT
  contact_id, task_id, lead_id, activity_id, customer_id, staff_id, channel, outcome,
  CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS note,
  contact_at, recorded_at, is_contact, is_marketing
FROM {{schema}}.contacts;

CREATE VIEW masked.consent_events AS SELECT
  customer_id, event, event_at, staff_id, CAST(NULL AS VARCHAR) AS note
FROM {{schema}}.consent_events;
