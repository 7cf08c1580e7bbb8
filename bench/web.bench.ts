// Web app benchmark (issue #8: "the first page is interactive within 2 s on localhost"): the built app
// (dist/web) served by `wangji serve` over a demo bank of N customers, opened in Debian's Chromium by
// playwright-core, each round in a new browser context (empty cache, no cookies):
//   signin     navigation start → the sign-in form can be typed in (#username enabled)
//   dashboard  sign-in click → the dashboard's first headline card shows its figure
//   reload     the dashboard reloaded with the assets cached → the first card again
// Also the bytes the first visit transferred. Prints a Markdown table; writes bench/out/web-<N>.json.
//   npx tsx bench/web.bench.ts [--customers 20000] [--rounds 7]
// Setup (not measured): `wangji demo --no-serve` into bench/out/web-<N>/ unless there.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { ROOT } from './measure.js';

const { values } = parseArgs({
  options: { customers: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '7' } },
});
const customers = Number(values.customers);
const rounds = Number(values.rounds);
const dir = join(ROOT, 'bench', 'out', `web-${customers}`);
const db = join(dir, 'wangji.duckdb');
const usersFile = join(dir, 'signins.json');

function wangji(args: string[]): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'bin', 'wangji.js'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function output(child: ChildProcess): Promise<string> {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`wangji exited ${code}: ${err}`);
  return out;
}

if (!existsSync(join(ROOT, 'dist', 'web', 'index.html'))) throw new Error('dist/web missing: npm run build');
if (!existsSync(usersFile)) {
  mkdirSync(dir, { recursive: true });
  console.error(`generating a demo bank of ${customers} customers in ${dir} …`);
  const demo = await output(
    wangji([
      'demo',
      '--customers',
      String(customers),
      '--as-of',
      '2026-12-15',
      '--sample',
      join(dir, 'sample'),
      '--db',
      db,
      '--json',
      '--no-serve',
    ]),
  );
  writeFileSync(usersFile, JSON.stringify(JSON.parse(demo).signIns));
}
const signIns = JSON.parse(readFileSync(usersFile, 'utf8')) as { username: string; password: string }[];
const bm = signIns.find((u) => u.username === 'branch-manager');
if (!bm?.password) throw new Error(`no branch-manager password in ${usersFile}: delete ${dir} and rerun`);

const server = wangji(['serve', '--db', db, '--port', '0']);
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
    if (m) resolve(m[0]);
  });
  server.on('exit', (code) => reject(new Error(`wangji serve exited ${code}`)));
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

const signin: number[] = [];
const dashboard: number[] = [];
const reload: number[] = [];
let bytes = 0;
const CARD = '[data-testid=card-customers] .ant-statistic-content';
try {
  for (let i = 0; i < rounds; i++) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    const page = await context.newPage();
    let transferred = 0;
    page.on('response', async (r) => {
      const len = Number((await r.allHeaders())['content-length'] ?? 0);
      transferred += Number.isFinite(len) ? len : 0;
    });
    const t0 = Date.now();
    await page.goto(`${url}/signin`);
    await page.waitForSelector('#username:enabled');
    signin.push(Date.now() - t0);
    await page.fill('#username', bm.username);
    await page.fill('#password', bm.password);
    const t1 = Date.now();
    await page.click('button[type=submit]');
    await page.waitForSelector(CARD);
    dashboard.push(Date.now() - t1);
    const t2 = Date.now();
    await page.reload();
    await page.waitForSelector(CARD);
    reload.push(Date.now() - t2);
    if (i === 0) bytes = transferred;
    await context.close();
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)] as number, max: s[s.length - 1] as number, runs: xs };
};
const result = {
  customers,
  rounds,
  machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  firstVisitBytes: bytes,
  signin: stats(signin),
  dashboard: stats(dashboard),
  reload: stats(reload),
};
writeFileSync(join(ROOT, 'bench', 'out', `web-${customers}.json`), JSON.stringify(result, null, 2));
console.log(`Web app, ${customers.toLocaleString('en-US')} customers, ${rounds} rounds (${result.machine})`);
console.log('| step | median ms | max ms |\n|---|---:|---:|');
for (const k of ['signin', 'dashboard', 'reload'] as const)
  console.log(`| ${k} | ${result[k].median} | ${result[k].max} |`);
console.log(`first visit transferred ${(bytes / 1024).toFixed(0)} KiB (content-length of the responses)`);
