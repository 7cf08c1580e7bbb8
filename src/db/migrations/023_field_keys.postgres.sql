-- PostgreSQL keys and indexes of the field-operation tables (DuckDB carries none, see 004), and the
-- console's read access: the masked views of 022 (free text NULL, contacts masked) and the child
-- tables, which hold ids and organisations' names only. The tables themselves are not granted: their
-- free text may hold personal data.
ALTER TABLE visits ADD PRIMARY KEY (visit_id);
CREATE INDEX visits_employer ON visits (employer_id, visited_on);
CREATE INDEX visits_org ON visits (org_id, visited_on);
ALTER TABLE service_points ADD PRIMARY KEY (service_point_id);
CREATE INDEX service_points_org ON service_points (org_id);
ALTER TABLE service_point_staff ADD PRIMARY KEY (service_point_id, staff_id);
ALTER TABLE stations ADD PRIMARY KEY (station_id);
CREATE INDEX stations_org ON stations (org_id);
CREATE INDEX station_services_station ON station_services (station_id);
CREATE INDEX station_partners_station ON station_partners (station_id);
ALTER TABLE outreach_events ADD PRIMARY KEY (event_id);
CREATE INDEX outreach_events_org ON outreach_events (org_id, event_date);
CREATE INDEX outreach_events_station ON outreach_events (station_id);
ALTER TABLE outreach_event_staff ADD PRIMARY KEY (event_id, staff_id);
CREATE INDEX outreach_event_staff_staff ON outreach_event_staff (staff_id);
ALTER TABLE appointments ADD PRIMARY KEY (appointment_id);
CREATE INDEX appointments_staff ON appointments (staff_id, slot_start);
CREATE INDEX appointments_team ON appointments (org_id, team, slot_start);
CREATE INDEX appointments_customer ON appointments (customer_id);
ALTER TABLE assistance_progress ADD PRIMARY KEY (progress_id);
CREATE INDEX assistance_progress_action ON assistance_progress (action_id, recorded_at);
ALTER TABLE benefit_progress ADD PRIMARY KEY (progress_id);
CREATE INDEX benefit_progress_program ON benefit_progress (program_id, org_id, recorded_at);
ALTER TABLE service_plans ADD PRIMARY KEY (plan_id);
CREATE INDEX service_plans_employer ON service_plans (employer_id);
ALTER TABLE tuition_partners ADD PRIMARY KEY (partner_id);
CREATE INDEX tuition_partners_org ON tuition_partners (org_id);

GRANT SELECT ON masked.visits, masked.service_points, masked.stations, masked.outreach_events,
  masked.appointments, masked.assistance_progress, masked.benefit_progress, masked.service_plans,
  masked.tuition_partners TO wangji_console;
GRANT SELECT ON service_point_staff, station_services, station_partners, outreach_event_staff TO wangji_console;
