// Field operations, the tables (P7, P6, B2, P8) over src/field/, limited to the user's scope
// (src/server/fieldScope.ts), every write audited in its transaction:
//   GET  /api/field/assistance-actions              the extract's rows in scope with their progress
//   GET  /api/field/assistance-actions/:id          … and the progress history
//   POST /api/field/assistance-actions/:id/progress record progress              FIELD_PROGRESS
//   GET  /api/field/benefit-programs                programs covering orgs in scope, with progress
//   GET  /api/field/benefit-programs/:id            … and the progress history of orgs in scope
//   POST /api/field/benefit-programs/:id/progress   record your org's figures     FIELD_PROGRESS
//   GET/POST  /api/field/service-plans, GET/PATCH /:id      per-employer plans   FIELD_SERVICE_PLAN
//   GET/POST  /api/field/tuition-partners, GET/PATCH /:id   B2 partners          FIELD_TUITION_PARTNER
//   GET  /api/field/pension-days?org=&month=        the outlets' pension pay-day calendar

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bankDate } from '../../domain/bankTime.js';
import {
  assistanceDetail,
  assistanceProgressInput,
  assistanceView,
  getAssistanceAction,
  listAssistanceActions,
  PROGRESS_STATUSES,
  recordAssistanceProgress,
} from '../../field/assistance.js';
import {
  type BenefitScope,
  benefitDetail,
  benefitHistory,
  benefitProgressInput,
  benefitView,
  getBenefitProgram,
  listBenefitPrograms,
  recordBenefitProgress,
} from '../../field/benefits.js';
import { FieldRefused } from '../../field/common.js';
import { id, numericId } from '../../field/inputs.js';
import { outletCalendar, pensionCalendars } from '../../field/pensionDays.js';
import {
  createPlan,
  getPlan,
  listPlans,
  PLAN_STATUSES,
  planCreate,
  planDetail,
  planPatch,
  planView,
  updatePlan,
} from '../../field/servicePlans.js';
import {
  createPartner,
  getPartner,
  listPartners,
  PARTNER_KINDS,
  PARTNER_STATUSES,
  partnerCreate,
  partnerDetail,
  partnerPatch,
  partnerView,
  updatePartner,
} from '../../field/tuitionPartners.js';
import { coversDivision } from '../../leads/suitability.js';
import type { RouteDeps } from '../app.js';
import { BadRequest, errorResponses, NotFound } from '../errors.js';
import {
  fieldHttp,
  fieldVisible,
  fieldWrite,
  listScope,
  requireEmployer,
  requireField,
  requireStaff,
  writeOrg,
} from '../fieldScope.js';
import { orgInScopeSql, requireOrg } from '../orgScope.js';
import { principalOf } from '../plugins/auth.js';
import { isPublished } from '../published.js';
import type { Principal } from '../roles.js';
import { SqlParams } from '../scope.js';

const idParams = z.object({ id: numericId });
const codeParams = z.object({ id: id });
const limit = z.coerce.number().int().min(1).max(1000).default(200);
const read = { permission: 'field:read' as const };
const write = { permission: 'field:write' as const };

function found<T>(row: T | null, what: string): T {
  if (!row) throw new NotFound(`no ${what} in your scope`);
  return row;
}

/** The scope pieces of the benefit queries, on one set of parameters. */
async function benefitScope(deps: RouteDeps, p: Principal, params: SqlParams): Promise<BenefitScope> {
  return {
    programs: await fieldVisible(deps, p, 'benefit_program', params),
    progress: await orgInScopeSql(deps, p, 'bq.org_id', params),
    customers: await orgInScopeSql(deps, p, 'cu.home_org_id', params),
  };
}

