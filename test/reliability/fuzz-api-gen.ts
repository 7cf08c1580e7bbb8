// The request generator of the API fuzz test (test/reliability/fuzz-api.test.ts, issue #9 point 4):
// a seeded PRNG, values generated from a route's JSON schema (the OpenAPI document the server builds
// from its zod schemas), mutations of them (wrong types, boundaries, unknown fields, nasty strings),
// and the malformed raw material — JSON texts, content types, path segments, query strings, cookies.
// Everything here is pure: the same seed gives the same requests.

/** sfc32: small, fast, good enough for fuzzing, and the same sequence on every platform. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(readonly seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.next();
  }
  /** A float in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[this.int(items.length)] as T;
  }
  /** A key of `weights` with probability proportional to its weight. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    let r = this.next() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return (entries[entries.length - 1] as [K, number])[0];
  }
}

export type JsonSchema = {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean | number;
  exclusiveMaximum?: boolean | number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
};

/** Strings no input should crash on or leak through: injections, traversals, encodings, control characters. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\n\r',
  "' OR '1'='1",
  "'; DROP TABLE tasks; --",
  '1; SELECT pg_sleep(5)',
  '" OR ""="',
  "O1' UNION SELECT password_hash FROM users --",
  '%',
  '_',
  '\\',
  "\\'",
  '$1',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '/etc/passwd',
  'C:\\boot.ini',
  'file:///etc/passwd',
  '\u0000',
  'O1\u0000',
  'a\u0000b',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '\ufeffO1',
  'Ｏ１',
  '１２３',
  '𝕎𝕒𝕟𝕘𝕛𝕚😀👨‍👩‍👧',
  'e\u0301\u0301\u0301\u0301',
  '\ud800',
  '\udfff\ud800',
  '张三丰',
  // Personal data as a person might type it where an id goes: no error may repeat it unmasked.
  '110101199003071234',
  '13912345678',
  '6222020200112233445',
  '网点一',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '$' + '{7*7}', // a template placeholder, as typed
  '%s%s%s%n',
  '%00',
  '%2e%2e%2f',
  '\r\nSet-Cookie: wangji_session=x',
  'null',
  'undefined',
  'true',
  'NaN',
  'Infinity',
  '-0',
  '0x10',
  '1e309',
  '-1',
  '0',
  '9007199254740993',
  '99999999999999999999999999999999',
  '0.1',
  '1,2',
  '2027-02-30',
  '2027-13-01',
  '0000-00-00',
  '9999-12-31',
  '2027-01-21T25:00:00+08:00',
  '2027-01-21T10:00:00',
  '2027-01-21T10:00:00+99:99',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
];

/** What a path segment standing for an id may be sent as (already URL-encoded where it must be). */
export const NASTY_SEGMENTS: readonly string[] = [
  '0',
  '-1',
  '1.5',
  '1e3',
  '0x1',
  '+1',
  '01',
  '%201',
  '9007199254740992',
  '9007199254740993',
  '99999999999999999999999999',
  'abc',
  'C1',
  'null',
  'undefined',
  'NaN',
  '%00',
  '1%00',
  '%27%20OR%20%271%27%3D%271',
  "1'--",
  '1;DROP%20TABLE%20tasks',
  '..',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '....//....//',
  '%252e%252e%252f',
  '%E4%B8%80',
  '%EF%BC%91',
  '%F0%9F%98%80',
  '%C0%AF',
  '%ED%A0%80',
  '%FF',
  '%',
  '%zz',
  '%%',
  '~',
  '*',
  '%2A',
  '__proto__',
  'constructor',
  '110101199003071234',
  '13912345678',
];

