-- org_measures_history: org_measures as published for each as-of date, for the dashboard's trends (a rerun of a date replaces that date only).
-- reads: org_measures
-- key: as_of, org_id
-- history: as_of
SELECT {{as_of}} AS as_of, m.* FROM {{ref:org_measures}} m
