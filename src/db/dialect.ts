// Meaning-level SQL pieces that differ between the engines. Models and checks call these instead of
// asking which engine they run on; each engine's quirks are documented in its own class.

export interface Dialect {
  /** True when `expr` matches the whole of the POSIX-style regular expression `pattern`. */
  fullMatch(expr: string, pattern: string): string;
  /** A statement that serialises, within the transaction, every process doing `what` (empty when not needed). */
  exclusiveLock(what: 'migrate' | 'load' | 'run' | 'cache' | 'audit'): string;
  /**
   * A statement that takes the exclusive locks of all the given tables; `nowait`: at once, or failing
   * at once (lockUnavailable) while another session holds any of them, never waiting holding some
   * ('' when no lock is needed).
   */
  lockTables(tables: string[], nowait: boolean): string;
  /** True for lockTables' refusal (nowait). */
  lockUnavailable(e: unknown): boolean;
  /** Statements letting the analysts' console read a table the pipeline published ('' when not needed). */
  grantConsoleRead(table: string): string;
  /**
   * a / b as DECIMAL(38,scale), rounded half away from zero, exactly (METRICS.md: ratios are stored as
   * DECIMAL(38,10) on both engines; money divided once, e.g. by 360, is rounded straight to cents with
   * scale 2); NULL when b is 0 or NULL. a and b: numbers with at most 12 decimals.
   */
  ratio(a: string, b: string, scale?: number): string;
  /**
   * A 63-bit hash of a row's values as a BIGINT, for fingerprints (bit_xor over rows): any function
   * will do as long as it is stable on one engine; the engines need not agree.
   */
  rowHash(exprs: string[]): string;
  /** A text expression that compares byte by byte (DuckDB's default; PostgreSQL's follows the locale). */
  binaryText(expr: string): string;
  /**
   * A statement that gathers the planner's statistics for a table just filled (PostgreSQL: temporary
   * and freshly created tables have none until analysed); '' when the engine needs none.
   */
  analyze(table: string): string;
  /** The text value of a key of a JSON object held as text (NULL when absent or null). */
  jsonText(json: string, key: string): string;
  /**
   * The holdout bucket of a text (PLAYBOOK step 3): the first 8 bytes of its SHA-256, read as an
   * unsigned big-endian integer, mod 10000 — as (hi mod 10000 × 2^32 mod 10000 + lo) mod 10000 over
   * the two 32-bit halves, so that neither engine needs unsigned 64-bit arithmetic.
   */
  holdoutBucket(text: string): string;
  /** The schema that holds Wangji's tables (migrations write `{{schema}}` for it). */
  readonly defaultSchema: string;
  /** The schema search path of the analysts' console: masked views first (see 003_masked_views). */
  consoleSearchPath(): string;
}

