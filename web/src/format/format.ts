// How numbers, money and dates read on screen (UI.md "Numbers"): pure functions, unit-tested.
// Money arrives as exact decimal strings; shown to the fen or in 万 / 亿 with two decimals, which a
// double carries exactly for any amount a bank has (below 2^53 fen).

export type Lang = 'zh' | 'en';
export type Decimalish = string | number | null | undefined;

export const DASH = '—';

const num = (v: Decimalish): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
};

const fixed = (n: number, digits: number) =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);

/** A count with thousands separators: 20,000. */
export function formatCount(v: Decimalish): string {
  const n = num(v);
  return n === null ? DASH : fixed(Math.round(n), 0);
}

/** Yuan to the fen with thousands separators: ¥1,234,567.89. */
export function formatYuan(v: Decimalish): string {
  const n = num(v);
  if (n === null) return DASH;
  return `${n < 0 ? '-' : ''}¥${fixed(Math.abs(n), 2)}`;
}

/** Yuan in 万元 for a column whose header names the unit (金额（万元）): 9,218.19. */
export function formatWan(v: Decimalish, digits = 2): string {
  const n = num(v);
  return n === null ? DASH : fixed(n / 1e4, digits);
}

/**
 * A large amount with its unit: ¥9,218.19万 / ¥1.96亿 in Chinese, ¥92.18M / ¥1.96B in English; below
 * ten thousand yuan, the amount itself.
 */
export function formatMoney(v: Decimalish, lang: Lang = 'zh'): string {
  const n = num(v);
  if (n === null) return DASH;
  const a = Math.abs(n);
  const sign = n < 0 ? '-' : '';
  if (lang === 'zh') {
    if (a >= 1e8) return `${sign}¥${fixed(a / 1e8, 2)}亿`;
    if (a >= 1e4) return `${sign}¥${fixed(a / 1e4, 2)}万`;
  } else {
    if (a >= 1e9) return `${sign}¥${fixed(a / 1e9, 2)}B`;
    if (a >= 1e6) return `${sign}¥${fixed(a / 1e6, 2)}M`;
    if (a >= 1e4) return `${sign}¥${fixed(a / 1e3, 1)}K`;
  }
  return `${sign}¥${fixed(a, 2)}`;
}

/** A ratio as a percentage with one decimal: 0.1234 → 12.3%. */
export function formatPercent(v: Decimalish, digits = 1): string {
  const n = num(v);
  return n === null ? DASH : `${fixed(n * 100, digits)}%`;
}

/** A difference of ratios in percentage points, signed: -0.0335 → -3.4 pp (zh: 个百分点). */
export function formatPoints(v: Decimalish, lang: Lang = 'zh'): string {
  const n = num(v);
  if (n === null) return DASH;
  const p = fixed(n * 100, 1);
  const signed = n > 0 ? `+${p}` : p;
  return lang === 'zh' ? `${signed} 个百分点` : `${signed} pp`;
}

/** A signed change: +1,234 / -¥12.30万. */
export function formatChange(v: Decimalish, kind: 'count' | 'money', lang: Lang = 'zh'): string {
  const n = num(v);
  if (n === null) return DASH;
  const body = kind === 'count' ? formatCount(Math.abs(n)) : formatMoney(Math.abs(n), lang);
  return n > 0 ? `+${body}` : n < 0 ? `-${body}` : body;
}

const SHANGHAI = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** A date as YYYY-MM-DD: a date string as given, an instant by the bank's clock (Asia/Shanghai). */
export function formatDate(v: string | Date | null | undefined): string {
  if (!v) return DASH;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  return formatDateTime(v).slice(0, 10);
}

/** An instant as YYYY-MM-DD HH:mm, bank time. */
export function formatDateTime(v: string | Date | null | undefined): string {
  if (!v) return DASH;
  const d = typeof v === 'string' ? new Date(v) : v;
  if (Number.isNaN(d.getTime())) return DASH;
  const parts = Object.fromEntries(SHANGHAI.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** A change of rank since last week (positive is up): ↑2, ↓1, or — when unknown / unchanged. */
export function formatRankChange(change: number | null | undefined): {
  text: string;
  dir: 'up' | 'down' | 'same';
} {
  if (change === null || change === undefined) return { text: DASH, dir: 'same' };
  if (change > 0) return { text: `↑${change}`, dir: 'up' };
  if (change < 0) return { text: `↓${-change}`, dir: 'down' };
  return { text: '0', dir: 'same' };
}