/** Raw JSON-ish texts sent with a JSON content type. */
export function malformedJson(rng: Rng, valid: string): string {
  const choice = rng.int(24);
  switch (choice) {
    case 0:
      return '';
    case 1:
      return valid.slice(0, rng.int(Math.max(1, valid.length)));
    case 2:
      return `${valid}}`;
    case 3:
      return `${valid}garbage`;
    case 4:
      return `\ufeff${valid}`;
    case 5:
      return valid.replace(/"/g, "'");
    case 6:
      return '{"a":1,}';
    case 7:
      return '{a:1}';
    case 8:
      return 'null';
    case 9:
      return 'true';
    case 10:
      return '12345';
    case 11:
      return '"a string"';
    case 12:
      return '[]';
    case 13:
      return '{"__proto__":{"admin":true}}';
    case 14:
      return '{"constructor":{"prototype":{"admin":true}}}';
    case 15:
      return valid.replace(/^\{/, '{"dup":1,"dup":2,');
    case 16:
      return '{"x":1e99999}';
    case 17:
      return '{"x":"\\ud800"}';
    case 18:
      return '{"x":"\\u00"}';
    case 19:
      return 'NaN';
    case 20: {
      // A few bytes flipped.
      const chars = [...valid];
      for (let i = 0; i < 1 + rng.int(3) && chars.length; i++)
        chars[rng.int(chars.length)] = String.fromCharCode(rng.int(128));
      return chars.join('');
    }
    case 21:
      return '\u0000\u0000\u0000';
    case 22:
      return '{"a":"b"'.repeat(3);
    default:
      return `${valid}\n${valid}`;
  }
}

/** Nesting deep enough to overflow a recursive parser or validator. */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Content types that are not the route's, or are its spelled oddly. */
export const CONTENT_TYPES: readonly (string | null)[] = [
  null,
  'text/plain',
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'multipart/form-data',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'application/json; charset=gbk',
  'APPLICATION/JSON',
  'application/json;;;',
  'application/jsonx',
  'application/vnd.api+json',
  'application/merge-patch+json',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'image/png',
  '*/*',
  '',
  'application/json, text/plain',
  ';',
];

export const METHODS: readonly string[] = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'SEARCH',
  'LOCK',
  'MKCOL',
  'COPY',
  'MOVE',
  'PURGE',
  'REPORT',
];

/** Values a field of this name plausibly takes in the hand-made bank (so that requests get past validation). */
export type Pools = Record<string, readonly unknown[]>;

const DATE = /^\^\\d\{4\}-\\d\{2\}-\\d\{2\}\$$/;

function poolFor(name: string | undefined, pools: Pools): readonly unknown[] | undefined {
  if (!name) return undefined;
  if (pools[name]) return pools[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(pools)) if (k.startsWith('*') && lower.includes(k.slice(1))) return v;
  return undefined;
}

function matches(s: JsonSchema, v: unknown): boolean {
  if (typeof v !== 'string') return false;
  if (s.minLength !== undefined && v.length < s.minLength) return false;
  if (s.maxLength !== undefined && v.length > s.maxLength) return false;
  if (s.pattern && !new RegExp(s.pattern, 'u').test(v)) return false;
  return true;
}

function isoAt(rng: Rng): string {
  const day = 20 + rng.int(12);
  const hour = 8 + rng.int(9);
  const d = new Date(Date.UTC(2027, 0, day, hour - 8, rng.pick([0, 30]), 0));
  return d.toISOString().replace('.000Z', '+00:00');
}

function stringFor(s: JsonSchema, rng: Rng, name: string | undefined, pools: Pools): string {
  const pool = poolFor(name, pools)?.filter((v) => matches(s, v));
  if (pool?.length && rng.chance(0.85)) return rng.pick(pool) as string;
  if (s.format === 'date-time') return isoAt(rng);
  if (s.format === 'uuid') {
    const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[rng.int(16)]).join('');
    return rng.pick([
      '00000000-0000-4000-8000-000000000000',
      `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`,
    ]);
  }
  if (s.pattern) {
    if (DATE.test(s.pattern)) return `2027-01-${String(10 + rng.int(20))}`;
    if (s.pattern.includes('(0[1-9]|1[0-2])')) return `2027-0${1 + rng.int(3)}`;
    if (s.pattern === '^\\d{6}$') return rng.pick(['420102', '420100', '330000']);
    if (s.pattern.startsWith('^[A-Z_]+')) return rng.pick(['OPEN', 'OPEN,DONE', 'LOGIN', 'DENIED,LOGIN']);
  }
  const len = Math.min(s.maxLength ?? 12, Math.max(s.minLength ?? 1, 1 + rng.int(12)));
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789_网点客户';
  let out = '';
  for (let i = 0; i < len; i++) out += alphabet[rng.int(alphabet.length)];
  return out;
}

