// Meaning-level SQL pieces that differ between the engines. Models and checks call these instead of
// asking which engine they run on; each engine's quirks are documented in its own class.

export interface Dialect {
  /** True when `expr` matches the whole of the POSIX-style regular expression `pattern`. */
  fullMatch(expr: string, pattern: string): string;
  /** A statement that serialises, within the transaction, every process doing `what` (empty when not needed). */
  exclusiveLock(what: 'migrate' | 'load'): string;
  /** The schema that holds Wangji's tables (migrations write `{{schema}}` for it). */
  readonly defaultSchema: string;
  /** The schema search path of the analysts' console: masked views first (see 003_masked_views). */
  consoleSearchPath(): string;
}

/** DuckDB: RE2 regular expressions; one process owns the file, so no lock is needed. */
export const duckDbDialect: Dialect = {
  fullMatch: (expr, pattern) => `regexp_full_match(${expr}, ${quoteString(pattern)})`,
  exclusiveLock: () => '', // one process owns the file
  defaultSchema: 'main',
  consoleSearchPath: () => "SET search_path = 'masked,main'",
};

/** PostgreSQL: `~` finds a match anywhere, so the pattern is anchored; an advisory lock orders migrators. */
export const postgresDialect: Dialect = {
  fullMatch: (expr, pattern) => `(${expr} ~ ${quoteString(`^(?:${pattern})$`)})`,
  exclusiveLock: (what) => `SELECT pg_advisory_xact_lock(${what === 'migrate' ? 20261115 : 20261116})`,
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