export function fieldTableRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db, now } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  // ——— assistance actions (P7) ———
  r.get(
    '/api/field/assistance-actions',
    {
      config: read,
      schema: {
        summary:
          'The assistance-action table (帮扶动作一览表): rows whose owner org is in scope, with progress',
        tags: ['field'],
        querystring: z.object({
          org: id.optional().describe('owner org'),
          status: z.enum(['PLANNED', 'DONE']).optional().describe("the extract's status"),
          progress: z
            .enum([...PROGRESS_STATUSES, 'NONE'])
            .optional()
            .describe('the latest progress status'),
          limit,
        }),
        response: { 200: z.object({ actions: z.array(assistanceView) }), ...errorResponses },
      },
    },
    async (request) => {
      const { sql, params } = await listScope(deps, request, 'assistance_action');
      const q = request.query;
      return { actions: await listAssistanceActions(db, sql, params, q, q.limit) };
    },
  );

  r.get(
    '/api/field/assistance-actions/:id',
    {
      config: read,
      schema: {
        summary: 'One assistance action with its progress history',
        tags: ['field'],
        params: codeParams,
        response: { 200: assistanceDetail, ...errorResponses },
      },
    },
    async (request) => {
      await requireField(deps, request, 'assistance_action', request.params.id);
      return found(await getAssistanceAction(db, request.params.id), 'assistance action');
    },
  );

  r.post(
    '/api/field/assistance-actions/:id/progress',
    {
      config: write,
      schema: {
        summary: 'Record progress on an assistance action (by your org, today)',
        tags: ['field'],
        params: codeParams,
        body: assistanceProgressInput,
        response: { 200: assistanceDetail, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const actionId = request.params.id;
      await requireField(deps, request, 'assistance_action', actionId);
      await fieldWrite(
        deps,
        request,
        {
          action: 'FIELD_PROGRESS',
          subject: 'assistance_progress',
          recheck: { kind: 'assistance_action', id: actionId },
        },
        async (tx, w) => ({
          id: await recordAssistanceProgress(
            tx,
            { ...request.body, action_id: actionId, org_id: p.orgId },
            w,
          ),
          op: 'CREATE',
          fields: [`action:${actionId}`],
        }),
      );
      return found(await getAssistanceAction(db, actionId), 'assistance action');
    },
  );

  // ——— benefit programs (P7) ———
  r.get(
    '/api/field/benefit-programs',
    {
      config: read,
      schema: {
        summary:
          'The benefit-policy table (惠农惠民政策一览表): programs covering orgs in scope, with progress',
        tags: ['field'],
        querystring: z.object({
          kind: z.enum(['PENSION', 'FARM_SUBSIDY', 'OTHER_SUBSIDY']).optional(),
          limit,
        }),
        response: { 200: z.object({ programs: z.array(benefitView) }), ...errorResponses },
      },
    },
    async (request) => {
      const params = new SqlParams();
      const scope = await benefitScope(deps, principalOf(request), params);
      const q = request.query;
      return { programs: await listBenefitPrograms(db, scope, params, q, q.limit) };
    },
  );

  r.get(
    '/api/field/benefit-programs/:id',
    {
      config: read,
      schema: {
        summary: 'One benefit program with the progress history of orgs in scope',
        tags: ['field'],
        params: codeParams,
        response: { 200: benefitDetail, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const programId = request.params.id;
      await requireField(deps, request, 'benefit_program', programId);
      const params = new SqlParams();
      const program = found(
        await getBenefitProgram(db, await benefitScope(deps, p, params), params, programId),
        'benefit program',
      );
      const hp = new SqlParams();
      const history = await benefitHistory(db, await orgInScopeSql(deps, p, 'bq.org_id', hp), hp, programId);
      return { ...program, history };
    },
  );

  r.post(
    '/api/field/benefit-programs/:id/progress',
    {
      config: write,
      schema: {
        summary: 'Record your org’s figures to date for a program covering its division',
        tags: ['field'],
        params: codeParams,
        body: benefitProgressInput,
        response: { 200: benefitView, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const programId = request.params.id;
      await requireField(deps, request, 'benefit_program', programId);
      const [org] = await db.query<{ division_code: string | null }>(
        'SELECT division_code FROM orgs WHERE org_id = $1',
        [p.orgId],
      );
      const [program] = await db.query<{ division_code: string | null }>(
        'SELECT division_code FROM benefit_programs WHERE program_id = $1',
        [programId],
      );
      if (!program?.division_code || !coversDivision(program.division_code, org?.division_code ?? null))
        throw fieldHttp(
          new FieldRefused(
            'NOT_COVERED',
            `program ${programId} does not cover the division of your org ${p.orgId}`,
          ),
        );
      await fieldWrite(
        deps,
        request,
        {
          action: 'FIELD_PROGRESS',
          subject: 'benefit_progress',
          recheck: { kind: 'benefit_program', id: programId },
        },
        async (tx, w) => ({
          id: await recordBenefitProgress(tx, { ...request.body, program_id: programId, org_id: p.orgId }, w),
          op: 'CREATE',
          fields: [`program:${programId}`],
        }),
      );
      const params = new SqlParams();
      return found(
        await getBenefitProgram(db, await benefitScope(deps, p, params), params, programId),
        'benefit program',
      );
    },
  );

  // ——— service plans (P6) ———
  r.get(
    '/api/field/service-plans',
    {
      config: read,
      schema: {
        summary: 'Per-employer service plans in scope',
        tags: ['field'],
        querystring: z.object({
          employer: id.optional(),
          status: z.enum(PLAN_STATUSES).optional(),
          owner: id.optional(),
          limit,
        }),
        response: { 200: z.object({ plans: z.array(planView) }), ...errorResponses },
      },
    },
    async (request) => {
      const { sql, params } = await listScope(deps, request, 'service_plan');
      const q = request.query;
      return { plans: await listPlans(db, sql, params, q, q.limit) };
    },
  );

  r.get(
    '/api/field/service-plans/:id',
    {
      config: read,
      schema: {
        summary: 'One service plan with the pain points and notes',
        tags: ['field'],
        params: idParams,
        response: { 200: planDetail, ...errorResponses },
      },
    },
    async (request) => {
      await requireField(deps, request, 'service_plan', request.params.id);
      return found(await getPlan(db, request.params.id), 'service plan');
    },
  );

  r.post(
    '/api/field/service-plans',
    {
      config: write,
      schema: {
        summary: 'Write a service plan for an employer in your scope',
        tags: ['field'],
        body: planCreate,
        response: { 200: planDetail, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const b = request.body;
      await requireEmployer(deps, request, b.employer_id);
      const owner = b.owner_staff_id ?? p.staffId;
      if (!owner)
        throw new BadRequest('name the plan’s owner', [
          { field: 'body.owner_staff_id', message: 'required: you are not staff' },
        ]);
      await requireStaff(deps, request, [owner]);
      const planId = await fieldWrite(
        deps,
        request,
        { action: 'FIELD_SERVICE_PLAN', subject: 'service_plan' },
        async (tx, w) => ({ id: await createPlan(tx, { ...b, owner_staff_id: owner }, w), op: 'CREATE' }),
      );
      return found(await getPlan(db, planId), 'service plan');
    },
  );

  r.patch(
    '/api/field/service-plans/:id',
    {
      config: write,
      schema: {
        summary: 'Change a service plan (offers, owner, status …)',
        tags: ['field'],
        params: idParams,
        body: planPatch,
        response: { 200: planDetail, ...errorResponses },
      },
    },
    async (request) => {
      const planId = request.params.id;
      await requireField(deps, request, 'service_plan', planId);
      if (request.body.owner_staff_id) await requireStaff(deps, request, [request.body.owner_staff_id]);
      await fieldWrite(
        deps,
        request,
        {
          action: 'FIELD_SERVICE_PLAN',
          subject: 'service_plan',
          recheck: { kind: 'service_plan', id: planId },
        },
        async (tx, w) => ({
          id: planId,
          op: 'UPDATE',
          fields: await updatePlan(tx, planId, request.body, w),
        }),
      );
      return found(await getPlan(db, planId), 'service plan');
    },
  );

  // ——— tuition partners (B2) ———
  r.get(
    '/api/field/tuition-partners',
    {
      config: read,
      schema: {
        summary: 'Partner institutions for cross-border tuition in scope (contacts masked)',
        tags: ['field'],
        querystring: z.object({
          org: id.optional(),
          kind: z.enum(PARTNER_KINDS).optional(),
          status: z.enum(PARTNER_STATUSES).optional(),
          limit,
        }),
        response: { 200: z.object({ partners: z.array(partnerView) }), ...errorResponses },
      },
    },
    async (request) => {
      const { sql, params } = await listScope(deps, request, 'tuition_partner');
      const q = request.query;
      return { partners: await listPartners(db, sql, params, q, q.limit) };
    },
  );

  r.get(
    '/api/field/tuition-partners/:id',
    {
      config: read,
      schema: {
        summary: 'One tuition partner',
        tags: ['field'],
        params: idParams,
        response: { 200: partnerDetail, ...errorResponses },
      },
    },
    async (request) => {
      await requireField(deps, request, 'tuition_partner', request.params.id);
      return found(await getPartner(db, request.params.id), 'tuition partner');
    },
  );

  r.post(
    '/api/field/tuition-partners',
    {
      config: write,
      schema: {
        summary: 'Add a partner institution (school, university, study-abroad agency)',
        tags: ['field'],
        body: partnerCreate,
        response: { 200: partnerDetail, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      if (b.institution_id) {
        const [inst] = await db.query('SELECT 1 AS x FROM overseas_institutions WHERE institution_id = $1', [
          b.institution_id,
        ]);
        if (!inst)
          throw new BadRequest('no such overseas institution', [
            { field: 'body.institution_id', message: 'not in the overseas institutions extract' },
          ]);
      }
      const orgId = await writeOrg(deps, request, b.org_id);
      const partnerId = await fieldWrite(
        deps,
        request,
        { action: 'FIELD_TUITION_PARTNER', subject: 'tuition_partner' },
        async (tx, w) => ({ id: await createPartner(tx, { ...b, org_id: orgId }, w), op: 'CREATE' }),
      );
      return found(await getPartner(db, partnerId), 'tuition partner');
    },
  );

  r.patch(
    '/api/field/tuition-partners/:id',
    {
      config: write,
      schema: {
        summary: 'Change a tuition partner (contact, lists received, status)',
        tags: ['field'],
        params: idParams,
        body: partnerPatch,
        response: { 200: partnerDetail, ...errorResponses },
      },
    },
    async (request) => {
      const partnerId = request.params.id;
      await requireField(deps, request, 'tuition_partner', partnerId);
      await fieldWrite(
        deps,
        request,
        {
          action: 'FIELD_TUITION_PARTNER',
          subject: 'tuition_partner',
          recheck: { kind: 'tuition_partner', id: partnerId },
        },
        async (tx, w) => ({
          id: partnerId,
          op: 'UPDATE',
          fields: await updatePartner(tx, partnerId, request.body, w),
        }),
      );
      return found(await getPartner(db, partnerId), 'tuition partner');
    },
  );

  // ——— pension pay days (P8) ———
  r.get(
    '/api/field/pension-days',
    {
      config: read,
      schema: {
        summary:
          'Pension pay-day calendar of an outlet (or of the outlets under an org in scope) for a month',
        tags: ['field'],
        querystring: z.object({
          org: id.optional().describe('default: your org'),
          month: z
            .string()
            .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM')
            .optional()
            .describe('default: this month'),
        }),
        response: {
          200: z.object({ org_id: z.string(), month: z.string(), outlets: z.array(outletCalendar) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const org = await requireOrg(deps, request, request.query.org);
      const month = request.query.month ?? bankDate(now()).slice(0, 7);
      let outlets: { org_id: string; org_name: string | null; division_code: string | null }[];
      if (org.level === 'OUTLET' || !(await isPublished(db, 'org_closure'))) {
        outlets = await db.query('SELECT org_id, org_name, division_code FROM orgs WHERE org_id = $1', [
          org.org_id,
        ]);
      } else {
        const params = new SqlParams([org.org_id]);
        const visible = await orgInScopeSql(deps, p, 'o.org_id', params);
        outlets = await db.query(
          `SELECT o.org_id, o.org_name, o.division_code FROM orgs o
             JOIN org_closure c ON c.org_id = o.org_id AND c.ancestor_id = $1
            WHERE o.level = 'OUTLET' AND ${visible} ORDER BY o.org_id`,
          params.values,
        );
      }
      return { org_id: org.org_id, month, outlets: await pensionCalendars(db, outlets, month) };
    },
  );
}
