// lead_candidates: what every activity of the season running in D's phase mines (PLAYBOOK.md step 1),
// before arbitration — one row per activity and entity, with the person to contact, the suggested
// product, the reason people read (zh and en, written here from the rule's facts so that both engines
// give the same text) and the facts behind it as JSON. The rules are SQL in the season file.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from '../../../config/season.js';
import { quoteIdent } from '../../../db/dialect.js';
import { CsvWriter } from '../../../generator/csv.js';
import type { Model } from '../../models.js';
import { renderSql } from '../../templates.js';

/** The columns a rule gives beyond its facts. */
const SHAPE = ['entity_id', 'customer_id', 'entity_kind', 'product_code'];

/** 96500.5 → "96,500.50": exact, from the decimal text. */
export function formatYuan(value: string): string {
  const neg = value.startsWith('-');
  const [int = '0', frac = ''] = value.replace('-', '').split('.');
  const cents = `${frac}00`.slice(0, 2);
  const rest = frac.slice(2);
  let whole = BigInt(int) * 100n + BigInt(cents);
  if (rest && rest[0] !== undefined && rest[0] >= '5') whole += 1n;
  const y = (whole / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg && whole > 0n ? '-' : ''}${y}.${(whole % 100n).toString().padStart(2, '0')}`;
}

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
    "every running activity's mined candidates (before arbitration): activity, entity, the person to contact, the suggested product, the reason in Chinese and English, and the facts",
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
        product_code VARCHAR, reason_zh VARCHAR, reason_en VARCHAR, facts VARCHAR)`,
    );
    const running = ctx.activities.filter((a) => ctx.phase !== null && a.phases.includes(ctx.phase));
    const dir = await mkdtemp(join(tmpdir(), 'wangji-leads-'));
    try {
      const file = join(dir, 'candidates.csv');
      const columns = [
        'activity_id',
        'entity_kind',
        'entity_id',
        'customer_id',
        'product_code',
        'reason_zh',
        'reason_en',
        'facts',
      ];
      const out = new CsvWriter(file, columns, { header: false });
      for (const a of running) {
        const count = await mine(db, ctx, a, out);
        ctx.note(`${a.id}: ${count} candidates`);
      }
      out.close();
      await db.bulkLoad(target, columns, file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

async function mine(
  db: Parameters<NonNullable<Model['build']>>[0],
  ctx: Parameters<NonNullable<Model['build']>>[1],
  a: Activity,
  out: CsvWriter,
): Promise<number> {
  let sql: string;
  try {
    sql = renderSql(a.mine.trim().replace(/;\s*$/, ''), ctx, db.dialect.ratio);
  } catch (e) {
    throw new Error(`activity ${a.id}: mine: ${(e as Error).message}`);
  }
  const seen = new Set<string>();
  let n = 0;
  const rows = await db.query(`SELECT * FROM (${sql}) mined`).catch((e: Error) => {
    throw new Error(`activity ${a.id}: mine: ${e.message.split('\n')[0]}`);
  });
  for (const row of rows) {
    if (!('entity_id' in row) || !('customer_id' in row))
      throw new Error(`activity ${a.id}: mine must give the columns entity_id and customer_id`);
    const kind = String(row.entity_kind ?? a.entity);
    const key = `${kind}\u0000${row.entity_id}`;
    if (row.entity_id === null || seen.has(key)) {
      throw new Error(
        `activity ${a.id}: mine gave ${row.entity_id === null ? 'an empty entity_id' : `${kind} ${row.entity_id} twice`}`,
      );
    }
    seen.add(key);
    const facts = Object.fromEntries(Object.entries(row).filter(([k]) => !SHAPE.includes(k)));
    out.row([
      a.id,
      kind,
      String(row.entity_id),
      (row.customer_id as string | null) ?? null,
      (row.product_code as string | null | undefined) ?? a.products[0] ?? null,
      writeReason(a.id, a.reason.zh, row),
      writeReason(a.id, a.reason.en, row),
      JSON.stringify(facts),
    ]);
    n++;
  }
  return n;
}
