// The web app (issue #8, web/): `vite build` writes it to dist/web; the server serves it at `/`.
// - Files are those found in the folder at start (a fixed set: nothing outside it can be asked for).
// - Hashed assets (assets/*) are cached for a year as immutable; index.html and the rest must be
//   revalidated (no-cache), so that a new build is picked up at once.
// - Any other GET that is not under /api/ answers index.html (the app's own routes: /dashboard …);
//   under /api/ it is the API's 404.
// - Without a build (dist/web/index.html missing) `/` answers a plain page saying how to build it.
// - An asset with a brotli or gzip copy beside it (the build makes them: web/vite.config.ts) is sent
//   compressed to a browser that accepts it (Vary: Accept-Encoding).
// The routes are PUBLIC (the auth hook guards /api/ only; the app itself holds no data).

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PACKAGE_ROOT } from '../paths.js';

export const DEFAULT_WEB_ROOT = join(PACKAGE_ROOT, 'dist', 'web');

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const MISSING = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>旺季 Wangji</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>旺季 Wangji</h1>
<p>网页应用尚未构建：请在项目目录运行 <code>npm run build</code>，然后重启 <code>wangji serve</code>。</p>
<p>The web app has not been built: run <code>npm run build</code> in the project folder, then restart
<code>wangji serve</code>. The API is at <a href="/api/docs">/api/docs</a>.</p>
</body></html>
`;

function filesUnder(root: string): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.add(relative(root, p).split(sep).join('/'));
    }
  };
  walk(root);
  return out;
}

export async function webAppRoutes(app: FastifyInstance, root = DEFAULT_WEB_ROOT): Promise<void> {
  const built = existsSync(join(root, 'index.html'));
  await app.register(async (scope) => {
    const files = built ? filesUnder(root) : new Set<string>();
    if (built)
      await scope.register(fastifyStatic, { root, serve: false, cacheControl: false, preCompressed: true });
    const sendIndex = (reply: FastifyReply) => {
      reply.header('cache-control', REVALIDATE);
      if (!built) return reply.type('text/html; charset=utf-8').send(MISSING);
      return reply.sendFile('index.html');
    };
    scope.get('/', { config: { permission: 'PUBLIC' }, schema: { hide: true } }, (_request, reply) =>
      sendIndex(reply),
    );
    scope.get('/*', { config: { permission: 'PUBLIC' }, schema: { hide: true } }, (request, reply) => {
      const path = (request.params as { '*': string })['*'];
      if (request.url.startsWith('/api/') || request.url === '/api') return reply.callNotFound();
      if (files.has(path)) {
        reply.header('cache-control', path.startsWith('assets/') ? IMMUTABLE : REVALIDATE);
        return reply.sendFile(path);
      }
      // A missing asset is a 404 (a stale page asking for an old build's file), not the app.
      if (path.startsWith('assets/')) return reply.callNotFound();
      return sendIndex(reply);
    });
  });
}
