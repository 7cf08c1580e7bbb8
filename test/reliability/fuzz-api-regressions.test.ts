// What the API fuzz (fuzz-api.test.ts) found, pinned one request each on both engines, so that a
// regression fails by name rather than by seed:
//   - a NUL character in a query parameter, path parameter or body field was a 500 on PostgreSQL
//     ("invalid byte sequence for encoding UTF8: 0x00") — now 400 VALIDATION naming the field, on
//     both engines, with nothing written;
//   - a path that does not percent-decode (/api/tasks/%zz) or a path parameter over the router's
//     limit answered fastify's own body ({"error":"Bad Request","code":"FST_ERR_BAD_URL",…}) echoing
//     the path — now the API's shape, the path not repeated;
//   - an error repeating what was sent repeated an ID number or mobile typed where an id goes
//     ("no benefit program 110101199003071234 in your scope", a target file's problems) — now masked
//     as every answer masks them;
//   - GET/POST /api/targets/split with a period the season cannot resolve (?period=MONTH) was a 500
//     (PeriodError unmapped) — now 400 in words;
//   - a request that is not readable HTTP (a garbage request line, headers over the limit) answered
//     fastify's default body on the socket — now the API's shape;
//   - a client that sent headers and part of a body held its connection, and the server's shutdown,
//     for ever (fastify sets no request timeout) — now 408 TIMEOUT after REQUEST_TIMEOUT_MS;
//   - an account manager's task list whose read failed (the database closed under it as `wangji serve`
//     stopped, found over the socket) left the pool read's rejection unhandled, which ended the
//     process with exit 1 — now both reads are awaited together;
// and the generator itself: the same seed gives the same requests (a failing seed can be replayed).

import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/types.js';
import { runPipeline } from '../../src/pipeline/runner.js';
import { buildApp, REQUEST_TIMEOUT_MS } from '../../src/server/app.js';
import type { Principal } from '../../src/server/roles.js';
import { Workbench } from '../../src/server/workbench.js';
import { bank, config, D, insertWork, NOW } from '../api-bank.js';
import { describeEachEngine, duckdbEngine, type TestDb } from '../engines.js';
import { insertBank, markLoaded } from '../hand-made.js';
import { startTestServer, type TestServer } from '../server.js';
import { generate, type JsonSchema, mutate, queryString, Rng } from './fuzz-api-gen.js';

const USERS = [
  { user: 'hq', role: 'HQ_ADMIN' as const, org: 'H', staff: null },
  { user: 'am1', role: 'ACCOUNT_MANAGER' as const, org: 'O1', staff: 'AM1' },
  { user: 'auditor', role: 'AUDITOR' as const, org: 'H', staff: null },
];

async function openBank(db: TestDb): Promise<void> {
  await insertBank(db, bank);
  await markLoaded(db, D);
  const run = await runPipeline(db, { asOf: D, config });
  expect(run.status, run.message ?? '').toBe('PUBLISHED');
  await insertWork(db);
}

const shape = (body: string) => {
  const parsed = JSON.parse(body) as { error: { code: string; message: string } };
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(typeof parsed.error.code).toBe('string');
  expect(typeof parsed.error.message).toBe('string');
  return parsed.error;
};

