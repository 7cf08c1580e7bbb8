// The cascade's pure logic (docs/targets.md "Cascade"): the user's edits of the children's targets,
// checked in the KPI's unit (whole things for COUNT, fen for YUAN) with exact decimals — a target is
// never a float. The sum of the children must equal the parent's target; the difference is shown.

export type Unit = 'COUNT' | 'YUAN';

const placesOf = (unit: Unit) => (unit === 'COUNT' ? 0 : 2);

/** A decimal text as integer units of `places` decimals, or null when it is not one (or has more). */
export function toUnits(text: string, places: number): bigint | null {
  const t = text.trim().replace(/,/g, '');
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(t);
  if (!m) return null;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > places) return null;
  const units = BigInt(`${m[2]}${frac.padEnd(places, '0')}`);
  return m[1] ? -units : units;
}

/** Integer units back to decimal text: 123456n, 2 → "1234.56". */
export function fromUnits(units: bigint, places: number): string {
  const neg = units < 0n;
  const s = (neg ? -units : units).toString().padStart(places + 1, '0');
  const body = places ? `${s.slice(0, -places)}.${s.slice(-places)}` : s;
  return neg ? `-${body}` : body;
}

export interface SplitRow {
  scope_id: string;
  name: string | null;
  measure: string;
  /** The proportional share the server computed. */
  target: string;
}

export interface EditCheck {
  /** Per child: its problem in words, if any ('' when fine). */
  problems: Record<string, 'notNumber' | 'negative' | 'tooPrecise' | ''>;
  /** Σ children as decimal text (only when every value is valid). */
  sum: string | null;
  /** Σ children − parent (0 when they balance), as decimal text. */
  difference: string | null;
  balanced: boolean;
  /** The children whose value differs from the proportional share. */
  edited: string[];
}

/** Check the edited values (scope_id → text) against the parent's target. */
export function checkEdits(
  parent: string,
  unit: Unit,
  rows: SplitRow[],
  values: Record<string, string>,
): EditCheck {
  const places = placesOf(unit);
  const problems: EditCheck['problems'] = {};
  let sum = 0n;
  let valid = true;
  const edited: string[] = [];
  for (const r of rows) {
    const text = values[r.scope_id] ?? r.target;
    const any = toUnits(text, 20);
    const u = toUnits(text, places);
    if (any === null) problems[r.scope_id] = 'notNumber';
    else if (any < 0n) problems[r.scope_id] = 'negative';
    else if (u === null) problems[r.scope_id] = 'tooPrecise';
    else problems[r.scope_id] = '';
    if (problems[r.scope_id] || u === null) {
      valid = false;
      continue;
    }
    sum += u;
    if (u !== toUnits(r.target, places)) edited.push(r.scope_id);
  }
  const p = toUnits(parent, places) ?? 0n;
  if (!valid) return { problems, sum: null, difference: null, balanced: false, edited };
  return {
    problems,
    sum: fromUnits(sum, places),
    difference: fromUnits(sum - p, places),
    balanced: sum === p,
    edited,
  };
}

/** The body of POST /api/targets/split: every child's value, normalised to the KPI's unit. */
export function editedTargets(unit: Unit, rows: SplitRow[], values: Record<string, string>) {
  const places = placesOf(unit);
  return rows.map((r) => {
    const u = toUnits(values[r.scope_id] ?? r.target, places);
    return {
      scope_id: r.scope_id,
      target: u === null ? (values[r.scope_id] ?? r.target) : fromUnits(u, places),
    };
  });
}

export interface TargetListRow {
  season_start: string;
  kpi: string;
  scope_kind: string;
  scope_id: string;
  scope_name: string | null;
  period: string;
  period_start: string;
  period_end: string;
  target: string;
  source: string;
  source_ref: string | null;
  loaded_at: string;
}