/** A value that conforms to the schema (as far as this small generator knows how). */
export function generate(s: JsonSchema, rng: Rng, pools: Pools, name?: string, depth = 0): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return rng.pick(s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.length) return generate(rng.pick(alts), rng, pools, name, depth + 1);
  if (s.allOf?.length) return generate(s.allOf[0] as JsonSchema, rng, pools, name, depth + 1);
  if (s.nullable && rng.chance(0.1)) return null;
  switch (s.type) {
    case 'string':
      return stringFor(s, rng, name, pools);
    case 'integer':
    case 'number': {
      const pool = poolFor(name, pools)?.filter((v) => typeof v === 'number');
      if (pool?.length && rng.chance(0.8)) return rng.pick(pool);
      const lo = (s.minimum ?? 0) + (s.exclusiveMinimum === true ? 1 : 0);
      const hi = Math.min(s.maximum ?? lo + 100, lo + 100);
      return lo + rng.int(hi - lo + 1);
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'array': {
      const min = s.minItems ?? 0;
      const max = Math.min(s.maxItems ?? min + 3, min + 3);
      const n = min + rng.int(max - min + 1);
      const item = name?.endsWith('s') ? name.slice(0, -1) : name;
      return Array.from({ length: n }, () => generate(s.items ?? {}, rng, pools, item, depth + 1));
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set(s.required ?? []);
      for (const [k, p] of Object.entries(s.properties ?? {}))
        if (required.has(k) || rng.chance(0.5)) out[k] = generate(p, rng, pools, k, depth + 1);
      return out;
    }
    default:
      // No type (z.unknown(), a record's values): anything JSON.
      return depth > 3 ? null : rng.pick([null, 1, 'x', true, [], {}]);
  }
}

/** A value of another JSON type than the schema asks for (or a boundary of its own type). */
export function wrongValue(s: JsonSchema, rng: Rng): unknown {
  const type = s.type ?? (s.enum ? 'string' : undefined);
  const others: unknown[] = [
    null,
    true,
    false,
    0,
    -1,
    1.5,
    -0,
    2 ** 53,
    1e308,
    -1e308,
    '',
    '1',
    'x'.repeat(10_000),
    [],
    [1, 2, 3],
    {},
    { $gt: '' },
    { toString: 'x' },
    rng.pick(NASTY_STRINGS),
  ];
  if (type === 'string')
    others.push(
      'x'.repeat((s.maxLength ?? 64) + 1),
      s.minLength ? 'x'.repeat(Math.max(0, s.minLength - 1)) : '',
      s.enum ? `${String(rng.pick(s.enum))} ` : 'A',
      s.enum ? String(rng.pick(s.enum)).toLowerCase() : 'a',
    );
  if (type === 'integer' || type === 'number')
    others.push(
      (s.minimum ?? 0) - 1,
      (s.maximum ?? 2 ** 53) + 1,
      '42',
      0.5,
      Number.MAX_SAFE_INTEGER + 2,
      -Number.MAX_SAFE_INTEGER,
    );
  if (type === 'array')
    others.push(
      Array.from({ length: (s.maxItems ?? 100) + 1 }, () => 'AM1'),
      [null],
      [[[]]],
      'AM1',
    );
  return rng.pick(others);
}

