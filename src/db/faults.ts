// The resource faults a database raises mid-operation — its disk full, its connection lost — in one
// error class whose message an operator can act on ("no space left on device while loading
// accounts.csv (PostgreSQL: could not extend file …) — free space …"), with the engine's own words
// kept in brackets. Every other database error passes through unchanged. Both engines wrap their
// statements' errors with dbFault(); the loader and the runner add what they were doing (`while`).

import type { EngineKind } from './types.js';

export type FaultKind = 'disk-full' | 'connection-lost';

const WHAT: Record<FaultKind, string> = {
  'disk-full': 'no space left on device',
  'connection-lost': 'the connection to the database server was lost',
};

const ADVICE: Record<FaultKind, string> = {
  'disk-full': "free space on the database's disk, then try again",
  'connection-lost': 'try again once the database server answers',
};

const ENGINE: Record<EngineKind, string> = { duckdb: 'DuckDB', postgres: 'PostgreSQL' };

export class DbFault extends Error {
  override readonly name = 'DbFault';
  constructor(
    readonly kind: FaultKind,
    readonly engine: EngineKind,
    /** The engine's own words (first line). */
    readonly detail: string,
    /** What was being done when it happened ("loading accounts.csv"), or null. */
    readonly during: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(
      `${WHAT[kind]}${during ? ` while ${during}` : ''} (${ENGINE[engine]}: ${detail}) — ${ADVICE[kind]}`,
      options,
    );
  }

  /** The same fault said to have happened while doing `what`; the innermost context given stays. */
  while(what: string): DbFault {
    return this.during ? this : new DbFault(this.kind, this.engine, this.detail, what, { cause: this.cause });
  }
}

/** `e` as a DbFault said to have happened while doing `what`, or `e` unchanged when it is no fault. */
export function duringFault(e: unknown, what: string): unknown {
  return e instanceof DbFault ? e.while(what) : e;
}

// PostgreSQL SQLSTATEs: 53100 disk_full; 57P01 admin_shutdown (pg_terminate_backend), 57P02
// crash_shutdown, 57P03 cannot_connect_now; class 08 connection exceptions.
const PG_CONNECTION = /^(57P0[123]|08...)$/;
const NO_SPACE = /No space left on device|ENOSPC|Disk quota exceeded|EDQUOT/i;
const CONNECTION_WORDS =
  /Connection terminated|connection error and is not queryable|ECONNRESET|ECONNREFUSED|EPIPE|server closed the connection|terminating connection/i;

/** The fault an engine's error stands for, or null when it is an ordinary error. */
export function classifyFault(e: unknown, engine: EngineKind): FaultKind | null {
  if (!(e instanceof Error)) return null;
  if (e instanceof DbFault) return e.kind;
  const code = (e as { code?: unknown }).code;
  if (engine === 'postgres') {
    if (code === '53100') return 'disk-full';
    if (typeof code === 'string' && PG_CONNECTION.test(code)) return 'connection-lost';
    if (NO_SPACE.test(e.message)) return 'disk-full';
    if (CONNECTION_WORDS.test(e.message)) return 'connection-lost';
    return null;
  }
  return NO_SPACE.test(e.message) ? 'disk-full' : null;
}

/** `e` as a DbFault when it is a resource fault, else `e` itself (thrown on by the caller). */
export function dbFault(e: unknown, engine: EngineKind): unknown {
  if (e instanceof DbFault) return e;
  const kind = classifyFault(e, engine);
  if (!kind) return e;
  const detail = ((e as Error).message.split('\n')[0] ?? '').trim() || String(e);
  return new DbFault(kind, engine, detail, null, { cause: e });
}
