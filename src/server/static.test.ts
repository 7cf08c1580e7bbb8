// The web app as `wangji serve` serves it: files with their cache headers, the app for its own routes,
// the API's 404 under /api/, no sign-in needed, and a page saying how to build when there is no build.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckdbEngine, type TestDb } from '../../test/engines.js';
import { readSeasonFile } from '../ops/season.js';
import { buildApp } from './app.js';

const BIG = `console.log(${JSON.stringify('旺季 '.repeat(2000))});`;
describe('the web app at /', () => {
  let db: TestDb;
  let dir: string;
  let app: FastifyInstance;
  let bare: FastifyInstance;

  beforeAll(async () => {
    db = await duckdbEngine.open();
    dir = mkdtempSync(join(tmpdir(), 'wangji-web-'));
    mkdirSync(join(dir, 'web', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'web', 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'web', 'favicon.svg'), '<svg/>');
    writeFileSync(join(dir, 'web', 'assets', 'antd-x1.js'), BIG);
    writeFileSync(join(dir, 'web', 'assets', 'antd-x1.js.br'), brotliCompressSync(BIG));
    writeFileSync(join(dir, 'web', 'assets', 'antd-x1.js.gz'), gzipSync(BIG));
    const { config } = readSeasonFile(undefined);
    app = await buildApp({ db, config, log: false, webRoot: join(dir, 'web') });
    bare = await buildApp({ db, config, log: false, webRoot: join(dir, 'nothing-built') });
  });
  afterAll(async () => {
    await app?.close();
    await bare?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the files, hashed assets cached for good, the rest revalidated', async () => {
    const index = await app.inject({ method: 'GET', url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.body).toContain('id="root"');
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers the app for its own routes, 404 for a missing asset and under /api/', async () => {
    for (const url of ['/dashboard', '/tasks?view=pool', '/signin', '/a/b/c']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
      expect(r.body, url).toContain('id="root"');
    }
    const stale = await app.inject({ method: 'GET', url: '/assets/index-old.js' });
    expect(stale.statusCode).toBe(404);
    const api = await app.inject({ method: 'GET', url: '/api/no-such-thing' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no such route (GET)' } });
    // Nothing outside the build's files: a path that climbs out is the app, not a file.
    const climb = await app.inject({ method: 'GET', url: '/..%2f..%2fpackage.json' });
    expect(climb.body).toContain('id="root"');
    // The API still needs a session.
    expect((await app.inject({ method: 'GET', url: '/api/tasks' })).statusCode).toBe(401);
  });

  it('sends the build’s brotli or gzip copy of an asset to a browser that accepts it, the file to others', async () => {
    const url = '/assets/antd-x1.js';
    const br = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(BIG);
    const gz = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(BIG);
    const plain = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(BIG);
  });

  it('without a build, says how to make one', async () => {
    const r = await bare.inject({ method: 'GET', url: '/dashboard' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('npm run build');
  });
});
