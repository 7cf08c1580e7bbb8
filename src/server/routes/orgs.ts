// GET /api/orgs: the org tree the user may look at — the whole bank (BANK), the user's org and
// everything under it (SUBTREE), the user's own outlet (OWN) — for the top bar's org picker (UI.md
// "Frame"). Flat rows with parent ids, ordered by level then id; the client builds the tree. A parent
// outside the scope is reported as null, so the user's own org is always a root.

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.js';
import { errorResponses } from '../errors.js';
import { orgInScopeSql } from '../orgScope.js';
import { principalOf } from '../plugins/auth.js';
import { SqlParams } from '../scope.js';

const LEVEL_ORDER = `CASE o.level WHEN 'HQ' THEN 0 WHEN 'BRANCH' THEN 1 WHEN 'SUBBRANCH' THEN 2 WHEN 'OUTLET' THEN 3 ELSE 4 END`;

const orgRow = z.object({
  org_id: z.string(),
  org_name: z.string().nullable(),
  level: z.string().nullable(),
  parent_id: z.string().nullable().describe('null when the parent is outside the scope'),
});

export function orgRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/orgs',
    {
      config: { permission: 'dashboard:read' },
      schema: {
        summary: 'The orgs in your scope (flat, with parent ids) for the org picker',
        tags: ['orgs'],
        response: { 200: z.object({ root: z.string(), orgs: z.array(orgRow) }), ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const params = new SqlParams();
      const visible = await orgInScopeSql(deps, p, 'o.org_id', params);
      const rows = await deps.db.query<{
        org_id: string;
        org_name: string | null;
        level: string | null;
        parent_id: string | null;
      }>(
        `SELECT o.org_id, o.org_name, o.level, o.parent_id
           FROM orgs o WHERE ${visible}
          ORDER BY ${LEVEL_ORDER}, o.org_id`,
        params.values,
      );
      const ids = new Set(rows.map((o) => o.org_id));
      const orgs = rows.map((o) => ({
        org_id: o.org_id,
        org_name: o.org_name,
        level: o.level,
        parent_id: o.parent_id !== null && ids.has(o.parent_id) ? o.parent_id : null,
      }));
      // The user's own org when it is in view; else (HQ roles bound to HQ) the first root.
      const root = ids.has(p.orgId) ? p.orgId : (orgs.find((o) => o.parent_id === null)?.org_id ?? p.orgId);
      return { root, orgs };
    },
  );
}