describeEachEngine('what the API fuzz found', (engine) => {
  let db: TestDb;
  let server: TestServer;

  beforeAll(async () => {
    db = await engine.open();
    await openBank(db);
    server = await startTestServer({ db, config, users: USERS, now: NOW, log: false });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('refuses a NUL character in a query, path or body field with 400 VALIDATION naming it, writing nothing', async () => {
    const count = async () => {
      const [r] = await db.query<{ n: number }>('SELECT count(*) AS n FROM visits');
      return Number(r?.n);
    };
    const before = await count();
    const cases: [string, string, unknown, string, string?][] = [
      ['GET', '/api/dashboard?org=O1%00', undefined, 'querystring.org'],
      ['GET', '/api/audit?target=x%00', undefined, 'querystring.target', 'auditor'],
      ['GET', '/api/payroll/employers/E1%00', undefined, 'params.id'],
      [
        'POST',
        '/api/field/visits',
        {
          kind: 'GOVERNMENT',
          counterpart: '人社局\u0000',
          org_id: 'O1',
          staff_id: 'AM1',
          visited_on: D,
          outcome: 'MET',
        },
        'body.counterpart',
      ],
      ['POST', '/api/tasks/1/outcome', { outcome: 'NOT_REACHED', note: 'a\u0000b' }, 'body.note'],
    ];
    for (const [method, url, body, field, as] of cases) {
      const res = await server.call(method as 'GET', url, { as: as ?? 'hq', body });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      const error = shape(res.body);
      expect(error.code).toBe('VALIDATION');
      expect(res.json().error.fields).toEqual([{ field, message: 'must not contain NUL characters' }]);
    }
    expect(await count()).toBe(before);
    // The same request without the NUL is answered.
    expect((await server.call('GET', '/api/dashboard?org=O1', { as: 'hq' })).statusCode).toBe(200);
  });

  it('answers a path that does not decode, or a path parameter over the limit, in the API shape without echoing it', async () => {
    for (const url of ['/api/tasks/%zz', '/api/field/visits/%C0%AF', '/api/tasks/%E4%B8/outcome']) {
      const res = await server.call('GET', url, { as: 'am1' });
      expect(res.statusCode, url).toBe(400);
      expect(shape(res.body).code).toBe('BAD_REQUEST');
      expect(res.body).not.toContain(url.split('/').pop() as string);
    }
    const long = `/api/tasks/${'9'.repeat(500)}/outcome`;
    const res = await server.call('POST', long, { as: 'am1', body: { outcome: 'NOT_REACHED' } });
    expect(res.statusCode).toBe(414);
    expect(shape(res.body).code).toBe('URI_TOO_LONG');
    expect(res.body).not.toContain('9999');
  });

  it('masks an ID number or mobile typed where an id goes when an error repeats it', async () => {
    const id = '110101199003071234';
    const phone = '13912345678';
    for (const url of [
      `/api/field/benefit-programs/${id}`,
      `/api/field/assistance-actions/${phone}`,
      `/api/targets/split?kpi=${id}&period=SEASON&from=O1`,
      `/api/reports/briefing?view=${phone}`,
    ]) {
      const res = await server.call('GET', url, { as: 'hq' });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.body, url).not.toContain(id);
      expect(res.body, url).not.toContain(phone);
      expect(res.body, url).toMatch(/110101\*{8}1234|139\*{4}5678/);
    }
    const file = await server.call('POST', '/api/targets', {
      as: 'hq',
      payload: `kpi,org_id,staff_id,period,target\r\nNEW_CUSTOMERS,${id},,SEASON,4\r\n`,
      contentType: 'text/csv',
    });
    expect(file.statusCode).toBe(400);
    expect(file.json().problems.join(' ')).toContain('110101********1234');
    expect(file.body).not.toContain(id);
  });

  it('answers a target split for a period the season cannot resolve with 400 in words, not 500', async () => {
    const preview = await server.call(
      'GET',
      '/api/targets/split?kpi=NEW_CUSTOMERS&period=MONTH&from=O1&by=EQUAL',
      { as: 'hq' },
    );
    expect(preview.statusCode, preview.body).toBe(400);
    expect(shape(preview.body).message).toMatch(/period "MONTH"/);
    const before = await server.audits('TARGETS_SPLIT');
    const save = await server.call('POST', '/api/targets/split', {
      as: 'hq',
      body: { kpi: 'NEW_CUSTOMERS', period: 'MONTH', from: 'O1', by: 'EQUAL' },
    });
    expect(save.statusCode, save.body).toBe(400);
    expect(await server.audits('TARGETS_SPLIT')).toBe(before);
  });
});

describe('requests that are not readable HTTP, over a socket [duckdb]', () => {
  let db: TestDb;
  let server: TestServer;
  let port: number;

  beforeAll(async () => {
    db = await duckdbEngine.open();
    server = await startTestServer({ db, config, users: [], now: NOW, log: false });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const address = server.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const send = (bytes: string) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
      socket.on('data', (c) => chunks.push(c));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
      socket.on('error', () => undefined);
    });

  it('answers a garbage request line (400) and headers over the limit (431) in the API shape', async () => {
    for (const [bytes, status, code] of [
      ['GARBAGE\r\n\r\n', 400, 'BAD_REQUEST'],
      [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ] as const) {
      const answer = await send(bytes);
      expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(answer).toMatch(/\r\ncontent-type: application\/json/i);
      const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      expect(shape(body).code).toBe(code);
    }
    // And it goes on serving.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});

describe('a client that stalls in the middle of its request [duckdb]', () => {
  it('is answered 408 in the API shape when the request timeout passes, and the server can stop', async () => {
    const db = await duckdbEngine.open();
    const app = await buildApp({ db, config, log: false, requestTimeoutMs: 500 });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const started = Date.now();
      const answer = await new Promise<string>((resolve) => {
        const chunks: Buffer[] = [];
        const socket = connect(port, '127.0.0.1', () =>
          // Headers and the start of a body it never finishes (slowloris).
          socket.write(
            'POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user',
          ),
        );
        socket.on('data', (c) => chunks.push(c));
        socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
        socket.on('error', () => undefined);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(shape(answer.slice(answer.indexOf('\r\n\r\n') + 4)).code).toBe('TIMEOUT');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await app.close();
      await db.close();
    }
    // The default, for every server.
    expect(REQUEST_TIMEOUT_MS).toBe(120_000);
  }, 60_000);
});

describe('the workbench read model (src/server/workbench.ts)', () => {
  it('rejects a failed read, leaving no unhandled rejection that would end the process', async () => {
    const unhandled: unknown[] = [];
    const listener = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', listener);
    try {
      // The database closed under the read (shutdown) or a dropped connection.
      const db = {
        kind: 'duckdb',
        query: async () => {
          throw new Error('connection disconnected');
        },
      } as unknown as Db;
      const workbench = new Workbench(db, { ttlMs: 1_000 });
      const p = { staffId: 'AM1', orgId: 'O1' } as Principal;
      await expect(workbench.view(p, true)).rejects.toThrow('connection disconnected');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });
});

describe('the fuzz generator', () => {
  it('gives the same requests for the same seed, and other ones for another', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        org_id: { type: 'string', minLength: 1, maxLength: 64 },
        n: { type: 'integer', minimum: 1, maximum: 9 },
        staff_ids: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 },
      },
      required: ['org_id'],
    };
    const pools = { '*org': ['O1', 'O2'], '*staff': ['AM1'] };
    const params = [{ name: 'org', schema: { type: 'string' }, required: false }];
    const run = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 50 }, () => [
        JSON.stringify(mutate(generate(schema, rng, pools), schema, rng)),
        queryString(params, rng, pools, true),
      ]);
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });
});
