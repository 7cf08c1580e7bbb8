// Home-visit appointments (预约, P11) over src/field/appointments.ts, limited to the user's scope
// (src/server/fieldScope.ts: BANK / SUBTREE by the appointment's org; an account manager their own —
// they go or they booked it — and their team's at their outlet), every write audited (APPOINTMENT):
//   GET   /api/appointments?date=&team=&org=&staff=&status=   the day's slots, earliest first
//   GET   /api/appointments/:id                                one appointment with its notes
//   POST  /api/appointments                                    book for a customer in scope
//   POST  /api/tasks/:id/appointment                           book from a task in scope (its customer)
//   PATCH /api/appointments/:id                                BOOKED → DONE | CANCELLED | NO_SHOW
// The customer's name and phone are answered masked. A double booking of a staff member or a team is
// 409 DOUBLE_BOOKED.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  appointmentCreate,
  appointmentDetail,
  appointmentPatch,
  appointmentQuery,
  appointmentView,
  bookAppointment,
  getAppointment,
  listAppointments,
  type NewAppointment,
  setAppointmentStatus,
  taskAppointment,
} from '../../field/appointments.js';
import { numericId } from '../../field/inputs.js';
import type { RouteDeps } from '../app.js';
import { BadRequest, errorResponses, NotFound, Refused } from '../errors.js';
import {
  fieldWrite,
  listScope,
  requireCustomer,
  requireField,
  requireStaff,
  writeOrg,
} from '../fieldScope.js';
import { auditDenied, principalOf } from '../plugins/auth.js';
import { isPublished } from '../published.js';
import type { Principal } from '../roles.js';
import { SqlParams, taskVisible } from '../scope.js';

const idParams = z.object({ id: numericId });

type Booking = Omit<NewAppointment, 'customer_id' | 'task_id' | 'org_id'>;

/**
 * Who goes: the staff member named (OWN roles: only themselves), else the booker when an account
 * manager, else none (the team alone). The staff member must work in the appointment's org.
 */
async function resolveStaff(
  deps: RouteDeps,
  request: FastifyRequest,
  p: Principal,
  orgId: string,
  b: { staff_id?: string; team?: string },
): Promise<string | null> {
  const staffId = b.staff_id ?? (p.scope === 'OWN' ? p.staffId : null);
  if (!staffId) {
    if (!b.team)
      throw new BadRequest('name who goes', [
        { field: 'body.staff_id', message: 'a staff member or a team' },
      ]);
    return null;
  }
  if (p.scope === 'OWN' && staffId !== p.staffId)
    throw new BadRequest('you book your own visits, or your team’s', [
      { field: 'body.staff_id', message: 'must be you (or give only the team)' },
    ]);
  if (p.scope !== 'REMOTE') await requireStaff(deps, request, [staffId]);
  const [s] = await deps.db.query('SELECT org_id FROM staff WHERE staff_id = $1', [staffId]);
  if (!s || s.org_id !== orgId)
    throw new Refused('STAFF_ELSEWHERE', `staff member ${staffId} does not work at ${orgId}`);
  return staffId;
}

const booking = (b: z.infer<typeof taskAppointment>, staffId: string | null): Booking => ({
  team: b.team ?? null,
  staff_id: staffId,
  reason: b.reason,
  slot_start: b.slot_start,
  slot_end: b.slot_end,
  notes: b.notes ?? null,
});

