// The point of service's logic that is not layout: what the counter form sends (the matcher on the
// server normalises names itself — here only what would make a request useless or refused: blanks,
// stray spaces, lower-case BIC and country, over-long fields), what a PAD entry is (a customer id or a
// scanned ID number), and the counter's answer as the card shows it.

/** The server's cap on each counter field (src/leads/counterPrompt.ts MAX_FIELD_LENGTH). */
export const MAX_FIELD_LENGTH = 200;

export interface CounterForm {
  name?: string;
  bic?: string;
  country?: string;
}

export interface CounterQuery {
  name?: string;
  bic?: string;
  country?: string;
}

/** Spaces (also full-width and non-breaking) collapsed to one, trimmed. */
const squeeze = (s: string | undefined): string => (s ?? '').replace(/[\s\u3000\u00a0]+/g, ' ').trim();

/**
 * The query sent for a counter lookup, or null when nothing usable was keyed. The name keeps its case,
 * punctuation and typos (the server's matcher handles those); the BIC loses spaces and is upper case;
 * the country is the upper-case code. Each field is cut to the server's cap.
 */
export function counterQuery(form: CounterForm): CounterQuery | null {
  const name = squeeze(form.name).slice(0, MAX_FIELD_LENGTH);
  const bic = (form.bic ?? '')
    .replace(/[\s\u3000\u00a0-]+/g, '')
    .toUpperCase()
    .slice(0, MAX_FIELD_LENGTH);
  const country = squeeze(form.country).toUpperCase().slice(0, MAX_FIELD_LENGTH);
  const q: CounterQuery = {};
  if (name) q.name = name;
  if (bic) q.bic = bic;
  if (country) q.country = country;
  return Object.keys(q).length ? q : null;
}

/** A PRC resident ID number: 17 digits and a check character (digit or X). */
const ID_NO = /^[0-9]{17}[0-9Xx]$/;

export type PadEntry = { customerId: string } | { idNo: string };

/**
 * What a PAD entry is: an 18-character ID number (typed or from a barcode scanner; spaces and the
 * scanner's trailing characters dropped, x → X) or else a customer id as keyed. Null when empty or
 * longer than the server accepts (64 for a customer id).
 */
export function padEntry(raw: string): PadEntry | null {
  const s = raw.replace(/[\s\u3000\u00a0]+/g, '');
  if (!s) return null;
  if (ID_NO.test(s)) return { idNo: s.toUpperCase() };
  if (s.length > 64) return null;
  return { customerId: s };
}

/** How an entry is shown in the session's list: an ID number masked as the API masks (first 6, last 4). */
export function entryLabel(e: PadEntry): string {
  if ('customerId' in e) return e.customerId;
  return `${e.idNo.slice(0, 6)}********${e.idNo.slice(-4)}`;
}

export type MatchKind = 'EXACT_BIC' | 'EXACT_NAME' | 'PROBABLE';

export interface CounterAnswer {
  supported: boolean;
  match: {
    institutionId: string;
    institutionName: string;
    country: string | null;
    kind: MatchKind;
    score: number;
  } | null;
  offer: { activityId: string; productCode: string; text: { zh: string; en: string } } | null;
}

/**
 * SUPPORTED — an exact match to an institution taking tuition: offer the product;
 * CHECK — a probable match only: confirm the institution with the customer before offering;
 * NOT_TUITION — the institution is listed but does not take tuition through the bank;
 * UNKNOWN — no listed institution matches: not supported.
 */
export type Verdict = 'SUPPORTED' | 'CHECK' | 'NOT_TUITION' | 'UNKNOWN';

export interface CounterView {
  verdict: Verdict;
  institution: string | null;
  country: string | null;
  /** The i18n key of how it matched (pos.kind.*), null without a match. */
  kindKey: string | null;
  /** The name similarity of a probable match as a percentage with one decimal; null otherwise. */
  similarity: string | null;
  productCode: string | null;
  offerText: string | null;
}

export function counterView(a: CounterAnswer, lang: 'zh' | 'en'): CounterView {
  const m = a.match;
  const verdict: Verdict = a.supported
    ? 'SUPPORTED'
    : !m
      ? 'UNKNOWN'
      : m.kind === 'PROBABLE'
        ? 'CHECK'
        : 'NOT_TUITION';
  return {
    verdict,
    institution: m?.institutionName ?? null,
    country: m?.country ?? null,
    kindKey: m ? `pos.kind.${m.kind}` : null,
    similarity:
      m?.kind === 'PROBABLE' && m.score > 0 ? `${(Math.round(m.score * 1000) / 10).toFixed(1)}%` : null,
    productCode: a.offer?.productCode ?? null,
    offerText: a.offer ? a.offer.text[lang] : null,
  };
}

/** The i18n key of a PAD lookup's failure in words (the server's message follows it), by status and code. */
export function padErrorKey(status: number, code: string): string {
  if (status === 503) return 'pos.pad.unavailable';
  if (status === 404) return 'pos.pad.notFound';
  if (status === 403) return 'pos.pad.forbidden';
  if (status === 409 && code === 'NOT_STAFF') return 'pos.pad.notStaff';
  if (status === 400) return 'pos.pad.badInput';
  return 'pos.pad.failed';
}
