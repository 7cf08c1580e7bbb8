// Field operations (PLAYBOOK "Field operations": P3, P11, O2) over src/field/, every list, detail and
// write limited to the user's scope (src/server/fieldScope.ts), every write audited in its transaction:
//   GET/POST  /api/field/visits            employer and government visits          FIELD_VISIT
//   GET/PATCH /api/field/visits/:id
//   GET/POST  /api/field/events            outreach events with their results       FIELD_EVENT
//   GET/PATCH /api/field/events/:id
//   GET/POST  /api/field/service-points    temporary service points                 FIELD_SERVICE_POINT
//   GET/PATCH /api/field/service-points/:id
//   GET/POST  /api/field/stations          stations (驿站) with services, partners   FIELD_STATION
//   GET/PATCH /api/field/stations/:id      … and their events
// Lists carry no free text (has_notes says whether there is some); a record's detail shows it with
// digit runs masked. The P7 tables, service plans, tuition partners and the pension-day calendar are
// in fieldTables.ts; appointments in appointments.ts.

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bankDate } from '../../domain/bankTime.js';
import {
  createEvent,
  EVENT_STATUSES,
  EVENT_TEAMS,
  eventCreate,
  eventDetail,
  eventPatch,
  eventView,
  getEvent,
  listEvents,
  updateEvent,
} from '../../field/events.js';
import { id, isoDate, numericId } from '../../field/inputs.js';
import {
  createServicePoint,
  getServicePoint,
  listServicePoints,
  servicePointCreate,
  servicePointDetail,
  servicePointPatch,
  servicePointView,
  updateServicePoint,
} from '../../field/servicePoints.js';
import {
  createStation,
  getStation,
  listStations,
  SCENARIO_FAMILIES,
  STATION_STATUSES,
  stationCreate,
  stationDetail,
  stationPatch,
  stationView,
  updateStation,
} from '../../field/stations.js';
import {
  createVisit,
  getVisit,
  listVisits,
  updateVisit,
  VISIT_KINDS,
  visitCreate,
  visitDetail,
  visitPatch,
  visitView,
} from '../../field/visits.js';
import type { RouteDeps } from '../app.js';
import { BadRequest, errorResponses, NotFound } from '../errors.js';
import {
  fieldWrite,
  listScope,
  requireEmployer,
  requireField,
  requireStaff,
  writeOrg,
} from '../fieldScope.js';
import { principalOf } from '../plugins/auth.js';

const idParams = z.object({ id: numericId });
const limit = z.coerce.number().int().min(1).max(1000).default(200);
const read = { permission: 'field:read' as const };
const write = { permission: 'field:write' as const };

/** A detail read after its check: the record went missing meanwhile → 404. */
function found<T>(row: T | null, what: string): T {
  if (!row) throw new NotFound(`no ${what} in your scope`);
  return row;
}

