// The point of service (PLAYBOOK.md "Prompts at the point of service", X2): the lookups through which
// lobby and counter staff (scope WALK_IN) see walk-in customers — and nothing else does:
//   GET  /api/pos/counter?name=&bic=&account=&country=   the counter prompt for a remittance being keyed
//   POST /api/pos/pad  {customerId} | {idNo}              the PAD / lobby lookup: masked card, open leads,
//                                                          product matches (every lookup audited by pad.ts)
//   POST /api/customers/:id/reveal {field, reason}        MISSION X5: one unmasked field of a customer in
//                                                          the user's scope (pii:reveal), audited (REVEAL)
//                                                          in the same transaction as the read
// The counter answers from memory (src/leads/counterPrompt.ts) and the PAD matches ID numbers by an
// HMAC index (src/leads/pad.ts); both are built once per app, lazily at the first request, and built
// again only after a newer load has been applied (new institutions, new customers). An ID number
// travels in a POST body, never in a URL (URLs end up in proxies' logs).

import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withAudit } from '../../audit/log.js';
import type { Db } from '../../db/types.js';
import { mask } from '../../domain/masking.js';
import {
  CounterInputError,
  CounterPrompt,
  MAX_FIELD_LENGTH,
  TUITION_ACTIVITY,
  tuitionActivity,
} from '../../leads/counterPrompt.js';
import { PadLookup, PadLookupError } from '../../leads/pad.js';
import type { RouteDeps } from '../app.js';
import { onDataChanged } from '../changes.js';
import { BadRequest, errorResponses, Forbidden, HttpError, NotFound, Refused } from '../errors.js';
import { auditDenied, principalOf } from '../plugins/auth.js';
import { isPublished } from '../published.js';
import type { Principal } from '../roles.js';
import { customerVisible, SqlParams } from '../scope.js';

/** The environment variable holding the server secret of the ID-number HMAC (as `wangji pad`). */
export const ID_SECRET_ENV = 'WANGJI_ID_SECRET';

/** A part of the service is not set up here (the ID-number secret, the tuition activity). */
export class Unavailable extends HttpError {
  constructor(message: string) {
    super(503, 'UNAVAILABLE', message);
  }
}

/** The latest applied load: a lookup built before it may miss what it brought. */
async function loadMark(db: Db): Promise<string> {
  const [row] = await db.query<{ id: number | null }>(
    `SELECT max(load_id) AS id FROM loads WHERE status = 'APPLIED'`,
  );
  return String(row?.id ?? '');
}

/** How long the latest load's id is reused before it is read again (the counter asks on every request). */
export const LOAD_MARK_MS = 1_000;

/**
 * loadMark, read at most once per LOAD_MARK_MS: a load finished in this server is seen at once
 * (`forget`, on dataChanged), one applied by another process (PostgreSQL) within LOAD_MARK_MS.
 */
function recentLoadMark(db: Db): { get: () => Promise<string>; forget: () => void } {
  let kept: { at: number; mark: Promise<string> } | null = null;
  const forget = () => {
    kept = null;
  };
  const get = () => {
    const t = performance.now();
    if (!kept || t - kept.at >= LOAD_MARK_MS) {
      const entry = { at: t, mark: loadMark(db) };
      kept = entry;
      entry.mark.catch(() => {
        if (kept === entry) kept = null;
      });
    }
    return kept.mark;
  };
  return { get, forget };
}

/** One value built lazily and shared by concurrent requests, rebuilt when its key changes. */
class Lazy<T> {
  private entry: { key: string; value: Promise<T> } | null = null;
  constructor(private readonly build: (key: string) => Promise<T>) {}
  get(key: string): Promise<T> {
    if (this.entry?.key !== key) {
      const value = this.build(key);
      const entry = { key, value };
      this.entry = entry;
      // A failed build is not kept: the next request tries again.
      value.catch(() => {
        if (this.entry === entry) this.entry = null;
      });
    }
    return this.entry.value;
  }
}

const counterMatch = z.object({
  institutionId: z.string(),
  institutionName: z.string(),
  country: z.string().nullable(),
  kind: z.enum(['EXACT_BIC', 'EXACT_NAME', 'PROBABLE']),
  score: z.number(),
});