export function appointmentRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  const book = async (request: FastifyRequest, a: NewAppointment) => {
    const appointmentId = await fieldWrite(
      deps,
      request,
      { action: 'APPOINTMENT', subject: 'appointment' },
      async (tx, w) => ({
        id: await bookAppointment(tx, a, w),
        op: 'BOOK',
        fields: a.task_id ? [`task:${a.task_id}`] : [],
      }),
    );
    const row = await getAppointment(db, appointmentId);
    if (!row) throw new NotFound('no such appointment');
    return row;
  };

  r.get(
    '/api/appointments',
    {
      config: { permission: 'field:read' },
      schema: {
        summary:
          'Appointments in scope (a day’s slots by team, staff, org), earliest first; customers masked',
        tags: ['appointments'],
        querystring: appointmentQuery,
        response: { 200: z.object({ appointments: z.array(appointmentView) }), ...errorResponses },
      },
    },
    async (request) => {
      const { sql, params } = await listScope(deps, request, 'appointment');
      const q = request.query;
      return { appointments: await listAppointments(db, sql, params, q, q.limit) };
    },
  );

  r.get(
    '/api/appointments/:id',
    {
      config: { permission: 'field:read' },
      schema: {
        summary: 'One appointment with its notes',
        tags: ['appointments'],
        params: idParams,
        response: { 200: appointmentDetail, ...errorResponses },
      },
    },
    async (request) => {
      await requireField(deps, request, 'appointment', request.params.id);
      const row = await getAppointment(db, request.params.id);
      if (!row) throw new NotFound('no such appointment in your scope');
      return row;
    },
  );

  r.post(
    '/api/appointments',
    {
      config: { permission: 'field:write' },
      schema: {
        summary: 'Book a home visit for a customer in your scope (409 DOUBLE_BOOKED when the slot is taken)',
        tags: ['appointments'],
        body: appointmentCreate,
        response: { 200: appointmentDetail, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const b = request.body;
      await requireCustomer(deps, request, b.customer_id);
      const orgId = await writeOrg(deps, request, b.org_id);
      const staffId = await resolveStaff(deps, request, p, orgId, b);
      return book(request, {
        ...booking(b, staffId),
        customer_id: b.customer_id,
        task_id: null,
        org_id: orgId,
      });
    },
  );

  r.post(
    '/api/tasks/:id/appointment',
    {
      config: { permission: 'leads:work' },
      schema: {
        summary: 'Book a home visit from a task in your scope: its customer, at the org crediting the task',
        tags: ['appointments', 'tasks'],
        params: idParams,
        body: taskAppointment,
        response: { 200: appointmentDetail, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const taskId = request.params.id;
      const params = new SqlParams([taskId]);
      const visible =
        p.scope === 'SUBTREE' && !(await isPublished(db, 'org_closure')) ? '(1 = 0)' : taskVisible(p, params);
      const [task] = await db.query<{
        visible: number;
        customer_id: string | null;
        org_id: string;
        credit_org_id: string | null;
        status: string;
      }>(
        `SELECT CASE WHEN ${visible} THEN 1 ELSE 0 END AS visible, t.customer_id, t.org_id, t.credit_org_id, t.status
           FROM tasks t WHERE t.task_id = $1`,
        params.values,
      );
      if (!task || Number(task.visible) !== 1) {
        if (task) await auditDenied(db, request, `task ${taskId} outside the scope`);
        throw new NotFound(`no task ${taskId} in your scope`);
      }
      if (!task.customer_id) throw new Refused('NO_CUSTOMER', `task ${taskId} has no customer to visit`);
      if (task.status === 'DONE' || task.status === 'CLOSED')
        throw new Refused('TASK_CLOSED', `task ${taskId} is ${task.status}`);
      // A remote task is owned by the remote centre; the visit is made by the customer's org it credits.
      const orgId = task.credit_org_id ?? task.org_id;
      const staffId = await resolveStaff(deps, request, p, orgId, request.body);
      return book(request, {
        ...booking(request.body, staffId),
        customer_id: task.customer_id,
        task_id: taskId,
        org_id: orgId,
      });
    },
  );

  r.patch(
    '/api/appointments/:id',
    {
      config: { permission: 'field:write' },
      schema: {
        summary:
          'Close an appointment: DONE, CANCELLED or NO_SHOW (409 APPOINTMENT_CLOSED when already closed)',
        tags: ['appointments'],
        params: idParams,
        body: appointmentPatch,
        response: { 200: appointmentDetail, ...errorResponses },
      },
    },
    async (request) => {
      const appointmentId = request.params.id;
      await requireField(deps, request, 'appointment', appointmentId);
      await fieldWrite(
        deps,
        request,
        {
          action: 'APPOINTMENT',
          subject: 'appointment',
          recheck: { kind: 'appointment', id: appointmentId },
        },
        async (tx, w) => ({
          id: appointmentId,
          op: request.body.status,
          fields: await setAppointmentStatus(tx, appointmentId, request.body, w),
        }),
      );
      const row = await getAppointment(db, appointmentId);
      if (!row) throw new NotFound('no such appointment in your scope');
      return row;
    },
  );
}