export function fieldRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  // ——— visits (P3) ———
  r.get(
    '/api/field/visits',
    {
      config: read,
      schema: {
        summary: 'Employer and government visits in scope, latest first',
        tags: ['field'],
        querystring: z.object({
          org: id.optional(),
          employer: id.optional(),
          kind: z.enum(VISIT_KINDS).optional(),
          from: isoDate.optional(),
          to: isoDate.optional(),
          limit,
        }),
        response: { 200: z.object({ visits: z.array(visitView) }), ...errorResponses },
      },
    },
    async (request) => {
      const { sql, params } = await listScope(deps, request, 'visit');
      const q = request.query;
      return { visits: await listVisits(db, sql, params, q, q.limit) };
    },
  );

  r.get(
    '/api/field/visits/:id',
    {
      config: read,
      schema: {
        summary: 'One visit with its summary and next step',
        tags: ['field'],
        params: idParams,
        response: { 200: visitDetail, ...errorResponses },
      },
    },
    async (request) => {
      await requireField(deps, request, 'visit', request.params.id);
      return found(await getVisit(db, request.params.id), 'visit');
    },
  );

  r.post(
    '/api/field/visits',
    {
      config: write,
      schema: {
        summary: 'Record a visit (an employer in your scope; you, or staff in your scope, visited)',
        tags: ['field'],
        body: visitCreate,
        response: { 200: visitDetail, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const b = request.body;
      // A visit with an outcome has happened: a later date would convert the employer's lead (on that
      // day) for a visit not yet made.
      if (b.visited_on > bankDate(deps.now()))
        throw new BadRequest('a visit is recorded once it has been made', [
          { field: 'body.visited_on', message: 'after today at the bank' },
        ]);
      if (b.employer_id) await requireEmployer(deps, request, b.employer_id);
      const staffId = b.staff_id ?? p.staffId;
      if (!staffId)
        throw new BadRequest('name who visited', [
          { field: 'body.staff_id', message: 'required: you are not staff' },
        ]);
      if (p.scope === 'OWN' && staffId !== p.staffId)
        throw new BadRequest('you record your own visits', [
          { field: 'body.staff_id', message: 'must be you' },
        ]);
      await requireStaff(deps, request, [staffId]);
      const orgId = await writeOrg(deps, request, b.org_id);
      const visitId = await fieldWrite(
        deps,
        request,
        { action: 'FIELD_VISIT', subject: 'visit' },
        async (tx, w) => ({
          id: await createVisit(tx, { ...b, org_id: orgId, staff_id: staffId }, w),
          op: 'CREATE',
        }),
      );
      return found(await getVisit(db, visitId), 'visit');
    },
  );

  r.patch(
    '/api/field/visits/:id',
    {
      config: write,
      schema: {
        summary: 'Change a visit’s outcome, summary or next step',
        tags: ['field'],
        params: idParams,
        body: visitPatch,
        response: { 200: visitDetail, ...errorResponses },
      },
    },
    async (request) => {
      const visitId = request.params.id;
      await requireField(deps, request, 'visit', visitId);
      await fieldWrite(
        deps,
        request,
        { action: 'FIELD_VISIT', subject: 'visit', recheck: { kind: 'visit', id: visitId } },
        async (tx, w) => ({
          id: visitId,
          op: 'UPDATE',
          fields: await updateVisit(tx, visitId, request.body, w),
        }),
      );
      return found(await getVisit(db, visitId), 'visit');
    },
  );

  // ——— outreach events (P11, O2) ———
  r.get(
    '/api/field/events',
    {
      config: read,
      schema: {
        summary: 'Outreach events in scope with their results (typed, and cards opened from the accounts)',
        tags: ['field'],
        querystring: z.object({
          org: id.optional(),
          team: z.enum(EVENT_TEAMS).optional(),
          status: z.enum(EVENT_STATUSES).optional(),
          station: numericId.optional(),
          from: isoDate.optional(),
          to: isoDate.optional(),
          limit,
        }),
        response: { 200: z.object({ events: z.array(eventView) }), ...errorResponses },
      },
    },
    async (request) => {
      const { sql, params } = await listScope(deps, request, 'event');
      const q = request.query;
      return { events: await listEvents(db, sql, params, q, q.limit) };
    },
  );

  r.get(
    '/api/field/events/:id',
    {
      config: read,
      schema: {
        summary: 'One outreach event with its notes',
        tags: ['field'],
        params: idParams,
        response: { 200: eventDetail, ...errorResponses },
      },
    },
    async (request) => {
      await requireField(deps, request, 'event', request.params.id);
      return found(await getEvent(db, request.params.id), 'outreach event');
    },
  );

  r.post(
    '/api/field/events',
    {
      config: write,
      schema: {
        summary: 'Plan or record an outreach event (staff, station and service point in your scope)',
        tags: ['field'],
        body: eventCreate,
        response: { 200: eventDetail, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      await requireStaff(deps, request, b.staff_ids);
      if (b.station_id) await requireField(deps, request, 'station', b.station_id);
      if (b.service_point_id) await requireField(deps, request, 'service_point', b.service_point_id);
      const orgId = await writeOrg(deps, request, b.org_id);
      const eventId = await fieldWrite(
        deps,
        request,
        { action: 'FIELD_EVENT', subject: 'event' },
        async (tx, w) => ({
          id: await createEvent(tx, { ...b, org_id: orgId }, w),
          op: 'CREATE',
        }),
      );
      return found(await getEvent(db, eventId), 'outreach event');
    },
  );

  r.patch(
    '/api/field/events/:id',
    {
      config: write,
      schema: {
        summary:
          'Change an event: its status, results (cards opened, appointments taken, participants), staff',
        tags: ['field'],
        params: idParams,
        body: eventPatch,
        response: { 200: eventDetail, ...errorResponses },
      },
    },
    async (request) => {
      const eventId = request.params.id;
      await requireField(deps, request, 'event', eventId);
      if (request.body.staff_ids) await requireStaff(deps, request, request.body.staff_ids);
      await fieldWrite(
        deps,
        request,
        { action: 'FIELD_EVENT', subject: 'event', recheck: { kind: 'event', id: eventId } },
        async (tx, w) => ({
          id: eventId,
          op: 'UPDATE',
          fields: await updateEvent(tx, eventId, request.body, w),
        }),
      );
      return found(await getEvent(db, eventId), 'outreach event');
    },
  );

  // ——— temporary service points (P11) ———
  r.get(
    '/api/field/service-points',
    {
      config: read,
      schema: {
        summary: 'Temporary service points in scope',
        tags: ['field'],
        querystring: z.object({
          org: id.optional(),
          on: isoDate.optional().describe('open on this date'),
          limit,
        }),
        response: { 200: z.object({ service_points: z.array(servicePointView) }), ...errorResponses },
      },
    },
    async (request) => {
      const { sql, params } = await listScope(deps, request, 'service_point');
      const q = request.query;
      return { service_points: await listServicePoints(db, sql, params, q, q.limit) };
    },
  );

  r.get(
    '/api/field/service-points/:id',
    {
      config: read,
      schema: {
        summary: 'One service point',
        tags: ['field'],
        params: idParams,
        response: { 200: servicePointDetail, ...errorResponses },
      },
    },
    async (request) => {
      await requireField(deps, request, 'service_point', request.params.id);
      return found(await getServicePoint(db, request.params.id), 'service point');
    },
  );

  r.post(
    '/api/field/service-points',
    {
      config: write,
      schema: {
        summary: 'Open a temporary service point',
        tags: ['field'],
        body: servicePointCreate,
        response: { 200: servicePointDetail, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      await requireStaff(deps, request, b.staff_ids);
      const orgId = await writeOrg(deps, request, b.org_id);
      const pointId = await fieldWrite(
        deps,
        request,
        { action: 'FIELD_SERVICE_POINT', subject: 'service_point' },
        async (tx, w) => ({ id: await createServicePoint(tx, { ...b, org_id: orgId }, w), op: 'CREATE' }),
      );
      return found(await getServicePoint(db, pointId), 'service point');
    },
  );

  r.patch(
    '/api/field/service-points/:id',
    {
      config: write,
      schema: {
        summary: 'Change a service point (dates, staff, place)',
        tags: ['field'],
        params: idParams,
        body: servicePointPatch,
        response: { 200: servicePointDetail, ...errorResponses },
      },
    },
    async (request) => {
      const pointId = request.params.id;
      await requireField(deps, request, 'service_point', pointId);
      if (request.body.staff_ids) await requireStaff(deps, request, request.body.staff_ids);
      await fieldWrite(
        deps,
        request,
        {
          action: 'FIELD_SERVICE_POINT',
          subject: 'service_point',
          recheck: { kind: 'service_point', id: pointId },
        },
        async (tx, w) => ({
          id: pointId,
          op: 'UPDATE',
          fields: await updateServicePoint(tx, pointId, request.body, w),
        }),
      );
      return found(await getServicePoint(db, pointId), 'service point');
    },
  );

  // ——— stations (O2) ———
  r.get(
    '/api/field/stations',
    {
      config: read,
      schema: {
        summary: 'Stations (驿站) in scope with their scenario services, partners, events and participants',
        tags: ['field'],
        querystring: z.object({
          org: id.optional(),
          family: z.enum(SCENARIO_FAMILIES).optional(),
          status: z.enum(STATION_STATUSES).optional(),
          limit,
        }),
        response: { 200: z.object({ stations: z.array(stationView) }), ...errorResponses },
      },
    },
    async (request) => {
      const { sql, params } = await listScope(deps, request, 'station');
      const q = request.query;
      return { stations: await listStations(db, sql, params, q, q.limit) };
    },
  );

  r.get(
    '/api/field/stations/:id',
    {
      config: read,
      schema: {
        summary: 'One station with its events (those in your scope) and their participants',
        tags: ['field'],
        params: idParams,
        response: {
          200: z.object({ station: stationDetail, events: z.array(eventView) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const stationId = request.params.id;
      await requireField(deps, request, 'station', stationId);
      const station = found(await getStation(db, stationId), 'station');
      const { sql, params } = await listScope(deps, request, 'event');
      return { station, events: await listEvents(db, sql, params, { station: stationId }, 1000) };
    },
  );

  r.post(
    '/api/field/stations',
    {
      config: write,
      schema: {
        summary: 'Open a station with its services and partners',
        tags: ['field'],
        body: stationCreate,
        response: { 200: stationDetail, ...errorResponses },
      },
    },
    async (request) => {
      const orgId = await writeOrg(deps, request, request.body.org_id);
      const stationId = await fieldWrite(
        deps,
        request,
        { action: 'FIELD_STATION', subject: 'station' },
        async (tx, w) => ({
          id: await createStation(tx, { ...request.body, org_id: orgId }, w),
          op: 'CREATE',
        }),
      );
      return found(await getStation(db, stationId), 'station');
    },
  );

  r.patch(
    '/api/field/stations/:id',
    {
      config: write,
      schema: {
        summary: 'Change a station (its services and partners are replaced when given)',
        tags: ['field'],
        params: idParams,
        body: stationPatch,
        response: { 200: stationDetail, ...errorResponses },
      },
    },
    async (request) => {
      const stationId = request.params.id;
      await requireField(deps, request, 'station', stationId);
      await fieldWrite(
        deps,
        request,
        { action: 'FIELD_STATION', subject: 'station', recheck: { kind: 'station', id: stationId } },
        async (tx, w) => ({
          id: stationId,
          op: 'UPDATE',
          fields: await updateStation(tx, stationId, request.body, w),
        }),
      );
      return found(await getStation(db, stationId), 'station');
    },
  );
}
