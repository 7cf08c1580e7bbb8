GRANT SELECT ON masked.contacts, masked.consent_events TO wangji_console;
