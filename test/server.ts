// What every API test needs: the app over a test database with one signed-in session per user, a
// `call` that carries the session cookie and (on writes) the CSRF token, every response body kept for
// the personal-data scan, audit counts, and the season file with a no-op activity (the tests insert
// their tasks by hand).

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { loadSeasonConfig, parseSeasonConfig, type SeasonConfig } from '../src/config/season.js';
import type { Db } from '../src/db/types.js';
import { buildApp } from '../src/server/app.js';
import { SESSION_COOKIE } from '../src/server/auth/index.js';
import { addUser } from '../src/server/auth/users.js';
import type { Role } from '../src/server/roles.js';

/** 18-digit resident ID numbers and 11-digit mainland mobiles, not part of a longer digit run. */
export const ID_NO =
  /(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])/;
export const MOBILE = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/;

/** Fail when a text carries an unmasked ID number or mobile, or any of the raw values given. */
export function expectNoPersonalData(texts: readonly string[], raw: readonly string[] = []): void {
  for (const text of texts) {
    expect(text).not.toMatch(ID_NO);
    expect(text).not.toMatch(MOBILE);
    for (const value of raw) expect(text).not.toContain(value);
  }
}

/**
 * The shipped season file with one activity that mines nothing (WEALTH, outlet → manager / pool), and
 * the targets given: the API tests insert their leads and tasks by hand after the run.
 */
export function noopSeasonConfig(targets: unknown[] = []): SeasonConfig {
  const doc = JSON.parse(JSON.stringify(loadSeasonConfig())) as Record<string, unknown>;
  doc.activities = [
    {
      id: 'WEALTH',
      program: 'ELDERLY_MINOR',
      name: { zh: '理财', en: 'Wealth' },
      entity: 'CUSTOMER',
      owner: 'OUTLET',
      channels: ['MANAGER', 'POOL'],
      weight: '1',
      propensity_prior: '0.05',
      value_per_conversion: '10',
      conversion: { event: 'ACCOUNT_OPENED', account_types: ['WEALTH'] },
      mine: 'SELECT customer_id AS entity_id, customer_id, age FROM {{ref:customer_features}} WHERE 1 = 0',
      reason: { zh: '{age} 岁', en: 'aged {age}' },
    },
  ];
  doc.targets = targets;
  return parseSeasonConfig(stringify(doc), 'test season');
}

export interface TestUser {
  user: string;
  role: Role;
  org: string;
  staff: string | null;
}

export interface Session {
  cookie: string;
  csrf: string;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface CallOptions {
  /** The signed-in user (a username given to startTestServer). */
  as?: string;
  /** Or an explicit session. */
  session?: Session;
  /** A JSON body, or a raw payload with its content type. */
  body?: unknown;
  payload?: string | Buffer;
  contentType?: string;
  /** The CSRF token to send (default the session's on writes; null: none). */
  csrf?: string | null;
  host?: string;
  remoteAddress?: string;
  /** Keep this response out of `bodies` (a reveal answered 200 carries the value by design). */
  unscanned?: boolean;
}

export interface TestServer {
  app: FastifyInstance;
  /** Every response body (for the personal-data scan), and every log line. */
  bodies: string[];
  logs: string[];
  passwords: Map<string, string>;
  sessions: Map<string, Session>;
  call(method: Method, url: string, o?: CallOptions): Promise<LightMyRequestResponse>;
  signIn(
    username: string,
    password: string,
    host?: string,
  ): Promise<{
    res: LightMyRequestResponse;
    cookie: { name: string; value: string; httpOnly?: boolean; secure?: boolean } | undefined;
    session: Session | null;
  }>;
  /** How many audit entries of an action. */
  audits(action: string): Promise<number>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  db: Db;
  config: SeasonConfig;
  users: readonly TestUser[];
  now: Date | (() => Date);
  /** Log lines are collected into `logs` (default); false: no logging. */
  log?: boolean;
}

/** Add the users, build the app (no port: app.inject) and sign every user in. */
export async function startTestServer(o: TestServerOptions): Promise<TestServer> {
  const now = typeof o.now === 'function' ? o.now : () => o.now as Date;
  const bodies: string[] = [];
  const logs: string[] = [];
  const passwords = new Map<string, string>();
  const sessions = new Map<string, Session>();
  for (const u of o.users) {
    const { password } = await addUser(
      o.db,
      { username: u.user, role: u.role, orgId: u.org, staffId: u.staff },
      { actor: 'test', now: now() },
    );
    passwords.set(u.user, password);
  }
  const app = await buildApp({
    db: o.db,
    config: o.config,
    now,
    log:
      o.log === false ? false : { level: 'info', stream: { write: (line: string) => void logs.push(line) } },
  });
  await app.ready();

  const call: TestServer['call'] = async (method, url, c = {}) => {
    const s = c.session ?? (c.as ? sessions.get(c.as) : undefined);
    if (c.as && !s) throw new Error(`no session for ${c.as}`);
    const headers: Record<string, string> = {};
    if (c.host) headers.host = c.host;
    if (c.contentType) headers['content-type'] = c.contentType;
    const csrf = c.csrf === undefined ? s?.csrf : c.csrf;
    if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
    const payload =
      c.payload !== undefined
        ? c.payload
        : c.body === undefined
          ? undefined
          : (c.body as Record<string, unknown>);
    const res = await app.inject({
      method,
      url,
      headers,
      cookies: s ? { [SESSION_COOKIE]: s.cookie } : {},
      ...(c.remoteAddress ? { remoteAddress: c.remoteAddress } : {}),
      ...(payload === undefined ? {} : { payload }),
    });
    if (!c.unscanned) bodies.push(res.body);
    return res;
  };

  const signIn: TestServer['signIn'] = async (username, password, host) => {
    const res = await call('POST', '/api/session', { body: { username, password }, host });
    const cookie = res.cookies.find((k) => k.name === SESSION_COOKIE);
    return {
      res,
      cookie,
      session: cookie ? { cookie: cookie.value, csrf: res.json().csrfToken as string } : null,
    };
  };

  for (const u of o.users) {
    const { session } = await signIn(u.user, passwords.get(u.user) as string);
    if (!session) throw new Error(`${u.user} could not sign in`);
    sessions.set(u.user, session);
  }

  return {
    app,
    bodies,
    logs,
    passwords,
    sessions,
    call,
    signIn,
    async audits(action) {
      const [r] = await o.db.query<{ n: number }>('SELECT count(*) AS n FROM audit_log WHERE action = $1', [
        action,
      ]);
      return Number(r?.n ?? 0);
    },
    close: () => app.close(),
  };
}
