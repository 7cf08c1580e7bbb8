// Targets (任务到个人, docs/targets.md) over the API, limited to the user's scope:
//   GET  /api/targets   the season's targets of orgs and staff in scope (src/kpis/targets.ts listTargets)
//   POST /api/targets   load a target file sent as the body: text/csv (UTF-8 or GBK) or an .xlsx
//                       workbook, at most 5 MB. Every row's org or staff member must be in scope (a
//                       branch manager sets its subtree's targets only): a row outside refuses the
//                       whole file (403, the rows named). A file with problems → 400 with the
//                       validation report (each problem names its row and column), nothing loaded.
//                       Loaded: the counts; the load and its audit row (TARGETS_LOAD) commit together.
//   GET  /api/targets/split  preview the cascade of an org's target down to its child orgs (or an
//                       outlet's staff) in proportion to customers / equally / last season
//                       (src/kpis/targets.ts splitTarget, largest remainder): computed in a transaction
//                       that is rolled back, so nothing is written. The org must be in scope (else 404).
//   POST /api/targets/split  the same split written (source SPLIT), optionally with the user's edits of
//                       the children's targets: the same children, each a valid target for the KPI,
//                       summing exactly to the parent's target (else 400, nothing written); the split
//                       and its audit row (TARGETS_SPLIT) commit together.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withAudit } from '../../audit/log.js';
import type { Db } from '../../db/types.js';
import { bankDate } from '../../domain/bankTime.js';
import { fromUnits, toUnits } from '../../domain/money.js';
import { isKpiId, KPIS } from '../../kpis/catalogue.js';
import { PeriodError } from '../../kpis/periods.js';
import { readTargetFile } from '../../kpis/targetFile.js';
import {
  listTargets,
  loadTargets,
  parseTargetValue,
  type SeasonRef,
  SPLIT_MEASURES,
  type SplitTargetResult,
  splitTarget,
  TargetError,
  TargetFileError,
} from '../../kpis/targets.js';
import type { RouteDeps } from '../app.js';
import { BadRequest, errorBody, errorResponses, HttpError, maskTyped } from '../errors.js';
import { inSet, requireOrg, scopeSets } from '../orgScope.js';
import { auditDenied, principalOf } from '../plugins/auth.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The largest target file accepted. */
export const TARGET_FILE_LIMIT = 5 * 1024 * 1024;

/** A target file refused: the problems, each naming its row and column (at most 50; `total` counts all). */
const fileReport = errorBody.extend({
  problems: z.array(z.string()).optional(),
  total: z.number().optional(),
});

class FileRefused extends HttpError {
  constructor(
    status: 400 | 403,
    code: string,
    message: string,
    readonly problems: string[],
    readonly total = problems.length,
  ) {
    super(status, code, message);
  }
}

const targetRow = z.object({
  season_start: z.string(),
  kpi: z.string(),
  scope_kind: z.string(),
  scope_id: z.string(),
  scope_name: z.string().nullable(),
  period: z.string(),
  period_start: z.string(),
  period_end: z.string(),
  target: z.string().describe('exact decimal'),
  source: z.string(),
  source_ref: z.string().nullable(),
  loaded_at: z.string(),
});

const seasonQuery = z.coerce
  .number()
  .int()
  .min(2000)
  .max(2100)
  .optional()
  .describe('the season’s start year (default: the season of the latest published run, else today’s)');

async function seasonOf(db: Db, now: () => Date, season: number | undefined): Promise<SeasonRef> {
  if (season !== undefined) return season;
  const [r] = await db.query<{ as_of: string | null }>(
    "SELECT max(as_of) AS as_of FROM runs WHERE status = 'PUBLISHED'",
  );
  return r?.as_of ?? bankDate(now());
}

/**
 * The target routes, in a plugin of their own: the CSV and workbook body parsers below are for the
 * target file only (fastify scopes a content-type parser to the plugin that adds it), so no other
 * route accepts a 5 MB text/csv body.
 */
export function targetRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.register(async (scoped) => registerTargetRoutes(scoped, deps));
}

function registerTargetRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db, config, now } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  // The file's bytes as sent: a CSV may be UTF-8 or GBK (Excel's default on Chinese Windows), and the
  // loader tells which — decoding it here as UTF-8 would garble GBK before the loader sees it.
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'buffer', bodyLimit: TARGET_FILE_LIMIT },
    (_req, body, done) => done(null, body),
  );
  app.addContentTypeParser(
    XLSX_TYPE,
    { parseAs: 'buffer', bodyLimit: TARGET_FILE_LIMIT },
    (_req, body, done) => done(null, body),
  );

  // The refusal of a file carries its report; other errors go to the app's handler.
  const sendRefusal = (e: unknown) => {
    if (e instanceof TargetFileError)
      return new FileRefused(400, 'TARGET_FILE', e.summary, e.errors, e.total);
    // A period the season cannot resolve (?period=MONTH) is the caller's mistake, in words: not a 500.
    if (e instanceof TargetError || e instanceof PeriodError) return new BadRequest(e.message);
    return e;
  };

  r.get(
    '/api/targets',
    {
      config: { permission: 'targets:read' },
      schema: {
        summary: 'The season’s targets of the orgs and staff in your scope',
        tags: ['targets'],
        querystring: z.object({ kpi: z.string().min(1).max(64).optional(), season: seasonQuery }),
        response: {
          200: z.object({ season: z.string(), targets: z.array(targetRow) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const season = await seasonOf(db, now, request.query.season);
      const sets = await scopeSets(deps, p);
      let rows: Awaited<ReturnType<typeof listTargets>>;
      try {
        rows = await listTargets(db, { season, config, kpi: request.query.kpi });
      } catch (e) {
        throw sendRefusal(e);
      }
      const targets = rows
        .filter((t) => inSet(t.scope_kind === 'STAFF' ? sets.staff : sets.orgs, t.scope_id))
        .map((t) => ({
          ...t,
          season_start: String(t.season_start),
          loaded_at: String(t.loaded_at),
          target: String(t.target),
        }));
      return { season: String(typeof season === 'object' ? season.label : season), targets };
    },
  );

  r.post(
    '/api/targets',
    {
      config: { permission: 'targets:write' },
      bodyLimit: TARGET_FILE_LIMIT,
      schema: {
        summary: 'Load a target file (text/csv or an .xlsx workbook, ≤ 5 MB): all rows or none',
        tags: ['targets'],
        querystring: z.object({ season: seasonQuery }),
        body: z.unknown().describe(`the file as the body: Content-Type text/csv, or ${XLSX_TYPE}`),
        response: {
          200: z.object({
            season: z.string(),
            season_start: z.string(),
            format: z.enum(['csv', 'xlsx']),
            encoding: z.string().optional(),
            ignored_columns: z.array(z.string()),
            rows: z.number(),
            inserted: z.number(),
            replaced: z.number(),
            unchanged: z.number(),
          }),
          ...errorResponses,
          400: fileReport,
          403: fileReport,
        },
      },
    },
    async (request, reply) => {
      try {
        return await load(request.body, request.query.season, request);
      } catch (e) {
        if (!(e instanceof FileRefused)) throw e;
        return reply.code(e.status as 400 | 403).send({
          error: { code: e.code, message: maskTyped(e.message) },
          problems: e.problems.map(maskTyped),
          total: e.total,
        });
      }
    },
  );

  const splitQuery = z.object({
    kpi: z.string().min(1).max(64),
    period: z.string().min(1).max(64).describe('SEASON, a phase, Q1–Q4 or YYYY-MM-DD..YYYY-MM-DD'),
    from: z.string().min(1).max(64).describe('the parent org (in your scope)'),
    by: z.enum(SPLIT_MEASURES).default('CUSTOMERS'),
    toStaff: z
      .union([z.boolean(), z.enum(['true', 'false'])])
      .optional()
      .transform((v) => v === true || v === 'true')
      .describe('split over the org’s staff (always so for an outlet)'),
  });
  const splitAnswer = z.object({
    season: z.string(),
    season_start: z.string(),
    kpi: z.string(),
    unit: z.enum(['COUNT', 'YUAN']),
    period: z.object({ label: z.string(), start: z.string(), end: z.string() }),
    from: z.string(),
    from_name: z.string().nullable(),
    parent_target: z.string(),
    parent_source: z.enum(['TARGETS', 'SEASON_FILE']),
    by: z.enum(SPLIT_MEASURES),
    basis_as_of: z.string().optional(),
    source_ref: z.string(),
    rows: z.array(
      z.object({
        scope_kind: z.enum(['ORG', 'STAFF']),
        scope_id: z.string(),
        name: z.string().nullable(),
        measure: z.string(),
        target: z.string(),
        edited: z.boolean(),
      }),
    ),
    notes: z.array(z.string()),
  });
  /** Thrown inside the preview's transaction so that it rolls back with the split in hand. */
  class Preview {
    constructor(readonly result: SplitTargetResult) {}
  }
  const asOfNow = async () => String(await seasonOf(db, now, undefined));
  const answer = (res: SplitTargetResult, edited: Set<string> = new Set()) => ({
    ...res,
    season_start: String(res.season_start),
    unit: KPIS[res.kpi].unit,
    rows: res.rows.map((row) => ({ ...row, edited: edited.has(row.scope_id) })),
  });

  r.get(
    '/api/targets/split',
    {
      config: { permission: 'targets:read' },
      schema: {
        summary: 'Preview the cascade of an org’s target to its children (nothing is written)',
        tags: ['targets'],
        querystring: splitQuery,
        response: { 200: splitAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const org = await requireOrg(deps, request, q.from);
      const asOf = await asOfNow();
      try {
        await db.transaction(async (tx) => {
          const res = await splitTarget(tx, {
            kpi: q.kpi,
            period: q.period,
            from: org.org_id,
            by: q.by,
            toStaff: q.toStaff,
            asOf,
            config,
            loadedAt: now(),
            inTransaction: true,
          });
          throw new Preview(res);
        });
      } catch (e) {
        if (e instanceof Preview) return answer(e.result);
        throw sendRefusal(e);
      }
      throw new Error('the preview did not answer');
    },
  );

  r.post(
    '/api/targets/split',
    {
      config: { permission: 'targets:write' },
      schema: {
        summary: 'Cascade an org’s target to its children, with your edits (summing to the parent’s)',
        tags: ['targets'],
        body: splitQuery.extend({
          targets: z
            .array(z.object({ scope_id: z.string().min(1).max(64), target: z.string().min(1).max(40) }))
            .max(5000)
            .optional()
            .describe('every child’s target as edited (exact decimals); omitted: the proportional split'),
        }),
        response: { 200: splitAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const b = request.body;
      const org = await requireOrg(deps, request, b.from);
      const asOf = await asOfNow();
      const { res, edited } = await withAudit(db, async (tx, audit) => {
        const res = await splitTarget(tx, {
          kpi: b.kpi,
          period: b.period,
          from: org.org_id,
          by: b.by,
          toStaff: b.toStaff,
          asOf,
          config,
          loadedAt: now(),
          inTransaction: true,
        });
        const edited = new Set<string>();
        if (b.targets) {
          const kpi = res.kpi;
          if (!isKpiId(kpi)) throw new TargetError(`unknown KPI ${kpi}`);
          const given = new Map<string, string>();
          const problems: string[] = [];
          for (const t of b.targets) {
            if (given.has(t.scope_id)) problems.push(`${t.scope_id}: given twice`);
            const v = parseTargetValue(t.target, kpi);
            if ('error' in v) problems.push(`${t.scope_id}: ${v.error}`);
            else given.set(t.scope_id, v.value);
          }
          const children = new Set(res.rows.map((row) => row.scope_id));
          for (const id of given.keys())
            if (!children.has(id)) problems.push(`${id}: not a child of ${res.from} in this split`);
          for (const id of children) if (!given.has(id)) problems.push(`${id}: no target given`);
          if (problems.length) throw new TargetError(problems.join('; '));
          const sum = [...given.values()].reduce((a, v) => a + toUnits(v, 2), 0n);
          const parent = toUnits(res.parent_target, 2);
          if (sum !== parent)
            throw new TargetError(
              `the children's targets sum to ${fromUnits(sum, 2)}, not the parent's ${fromUnits(parent, 2)} (difference ${fromUnits(sum - parent, 2)}): make them sum to the parent's target`,
            );
          const sourceRef = `${res.source_ref}, edited by ${p.username}`;
          for (const row of res.rows) {
            const value = given.get(row.scope_id) as string;
            if (toUnits(value, 2) === toUnits(row.target, 2)) continue;
            await tx.execute(
              `UPDATE targets SET target = CAST($1 AS DECIMAL(20,2)), source_ref = $2
                WHERE season_start = CAST($3 AS DATE) AND kpi = $4 AND scope_kind = $5 AND scope_id = $6
                  AND period_start = CAST($7 AS DATE) AND period_end = CAST($8 AS DATE)`,
              [
                value,
                sourceRef,
                res.season_start,
                kpi,
                row.scope_kind,
                row.scope_id,
                res.period.start,
                res.period.end,
              ],
            );
            const places = KPIS[kpi].unit === 'COUNT' ? 0 : 2;
            row.target = fromUnits(toUnits(value, places), places);
            edited.add(row.scope_id);
          }
        }
        await audit({
          actor: p.username,
          action: 'TARGETS_SPLIT',
          subject: `org:${res.from}`,
          detail: {
            kpi: res.kpi,
            period: res.period.label,
            by: res.by,
            rows: res.rows.length,
            edited: edited.size,
            parent_target: res.parent_target,
          },
        });
        return { res, edited };
      }).catch((e: unknown) => {
        throw sendRefusal(e);
      });
      return answer(res, edited);
    },
  );

  async function load(body: unknown, seasonYear: number | undefined, request: FastifyRequest) {
    const p = principalOf(request);
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    const format = type === 'text/csv' ? 'csv' : type === XLSX_TYPE ? 'xlsx' : null;
    if (!format || !Buffer.isBuffer(body))
      throw new BadRequest(`send the file as the body, with Content-Type text/csv or ${XLSX_TYPE}`);
    const season = await seasonOf(db, now, seasonYear);
    const dir = await mkdtemp(join(tmpdir(), 'wangji-targets-'));
    try {
      const file = join(dir, `targets.${format}`);
      await writeFile(file, body);
      // Scope first: a row naming an org or staff member outside the scope refuses the whole file.
      // Missing and out-of-scope ids get the same words, so the refusal tells nothing of the rest.
      const sets = await scopeSets(deps, p);
      if (sets.orgs !== null) {
        let parsed: Awaited<ReturnType<typeof readTargetFile>>;
        try {
          parsed = await readTargetFile(file);
        } catch (e) {
          throw sendRefusal(e);
        }
        const outside: string[] = [];
        for (const { row, cells } of parsed.rows) {
          if (cells.org_id && !inSet(sets.orgs, cells.org_id))
            outside.push(`row ${row}, column org_id: "${cells.org_id}" is not an org in your scope`);
          if (cells.staff_id && !inSet(sets.staff, cells.staff_id))
            outside.push(
              `row ${row}, column staff_id: "${cells.staff_id}" is not a staff member in your scope`,
            );
        }
        if (outside.length) {
          await auditDenied(db, request, `target file: ${outside.length} row(s) outside the scope`);
          throw new FileRefused(
            403,
            'OUT_OF_SCOPE',
            `targets.${format}: ${outside.length === 1 ? 'one row names' : `${outside.length} rows name`} an org or staff member outside your scope, nothing loaded`,
            outside.slice(0, 50),
            outside.length,
          );
        }
      }
      const loaded = await withAudit(db, async (tx, audit) => {
        const res = await loadTargets(tx, { file, config, season, loadedAt: now(), inTransaction: true });
        await audit({
          actor: p.username,
          action: 'TARGETS_LOAD',
          subject: `season:${res.season_start}`,
          detail: {
            format: res.format,
            rows: res.rows,
            inserted: res.inserted,
            replaced: res.replaced,
            unchanged: res.unchanged,
          },
        });
        return res;
      }).catch((e: unknown) => {
        throw sendRefusal(e);
      });
      const { file: _file, ...counts } = loaded;
      return { ...counts, season_start: String(counts.season_start) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
