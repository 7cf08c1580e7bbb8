// Payroll employers: sizes from a heavy-tailed distribution, some government, each with a pay day and a
// salary level; some arrive during the window, a few move their payroll away (stop, or drop staff).

import { usccCheckChar } from '../domain/checkDigits.js';
import { lastCompleteMonth, monthStart } from '../domain/dates.js';
import type { Season } from './calendar.js';
import type { Cell } from './csv.js';
import type { OrgTree } from './orgs.js';
import { logNormal, Rng, weighted } from './random.js';

export type Churn = 'STOPPED' | 'DROP' | 'STOPPED_EARLY' | null;

export interface Employer {
  id: string;
  subbranch: string;
  government: boolean;
  /** Relative size: the share of payroll customers it attracts. */
  weight: number;
  payDay: number;
  /** Monthly salary level in fen. */
  salary: number;
  /** First month with payroll ('YYYY-MM-01'); null when it paid before the window. */
  startMonth: string | null;
  churn: Churn;
  /** The first month without (all of) its payroll. */
  churnMonth: string | null;
}

const INDUSTRIES: readonly (readonly [string, number])[] = [
  ['制造业', 30],
  ['批发和零售业', 15],
  ['建筑业', 10],
  ['信息技术服务业', 10],
  ['教育', 10],
  ['卫生和社会工作', 10],
  ['交通运输业', 8],
  ['金融业', 4],
  ['住宿和餐饮业', 3],
];

export function buildEmployers(seed: number, customers: number, season: Season, tree: OrgTree) {
  const n = Math.max(8, Math.round(customers / 150));
  const L = lastCompleteMonth(season.asOf);
  const seasonMonth = monthStart(season.start);
  const employers: Employer[] = [];
  const rows: Cell[][] = [];
  for (let i = 1; i <= n; i++) {
    const r = new Rng(seed, `employer:${i}`);
    const id = `E${String(i).padStart(6, '0')}`;
    const sub = tree.subbranches[r.int(0, tree.subbranches.length - 1)] as string;
    const government = r.chance(0.06);
    // Pareto-like sizes: most employers are small, a few are very large.
    const weight = government ? 4 + 20 * r.next() : 1 / (1 - r.next() * 0.985) ** 1.1;
    const x = r.next();
    const churn: Churn =
      weight < 3 ? null : x < 0.035 ? 'STOPPED' : x < 0.07 ? 'DROP' : x < 0.09 ? 'STOPPED_EARLY' : null;
    const newcomer = !churn && r.chance(0.06);
    const startMonth = newcomer
      ? monthStart(seasonMonth, r.int(0, Math.max(0, monthsBetween(seasonMonth, L))))
      : null;
    const churnMonth =
      churn === 'STOPPED' || churn === 'DROP'
        ? L
        : churn === 'STOPPED_EARLY'
          ? monthStart(L, -r.int(2, 4))
          : null;
    const industry = government ? r.pick(['政府机关', '事业单位']) : weighted(r, INDUSTRIES);
    const salary = logNormal(r, government ? 750_000 : industry === '金融业' ? 1_200_000 : 600_000, 0.35);
    employers.push({
      id,
      subbranch: sub,
      government,
      weight,
      payDay: r.pick([5, 8, 10, 15, 20, 25]),
      salary,
      startMonth,
      churn,
      churnMonth,
    });
    const division = (tree.outlets.find((o) => o.subbranch === sub)?.division ?? '110101') as string;
    const body = `${government ? '11' : '91'}${division}${r.digits(9)}`;
    const rms = tree.corporateRms.get(sub) ?? [];
    const org =
      weight > 20 || government
        ? sub
        : (r.pick(tree.outlets.filter((o) => o.subbranch === sub)).id as string);
    rows.push([
      id,
      `${government ? '' : r.pick(['华', '鑫', '恒', '盛', '荣', '泰', '丰', '源'])}${industry}${government ? '单位' : '有限公司'}${i}`,
      body + usccCheckChar(body),
      industry,
      government ? 'Y' : 'N',
      org,
      r.chance(0.02) ? 'S999001' : r.pick(rms), // a departed corporate RM now and then
      division,
    ]);
  }
  // At any size, churn alerts must be possible: the two largest private employers that neither churn nor
  // arrive in the window are made one STOPPED and one DROP when no employer was drawn to be.
  const steady = employers
    .filter((e) => !e.government && !e.churn && !e.startMonth)
    .sort((a, b) => b.weight - a.weight);
  for (const kind of ['STOPPED', 'DROP'] as const) {
    const e = employers.some((x) => x.churn === kind) ? undefined : steady.shift();
    if (e) {
      e.churn = kind;
      e.churnMonth = L;
    }
  }
  // Cumulative weights for picking an employer in proportion to its size.
  const cumulative: number[] = [];
  let total = 0;
  for (const e of employers) {
    total += e.weight;
    cumulative.push(total);
  }
  const pick = (r: Rng, government: boolean): Employer => {
    if (government) {
      const gov = employers.filter((e) => e.government);
      if (gov.length) return r.pick(gov);
    }
    const x = r.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return employers[lo] as Employer;
  };
  return { employers, rows, pick, lastComplete: L };
}

export function monthsBetween(fromFirst: string, toFirst: string): number {
  return (
    (Number(toFirst.slice(0, 4)) - Number(fromFirst.slice(0, 4))) * 12 +
    Number(toFirst.slice(5, 7)) -
    Number(fromFirst.slice(5, 7))
  );
}
