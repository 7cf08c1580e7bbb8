// lead_candidates: what every activity of the season running in D's phase mines (PLAYBOOK.md step 1),
// before arbitration — one row per activity and entity, with the person to contact, the rule's own
// product (when it names one) and the facts behind it as JSON. The reason people read (zh, en) is written from the facts
// by the activity's templates when it is shown (leadReason), the same on both engines. The rules are
// SQL in the season file; mining is set-based (2 M candidates at 1 M customers).

import type { Activity } from '../../../config/season.js';
import { quoteIdent, quoteString } from '../../../db/dialect.js';
import { formatMoney } from '../../../domain/money.js';
import type { Model } from '../../models.js';
import { renderSql } from '../../templates.js';

/** The columns a rule gives beyond its facts. */
const SHAPE = ['entity_id', 'customer_id', 'entity_kind', 'product_code'];

/** 96500.5 → "96,500.50": exact, from the decimal text. */
export const formatYuan = (value: string) => formatMoney(value, 2);

/**
 * Fill a reason template from a candidate's columns: {name}, {name:yuan} (96,500.00) or {name:num}
 * (84, 83.33); a part in [brackets] is
 * left out when a column it names is empty (one template serves rows of different kinds).
 */
export function writeReason(activityId: string, template: string, row: Record<string, unknown>): string {
  const fill = (part: string): string | null => {
    let empty = false;
    const text = part.replace(/\{([a-z_0-9]+)(?::(yuan|num))?\}/g, (_, name: string, format?: string) => {
      if (!(name in row))
        throw new Error(`activity ${activityId}: its reason names {${name}}, which its rule does not give`);
      const v = row[name];
      if (v === null || v === undefined) {
        empty = true;
        return '—';
      }
      if (format === 'yuan') return formatYuan(String(v));
      if (format === 'num') return formatYuan(String(v)).replace(/\.?0+$/, '');
      return String(v);
    });
    return empty ? null : text;
  };
  const whole = template.replace(/\[([^\]]*)\]/g, (_, part: string) => fill(part) ?? '');
  return fill(whole) ?? whole.replace(/\{[^}]*\}/g, '—');
}

export const leadCandidatesModel: Model = {
  name: 'lead_candidates',
  stage: 'leads',
  description:
    "every running activity's mined candidates (before arbitration): activity, entity, the person to contact, the suggested product and the facts behind it (the reason people read is written from them: leadReason)",
  reads: [
    'customer_features',
    'customer_balances',
    'customer_products',
    'segment_members',
    'county_groups',
    'employer_tiers',
    'payroll_alerts',
    'merchant_pricing',
    'remittance_matches',
    'divisions',
    'org_closure',
  ],
  key: ['activity_id', 'entity_kind', 'entity_id'],
  async build(db, ctx, target) {
    await db.exec(
      `CREATE TABLE ${quoteIdent(target)} (activity_id VARCHAR, entity_kind VARCHAR, entity_id VARCHAR, customer_id VARCHAR,
        product_code VARCHAR, facts VARCHAR)`,
    );
    const running = ctx.activities.filter((a) => ctx.phase !== null && a.phases.includes(ctx.phase));
    for (const a of running) {
      const t = Date.now();
      const count = await mine(db, ctx, a, target);
      ctx.note(`${a.id}: ${count} candidates (${((Date.now() - t) / 1000).toFixed(1)}s)`);
    }
  },
};

/**
 * One activity's rule, set-based: its rows go into a scratch table, its columns are read from the
 * catalogue, and the candidates are inserted with the facts as JSON text built in SQL — every value as
 * a JSON string (or null), so that both engines write the same text.
 */
async function mine(
  db: Parameters<NonNullable<Model['build']>>[0],
  ctx: Parameters<NonNullable<Model['build']>>[1],
  a: Activity,
  target: string,
): Promise<number> {
  let sql: string;
  try {
    sql = renderSql(a.mine.trim().replace(/;\s*$/, ''), ctx, db.dialect.ratio);
  } catch (e) {
    throw new Error(`activity ${a.id}: mine: ${(e as Error).message}`);
  }
  const scratch = `${target}__mine`;
  await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(scratch)}`);
  try {
    await db.exec(`CREATE TABLE ${quoteIdent(scratch)} AS SELECT * FROM (${sql}) mined`).catch((e: Error) => {
      throw new Error(`activity ${a.id}: mine: ${e.message.split('\n')[0]}`);
    });
    const columns = (
      await db.query<{ name: string }>(
        `SELECT column_name AS name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
        [scratch],
      )
    ).map((c) => c.name);
    for (const needed of ['entity_id', 'customer_id'])
      if (!columns.includes(needed)) throw new Error(`activity ${a.id}: mine must give the column ${needed}`);
    const facts = columns.filter((c) => !SHAPE.includes(c));
    for (const template of [a.reason.zh, a.reason.en])
      writeReason(a.id, template, Object.fromEntries(facts.map((f) => [f, '0'])));
    const json = facts.length
      ? `'{' || ${facts
          .map(
            (f) =>
              `${quoteString(`${JSON.stringify(f)}:`)} || CASE WHEN ${quoteIdent(f)} IS NULL THEN 'null' ELSE CAST(to_json(CAST(${quoteIdent(f)} AS VARCHAR)) AS VARCHAR) END`,
          )
          .join(` || ',' || `)} || '}'`
      : `'{}'`;
    const kind = columns.includes('entity_kind') ? 'entity_kind' : quoteString(a.entity);
    // The rule's own product, when it names one; else arbitration suggests the first of the
    // activity's products that is eligible and suitable for the holder.
    const product = columns.includes('product_code') ? 'product_code' : 'NULL';
    for (const f of a.propensity_features ?? [])
      if (!facts.includes(f))
        throw new Error(
          `activity ${a.id}: propensity_features names the fact ${f}, which its rule does not give`,
        );
    if (a.weight_by && !facts.includes(a.weight_by.fact))
      throw new Error(
        `activity ${a.id}: weight_by names the fact ${a.weight_by.fact}, which its rule does not give`,
      );
    const [dup] = await db.query<{ entity_id: string | null; n: number }>(
      `SELECT CAST(entity_id AS VARCHAR) AS entity_id, count(*) AS n FROM ${quoteIdent(scratch)}
        GROUP BY ${columns.includes('entity_kind') ? 'entity_kind, ' : ''}entity_id HAVING count(*) > 1 OR entity_id IS NULL LIMIT 1`,
    );
    if (dup)
      throw new Error(
        `activity ${a.id}: mine gave ${dup.entity_id === null ? 'an empty entity_id' : `${dup.entity_id} ${dup.n} times`}`,
      );
    return await db.execute(
      `INSERT INTO ${quoteIdent(target)} (activity_id, entity_kind, entity_id, customer_id, product_code, facts)
       SELECT ${quoteString(a.id)}, CAST(${kind} AS VARCHAR), CAST(entity_id AS VARCHAR), CAST(customer_id AS VARCHAR),
              CAST(${product} AS VARCHAR), ${json}
         FROM ${quoteIdent(scratch)}`,
    );
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(scratch)}`);
  }
}

/** The reason people read for a candidate, written from its facts in the activity's language. */
export function leadReason(a: Activity, factsJson: string, lang: 'zh' | 'en'): string {
  return writeReason(a.id, a.reason[lang], JSON.parse(factsJson) as Record<string, unknown>);
}