const counterAnswer = z.object({
  supported: z.boolean().describe('an exact match to an institution supporting tuition payments'),
  match: counterMatch.nullable(),
  offer: z
    .object({
      activityId: z.string(),
      productCode: z.string(),
      text: z.object({ zh: z.string(), en: z.string() }),
    })
    .nullable(),
});

const padAnswer = z.object({
  customer: z.object({
    customer_id: z.string(),
    name: z.string().nullable().describe('masked'),
    phone: z.string().nullable().describe('masked'),
    age: z.number().nullable(),
    home_org_id: z.string(),
  }),
  leads: z.array(
    z.object({
      lead_id: z.number(),
      activity_id: z.string(),
      activity_name: z.string(),
      product_code: z.string().nullable(),
      product_name: z.string().nullable(),
      reason: z.string(),
      channel: z.string().nullable(),
      status: z.string(),
    }),
  ),
  matches: z.array(
    z.object({
      product_code: z.string(),
      product_name: z.string(),
      score: z.string().describe('exact decimal'),
      reason: z.string(),
    }),
  ),
});

const field = z.string().max(MAX_FIELD_LENGTH).optional();

export function posRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db, config } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const mark = recentLoadMark(db);
  onDataChanged(app, mark.forget);

  const counter = new Lazy(async () => {
    const activity = config.activities.find((a) => a.id === TUITION_ACTIVITY);
    if (!activity)
      throw new Unavailable(
        `the season has no ${TUITION_ACTIVITY} activity: the counter has nothing to offer`,
      );
    return CounterPrompt.open(db, tuitionActivity(config));
  });
  // Without the secret only lookups by customer id are possible: the index is then built under a
  // throwaway secret no ID number is ever hashed with.
  const throwaway = randomBytes(32).toString('hex');
  const pads = new Lazy(async (key: string) => {
    const secret = key.slice(key.indexOf('|') + 1);
    return PadLookup.open(db, config, secret || throwaway);
  });

  r.get(
    '/api/pos/counter',
    {
      config: { permission: 'pos:counter' },
      schema: {
        summary: 'The counter prompt: does a remittance go to a supported institution, and what to offer',
        description:
          'Answered from memory (no customer data is read or shown). Give at least one of the fields, ' +
          `each at most ${MAX_FIELD_LENGTH} characters.`,
        tags: ['point of service'],
        querystring: z.object({
          name: field.describe('the beneficiary name as keyed'),
          bic: field.describe('the beneficiary bank’s SWIFT BIC'),
          account: field.describe('the beneficiary account'),
          country: field.describe('the beneficiary country (ISO code)'),
        }),
        response: { 200: counterAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const prompt = await counter.get(await mark.get());
      try {
        return prompt.prompt({ beneficiaryName: q.name, bic: q.bic, account: q.account, country: q.country });
      } catch (e) {
        if (e instanceof CounterInputError)
          throw new BadRequest(e.message, [
            { field: 'querystring', message: 'give the beneficiary name, BIC, account or country' },
          ]);
        throw e;
      }
    },
  );

  r.post(
    '/api/pos/pad',
    {
      config: { permission: 'pos:pad' },
      schema: {
        summary: 'The PAD / lobby lookup of a walk-in customer by customer id or scanned ID number',
        description:
          'Masked personal data only; every lookup, refused or not, is audited (PAD_LOOKUP). Only staff ' +
          'who are lobby or counter staff in the staff extract may look up. A lookup by ID number needs ' +
          `the server's ${ID_SECRET_ENV} (503 without it).`,
        tags: ['point of service'],
        querystring: z.object({ lang: z.enum(['zh', 'en']).default('zh') }),
        body: z
          .object({
            customerId: z.string().min(1).max(64).optional(),
            idNo: z.string().min(1).max(32).optional(),
          })
          .refine((b) => !b.customerId !== !b.idNo, { message: 'give either customerId or idNo' })
          .describe('exactly one of customerId and idNo'),
        response: { 200: padAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      if (!p.staffId)
        throw new Refused(
          'NOT_STAFF',
          'a lookup is made by the staff member serving the customer: this user is not a staff member',
        );
      const { customerId, idNo } = request.body;
      const secret = process.env[ID_SECRET_ENV];
      if (idNo !== undefined && !secret)
        throw new Unavailable(
          `lookups by ID number are not set up on this server (${ID_SECRET_ENV} is not set): look up by customer id`,
        );
      const pad = await pads.get(`${await mark.get()}|${secret ?? ''}`).catch((e: unknown) => {
        if (e instanceof PadLookupError) throw new Unavailable(`the PAD lookup is not set up: ${e.message}`);
        throw e;
      });
      const answer = await pad
        .lookup(idNo !== undefined ? { idNo } : { customerId }, { staffId: p.staffId }, request.query.lang)
        .catch((e: unknown) => {
          if (e instanceof PadLookupError) throw new Forbidden(e.message);
          throw e;
        });
      if (!answer) throw new NotFound('no such customer');
      return answer;
    },
  );

  revealRoutes(app, deps);
}

export const REVEAL_FIELDS = ['name', 'id_no', 'phone'] as const;

/** The scope condition on customers `c`; nothing is visible to a subtree before org_closure is published. */
async function customersInScope(db: Db, p: Principal, params: SqlParams): Promise<string> {
  if (p.scope === 'SUBTREE' && !(await isPublished(db, 'org_closure'))) return '(1 = 0)';
  return customerVisible(p, params);
}

/**
 * A reason as the audit log keeps it: digit runs that could be an ID number, a phone or an account
 * typed into it are masked (the audit log holds no personal data beyond masked forms).
 */
export function auditableReason(reason: string): string {
  return reason
    .trim()
    .replace(/[0-9]{7,}[0-9Xx]?/g, (m) => mask(m.length >= 15 ? 'id_no' : 'phone', m) ?? '');
}

/** Registered by posRoutes. */
function revealRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/customers/:id/reveal',
    {
      config: { permission: 'pii:reveal' },
      schema: {
        summary: 'Reveal one unmasked field of a customer in your scope, with a reason (audited)',
        description:
          'Answers the unmasked value of one field. The reveal is recorded in the audit log (action ' +
          'REVEAL: who, the customer, the field, the reason, when) in the same transaction as the read. ' +
          'A customer outside your scope answers 404, as a missing one does.',
        tags: ['customers'],
        params: z.object({ id: z.string().min(1).max(64) }),
        body: z.object({
          field: z.enum(REVEAL_FIELDS),
          reason: z.string().trim().min(5).max(500).describe('why the unmasked value is needed'),
        }),
        response: {
          200: z.object({
            customer_id: z.string(),
            field: z.enum(REVEAL_FIELDS),
            value: z.string().nullable().describe('unmasked'),
            revealed_at: z.string().describe('ISO-8601 UTC; the audit entry’s time'),
            audit_seq: z.number().describe('the audit log entry recording this reveal'),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const id = request.params.id;
      const { field, reason } = request.body;
      // The column comes from the enum above, never from input as typed.
      const column = { name: 'c.name', id_no: 'c.id_no', phone: 'c.phone' }[field];
      const revealed = await withAudit(db, async (tx, audit) => {
        const params = new SqlParams([id]);
        const visible = await customersInScope(tx, p, params);
        const [row] = await tx.query<{ value: string | null }>(
          `SELECT ${column} AS value FROM customers c WHERE c.customer_id = $1 AND ${visible}`,
          params.values,
        );
        if (!row) return null;
        const entry = await audit({
          actor: p.username,
          action: 'REVEAL',
          subject: `customer:${id}`,
          detail: { field, reason: auditableReason(reason), role: p.role, staffId: p.staffId },
        });
        return { value: row.value === null ? null : String(row.value), entry };
      });
      if (!revealed) {
        const [exists] = await db.query('SELECT customer_id FROM customers WHERE customer_id = $1', [id]);
        if (exists) await auditDenied(db, request, `reveal of customer ${id} outside the scope`);
        throw new NotFound('no such customer in your scope');
      }
      return {
        customer_id: id,
        field,
        value: revealed.value,
        revealed_at: revealed.entry.loggedAt,
        audit_seq: revealed.entry.seq,
      };
    },
  );
}