/** Mutate a generated body: drop, retype, add or nest fields; replace it whole sometimes. */
export function mutate(value: unknown, s: JsonSchema, rng: Rng): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return rng.chance(0.5) ? wrongValue(s, rng) : value;
  }
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const props = Object.entries(s.properties ?? {});
  const op = rng.int(9);
  switch (op) {
    case 0: {
      // Drop a field (a required one half the time).
      const req = s.required ?? [];
      const k = req.length && rng.chance(0.5) ? rng.pick(req) : rng.pick(Object.keys(out).concat(['x']));
      delete out[k];
      return out;
    }
    case 1:
    case 2:
    case 3: {
      if (!props.length) return wrongValue(s, rng);
      const [k, p] = rng.pick(props);
      out[k] = wrongValue(p, rng);
      return out;
    }
    case 4: {
      // Unknown fields, some of them dangerous names.
      const k = rng.pick(['extra', 'isAdmin', 'role', 'user_id', 'org', 'constructor', 'toString', '$where']);
      out[k] = rng.pick([true, 'HQ_ADMIN', 1, { nested: 1 }, null]);
      return out;
    }
    case 5: {
      if (!props.length) return wrongValue(s, rng);
      const [k] = rng.pick(props);
      out[k] = rng.pick(NASTY_STRINGS);
      return out;
    }
    case 6: {
      // A field nested deep.
      let v: unknown = 1;
      for (let i = 0; i < 50 + rng.int(500); i++) v = rng.chance(0.5) ? [v] : { a: v };
      const k = props.length ? rng.pick(props)[0] : 'deep';
      out[k] = v;
      return out;
    }
    case 7:
      return rng.pick([[out], null, 'string', 0, [], true]);
    default: {
      // Every field wrong at once.
      for (const [k, p] of props) out[k] = wrongValue(p, rng);
      return out;
    }
  }
}

/** Percent-encoding that also sends lone surrogates (as their 3-byte WTF-8 form, which no decoder accepts). */
export function percent(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...s]
      .map((ch) => {
        const c = ch.charCodeAt(0);
        if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff)
          return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
            .map((b) => `%${b.toString(16).toUpperCase()}`)
            .join('');
        return encodeURIComponent(ch);
      })
      .join('');
  }
}

/** A query string from a route's query parameters: valid values, mutated ones, repeats, arrays, junk. */
export function queryString(
  params: { name: string; schema: JsonSchema; required: boolean }[],
  rng: Rng,
  pools: Pools,
  fuzz: boolean,
): string {
  const parts: string[] = [];
  const enc = (v: unknown) => percent(typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  for (const p of params) {
    if (!p.required && rng.chance(0.5)) continue;
    const good = generate(p.schema, rng, pools, p.name);
    if (!fuzz || rng.chance(0.5)) {
      parts.push(`${enc(p.name)}=${enc(good)}`);
      continue;
    }
    switch (rng.int(12)) {
      case 0: // repeated
        parts.push(`${p.name}=${enc(good)}`, `${p.name}=${enc(generate(p.schema, rng, pools, p.name))}`);
        break;
      case 1: // array syntaxes
        parts.push(`${p.name}[]=${enc(good)}`, `${p.name}[0]=${enc(good)}`);
        break;
      case 2:
        parts.push(`${p.name}[a][b]=1`);
        break;
      case 3: // NUL and control characters
        parts.push(`${p.name}=${enc(good)}%00`, `${p.name}%00=1`);
        break;
      case 4: // raw unicode, half-encoded
        parts.push(`${p.name}=${rng.pick(['网点一', '😀', 'Ｏ１', '\u202e'])}`);
        break;
      case 5: // bad percent encodings
        parts.push(`${p.name}=${rng.pick(['%', '%zz', '%E4%B8', '%C0%AF', '%FF%FE', '%ED%A0%80'])}`);
        break;
      case 6:
        parts.push(`${p.name}=${'9'.repeat(rng.pick([20, 400, 10_000]))}`);
        break;
      case 7:
        parts.push(`${p.name}`, `${p.name}=`, '=');
        break;
      case 8:
        parts.push(`${p.name}=${enc(wrongValue(p.schema, rng))}`);
        break;
      case 9:
        parts.push(`${p.name}=${enc(rng.pick(NASTY_STRINGS))}`);
        break;
      case 10:
        parts.push(`${p.name.toUpperCase()}=${enc(good)}`, `__proto__[x]=1`, `constructor[prototype][x]=1`);
        break;
      default:
        parts.push(`${p.name}=${enc(good)}`.repeat(2), '&&&', `unknown_${rng.int(100)}=1`);
    }
  }
  if (fuzz && rng.chance(0.1)) parts.push(`junk=${'a'.repeat(rng.pick([10, 5000, 60_000]))}`);
  return parts.length ? `?${parts.join('&')}` : rng.chance(0.05) ? '?' : '';
}