/** DuckDB: RE2 regular expressions; one process owns the file, so no lock is needed. */
export const duckDbDialect: Dialect = {
  fullMatch: (expr, pattern) => `regexp_full_match(${expr}, ${quoteString(pattern)})`,
  exclusiveLock: () => '', // one process owns the file
  lockTables: () => '', // its readers share the one connection, which queues them (DuckDbDb)
  lockUnavailable: () => false,
  grantConsoleRead: () => '', // no roles: the console is guarded by parsing (src/db/console.ts)
  analyze: () => '', // DuckDB keeps statistics as it writes
  jsonText: (json, key) => `json_extract_string(${json}, ${quoteString(`$.${key}`)})`,
  holdoutBucket: (text) => {
    const half = (from: number) => `CAST(('0x' || substr(sha256(${text}), ${from}, 8)) AS BIGINT)`;
    return `CAST(((${half(1)} % 10000) * 7296 + ${half(9)}) % 10000 AS INTEGER)`;
  },
  // DuckDB divides decimals in floating point: scale both to 128-bit integers and divide with
  // rounding; the quotient (an integer count of 10^-scale) becomes a decimal by an exact decimal
  // multiplication with 10^-scale (text formatting did the same at 10× the cost: 10 s per million rows).
  // |a / b| must stay below 10^(38 − 2·scale) … i.e. 10^18 at scale 10.
  ratio: (a, b, scale = 10) => {
    const A = `CAST((${a}) * 1000000000000 AS HUGEINT)`;
    const B = `CAST((${b}) * 1000000000000 AS HUGEINT)`;
    const q = `(sign(${A}) * sign(${B}) * ((abs(${A}) * ${2n * 10n ** BigInt(scale)} + abs(${B})) // (2 * abs(${B}))))`;
    const unit = `CAST('0.${'0'.repeat(scale - 1)}1' AS DECIMAL(${scale},${scale}))`;
    return `(CASE WHEN (${b}) = 0 OR (${a}) IS NULL OR (${b}) IS NULL THEN NULL ELSE
      CAST(CAST(${q} AS DECIMAL(${38 - scale},0)) * ${unit} AS DECIMAL(38,${scale})) END)`;
  },
  rowHash: (exprs) => `CAST(hash(${exprs.join(', ')}) >> 1 AS BIGINT)`,
  binaryText: (expr) => expr,
  defaultSchema: 'main',
  consoleSearchPath: () => "SET search_path = 'masked,main'",
};

/** PostgreSQL: `~` finds a match anywhere, so the pattern is anchored; an advisory lock orders migrators. */
export const postgresDialect: Dialect = {
  fullMatch: (expr, pattern) => `(${expr} ~ ${quoteString(`^(?:${pattern})$`)})`,
  exclusiveLock: (what) =>
    `SELECT pg_advisory_xact_lock(${{ migrate: 20261115, load: 20261116, run: 20261117, cache: 20261118, audit: 20261119 }[what]})`,
  lockTables: (tables, nowait) =>
    tables.length
      ? `LOCK TABLE ${tables.map(quoteIdent).join(', ')} IN ACCESS EXCLUSIVE MODE${nowait ? ' NOWAIT' : ''}`
      : '',
  lockUnavailable: (e) => (e as { code?: unknown } | null)?.code === '55P03', // lock_not_available
  grantConsoleRead: (table) => `GRANT SELECT ON ${quoteIdent(table)} TO wangji_console`,
  analyze: (table) => `ANALYZE ${quoteIdent(table)}`,
  jsonText: (json, key) => `(CAST(${json} AS json) ->> ${quoteString(key)})`,
  holdoutBucket: (text) => {
    const hex = `encode(sha256(convert_to(${text}, 'UTF8')), 'hex')`;
    const half = (from: number) => `('x' || lpad(substr(${hex}, ${from}, 8), 16, '0'))::bit(64)::bigint`;
    return `CAST(((${half(1)} % 10000) * 7296 + ${half(9)}) % 10000 AS INTEGER)`;
  },
  // The same integer formula as DuckDB: numeric division picks its own scale and would round twice.
  ratio: (a, b, scale = 10) => {
    const A = `(CAST(${a} AS NUMERIC) * 1000000000000)`;
    const B = `(CAST(${b} AS NUMERIC) * 1000000000000)`;
    const q = `div(abs(${A}) * ${2n * 10n ** BigInt(scale)} + abs(${B}), 2 * abs(${B}))`;
    return `CAST(CASE WHEN ${B} = 0 THEN NULL ELSE sign(${A}) * sign(${B}) * ${q} * 0.${'0'.repeat(scale - 1)}1 END AS NUMERIC(38,${scale}))`;
  },
  rowHash: (exprs) => `hashtextextended(concat_ws('|', ${exprs.join(', ')}), 0)`,
  binaryText: (expr) => `(${expr} COLLATE "C")`,
  defaultSchema: 'public',
  consoleSearchPath: () => 'SET search_path = masked, public',
};

/** A SQL string literal. Only for constants of the code (patterns, enum values), never for input. */
export function quoteString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A SQL identifier, quoted. */
export function quoteIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}
