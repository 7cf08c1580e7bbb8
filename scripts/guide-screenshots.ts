// The screenshots of the Chinese user guide (docs/user-guide.zh.md): a small demo bank made by
// `wangji demo --no-serve` (as web/e2e/harness.ts makes the e2e tests' one), served by the real
// `wangji serve`, and each role's pages taken in Debian's Chromium in Chinese at 1366×768 (the lobby
// PAD at 1024×768, touch). Writes docs/screenshots/guide/<name>.png (committed); nothing else.
//
//   npx tsx scripts/guide-screenshots.ts [--web-root DIR] [--out DIR] [--only name,name]
//
// The web app served is dist/web (npm run build) or --web-root (a build of one's own:
// `npx vite build web --outDir /tmp/my-web`). Takes 2–3 minutes on 2 cores. Each step waits for
// what it shows, and fails loudly (exit 1, the step named) when a page did not get there — a guide
// screenshot of a spinner or an error is worse than none. Console errors a step did not cause on
// purpose fail it too.

import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../src/paths.js';
import {
  AS_OF,
  CHROMIUM,
  ConsoleWatch,
  cli,
  runCli,
  type SignIn,
  TABLET,
  VIEWPORT,
} from '../web/e2e/shared.js';

const DESKTOP: BrowserContextOptions = { viewport: VIEWPORT };
/** The folder of the re-delivered file the 运营 page loads (inside the drops root). */
const DROP = '2026-12-15-customers-redelivery';

const { values: args } = parseArgs({
  options: {
    'web-root': { type: 'string' },
    out: { type: 'string' },
    only: { type: 'string' },
  },
});
const WEB_ROOT = resolve(args['web-root'] ?? join(PACKAGE_ROOT, 'dist', 'web'));
const OUT = resolve(args.out ?? join(PACKAGE_ROOT, 'docs', 'screenshots', 'guide'));
const ONLY = args.only ? new Set(args.only.split(',')) : null;

/** A page whose console errors are collected; `expected` takes one a step caused on purpose. */
class Shooter extends ConsoleWatch {
  constructor(
    page: Page,
    private readonly saved: string[],
  ) {
    super(page);
  }
  expected(pattern: RegExp): void {
    if (!this.take(pattern))
      throw new Error(`expected a console error like ${pattern}; got ${JSON.stringify(this.errors)}`);
  }
  async shot(name: string): Promise<void> {
    if (this.errors.length) throw new Error(`console errors before ${name}: ${JSON.stringify(this.errors)}`);
    // Let charts finish their entry animation and the fonts settle.
    await this.page.waitForTimeout(700);
    const file = join(OUT, `${name}.png`);
    await this.page.screenshot({ path: file });
    this.saved.push(`${name}.png ${Math.round(statSync(file).size / 1024)} KB`);
  }
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium fonts-wqy-microhei)`);
  if (!existsSync(join(WEB_ROOT, 'index.html')))
    throw new Error(`${WEB_ROOT} has no web app: npm run build, or --web-root DIR`);
  mkdirSync(OUT, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'wangji-guide-'));
  const saved: string[] = [];
  let server: ChildProcess | null = null;
  let browser: Browser | null = null;
  try {
    process.stderr.write(`demo bank in ${dir} …\n`);
    const demo = await runCli([
      'demo',
      '--customers',
      '2000',
      '--as-of',
      AS_OF,
      '--sample',
      join(dir, 'sample'),
      '--db',
      join(dir, 'wangji.duckdb'),
      '--json',
      '--no-serve',
    ]);
    const users = new Map(
      (JSON.parse(demo) as { signIns: SignIn[] }).signIns.map((u) => [u.username, u] as const),
    );
    const srv = cli([
      'serve',
      '--db',
      join(dir, 'wangji.duckdb'),
      '--port',
      '0',
      '--drops-root',
      dir,
      '--web-root',
      WEB_ROOT,
    ]);
    server = srv;
    const url = await new Promise<string>((res, rej) => {
      let out = '';
      srv.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
        if (m) res(m[0]);
      });
      srv.on('exit', (code) => rej(new Error(`wangji serve exited ${code}`)));
    });
    const b = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
    browser = b;

    /** A fresh browser context (own cookies) in Chinese on the bank's clock, signed in as `username`. */
    const as = async (username: string, path: string, options: BrowserContextOptions = DESKTOP) => {
      const context = await b.newContext({
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
        acceptDownloads: true,
        ...options,
      });
      const s = new Shooter(await context.newPage(), saved);
      await s.page.goto(`${url}${path}`);
      await s.page.waitForSelector('#username');
      if (username) {
        const u = users.get(username);
        if (!u?.password) throw new Error(`no demo sign-in ${username}`);
        await s.page.fill('#username', username);
        await s.page.fill('#password', u.password);
        await s.page.click('button[type=submit]');
      }
      return s;
    };
    const steps: [string, () => Promise<void>][] = [
      [
        'signin',
        async () => {
          const s = await as('', '/');
          await s.shot('signin');
          await s.page.context().close();
        },
      ],
      [
        'account-manager',
        async () => {
          const s = await as('account-manager', '/');
          const { page } = s;
          await page.waitForSelector('[data-testid=page-dashboard] [data-testid=card-customers]');
          await page.waitForSelector('[data-testid=completion-chart] canvas');
          await s.shot('am-dashboard');
          await page.click('text=名单工作台');
          await page.waitForSelector('[data-testid=task-table] .ant-table-row');
          await s.shot('am-tasks');
          await page
            .locator('[data-testid=task-table] .ant-table-row')
            .first()
            .getByRole('button', { name: '查看' })
            .click();
          await page.waitForSelector('[data-testid=task-reason]');
          await s.shot('am-task-drawer');
          // A home visit booked from the task, on the bank's clock.
          const booking = page.getByTestId('task-appointment');
          await booking.getByLabel('请选择日期').click();
          await booking.getByLabel('请选择日期').fill('2026-12-18');
          await booking.getByLabel('请选择日期').press('Enter');
          await booking.getByLabel('开始时间').click();
          await booking.getByLabel('开始时间').fill('10:00');
          await booking.getByLabel('开始时间').press('Enter');
          await booking.getByLabel('预约事由').click();
          await page.locator('.ant-select-item-option').filter({ hasText: '养老金业务' }).click();
          await page.getByTestId('book-submit').click();
          await page.waitForSelector('[data-testid=booked]');
          await page.getByTestId('booked').scrollIntoViewIfNeeded();
          await s.shot('am-task-booked');
          // One contact recorded, then the contact cap refuses another (2 in 7 × 24 hours).
          await page.getByTestId('outcome-CONTACTED').click();
          await page.waitForSelector('.ant-message-success');
          await page.waitForFunction(
            () => document.querySelectorAll('.ant-drawer .ant-list-item').length === 1,
          );
          let refused = false;
          for (let i = 0; i < 3 && !refused; i++) {
            await page.getByTestId('outcome-CONTACTED').click();
            await page.waitForFunction(
              (n) =>
                document.querySelector('[data-testid=refusal]') !== null ||
                document.querySelectorAll('.ant-drawer .ant-list-item').length > n,
              1 + i,
            );
            refused = (await page.getByTestId('refusal').count()) > 0;
          }
          if (!refused) throw new Error('the contact cap did not refuse a third contact');
          s.expected(/409/);
          await page.waitForFunction(() => document.querySelector('.ant-message-notice') === null);
          await page.getByTestId('outcomes').scrollIntoViewIfNeeded();
          await s.shot('am-task-refused');
          await page.keyboard.press('Escape');
          await page.waitForFunction(() => document.querySelector('.ant-drawer-open') === null);
          // The booked visit on the 外拓 calendar.
          await page.click('text=外拓');
          await page.waitForSelector('[data-testid=field-calendar] .ant-picker-calendar');
          await page.waitForSelector('[data-testid=calendar-day]');
          await s.shot('am-field-calendar');
          await page.context().close();
        },
      ],
      [
        'corporate-rm',
        async () => {
          const s = await as('corporate-rm', '/payroll');
          await s.page.waitForSelector('[data-testid=payroll-chart] canvas');
          await s.page.waitForSelector('[data-testid=employers-table]');
          await s.shot('corporate-rm-payroll');
          await s.page.context().close();
        },
      ],
      [
        'outlet-manager',
        async () => {
          const s = await as('outlet-manager', '/tasks');
          const { page } = s;
          await page.waitForSelector('[data-testid=task-table] .ant-table-row');
          await page.getByRole('tab', { name: '团队进度' }).click();
          await page.waitForSelector('[data-testid=team-progress] .ant-table-row');
          await s.shot('outlet-team');
          await page.getByRole('tab', { name: '名单' }).click();
          await page
            .locator('[data-testid=task-table] .ant-table-row')
            .first()
            .getByRole('button', { name: '查看' })
            .click();
          await page.waitForSelector('[data-testid=task-reason]');
          await page.getByText('转派', { exact: true }).first().scrollIntoViewIfNeeded();
          await s.shot('outlet-reassign');
          await page.context().close();
        },
      ],
      [
        'branch-manager',
        async () => {
          const s = await as('branch-manager', '/dashboard');
          const { page } = s;
          await page.waitForSelector('[data-testid=ranking-table] .ant-table-row');
          await page.waitForSelector('[data-testid=completion-chart] canvas');
          await s.shot('branch-dashboard');
          // Every figure's definition in a tooltip (METRICS.md in one sentence).
          await page.hover('[data-testid=card-customers] .anticon');
          await page.waitForSelector('.ant-tooltip:visible');
          await s.shot('branch-tooltip');
          await page.mouse.move(0, 700);
          await page.getByTestId('ranking-table').scrollIntoViewIfNeeded();
          await s.shot('branch-ranking');
          await page.goto(`${url}/briefing`);
          await page.waitForSelector('[data-testid=briefing-table] .ant-table-row');
          await s.shot('branch-briefing');
          await page.goto(`${url}/targets`);
          await page.waitForSelector('[data-testid=targets-table] .ant-table-row');
          await s.shot('branch-targets');
          await page.context().close();
        },
      ],
      [
        'hq-admin',
        async () => {
          const s = await as('hq-admin', '/');
          await s.page.waitForSelector('[data-testid=ranking-table] .ant-table-row');
          await s.page.waitForSelector('[data-testid=completion-chart] canvas');
          await s.page.getByTestId('org-picker').click();
          await s.page.waitForSelector('.ant-select-tree-treenode .ant-select-tree-title');
          await s.shot('hq-org-picker');
          await s.page.context().close();
        },
      ],
      [
        'teller',
        async () => {
          const s = await as('teller', '/pos');
          const { page } = s;
          await page.waitForSelector('[data-testid=pos-counter]');
          await page.fill('[data-testid=counter-name]', supportedInstitution(dir).toLowerCase());
          await page.click('[data-testid=counter-ask]');
          await page.waitForSelector('[data-testid=counter-answer][data-verdict=SUPPORTED]');
          await page.locator('[data-testid=counter-time]').scrollIntoViewIfNeeded();
          await s.shot('teller-counter');
          await page.context().close();
        },
      ],
      [
        'lobby',
        async () => {
          // Customers with open work: the account manager's tasks, read through the API.
          const am = await as('account-manager', '/');
          await am.page.waitForSelector('[data-testid=page-dashboard]');
          const candidates = await am.page.evaluate(async () => {
            const r = await fetch('/api/tasks?view=mine&limit=1000');
            const body = (await r.json()) as { tasks: { customer_id: string | null; status: string }[] };
            return [
              ...new Set(
                body.tasks
                  .filter((t) => t.status === 'OPEN' && t.customer_id)
                  .map((t) => t.customer_id as string),
              ),
            ];
          });
          await am.page.context().close();
          const s = await as('lobby', '/pos?tab=pad', TABLET);
          const { page } = s;
          await page.waitForSelector('[data-testid=pos-pad]');
          await s.shot('lobby-pad-empty');
          let found = false;
          for (const id of candidates.slice(0, 10)) {
            await page.fill('[data-testid=pad-entry]', '');
            await page.type('[data-testid=pad-entry]', id);
            await page.press('[data-testid=pad-entry]', 'Enter');
            await page.waitForFunction(
              (cid) =>
                document.querySelector('[data-testid=pad-customer]')?.textContent?.includes(cid) ?? false,
              id,
            );
            if ((await page.locator('[data-testid=pad-lead]').count()) > 0) {
              found = true;
              break;
            }
          }
          if (!found) throw new Error('none of the account manager’s customers has open leads on the PAD');
          await page.locator('[data-testid=pad-leads]').scrollIntoViewIfNeeded();
          await s.shot('lobby-pad');
          await page.context().close();
        },
      ],
      [
        'remote-agent',
        async () => {
          // A remote agent's tasks are the remote channels' (SMS, outbound calls): under 全部.
          const s = await as('remote-agent', '/tasks');
          await s.page.waitForSelector('[data-testid=task-table]');
          await s.page.click('[data-testid=view] .ant-segmented-item:has-text("全部")');
          await s.page.waitForSelector('[data-testid=task-table] .ant-table-row');
          await s.shot('remote-tasks');
          await s.page.context().close();
        },
      ],
      [
        'hq-ops',
        async () => {
          const s = await as('hq-ops', '/ops');
          const { page } = s;
          await page.waitForSelector('[data-testid=page-ops]');
          await page.waitForFunction(
            (d) => (document.querySelector('[data-testid=ops-asof]') as HTMLInputElement | null)?.value === d,
            AS_OF,
          );
          await page.getByTestId('ops-run').click();
          await page.waitForSelector('[data-testid=ops-progress] [data-testid=ops-stages] .ant-tag');
          await s.shot('ops-run-progress');
          await page.waitForSelector('[data-testid=ops-progress][data-status=DONE]', { timeout: 180_000 });
          await page.click('.ant-tabs-tab:has-text("运行台账")');
          const first = page.locator('[data-testid=ops-ledger] .ant-table-row').first();
          await first.waitFor();
          await first.locator('.ant-table-row-expand-icon').click();
          await page.waitForSelector('[data-testid=ops-ledger] .ant-table-expanded-row .ant-table-row');
          await s.shot('ops-ledger');
          // A re-delivered customers file with a cut-off record: the record goes to the quarantine.
          const customers = `${readFileSync(join(dir, 'sample', 'customers.csv'), 'utf8').trimEnd()}\nC900000003,赵六,ID_CARD,620121199001011234,F\n`;
          mkdirSync(join(dir, DROP));
          writeFileSync(join(dir, DROP, 'customers.csv'), customers);
          writeFileSync(
            join(dir, DROP, 'manifest.json'),
            JSON.stringify({
              as_of: AS_OF,
              files: {
                customers: {
                  rows: customers.trimEnd().split('\n').length - 1,
                  sha256: createHash('sha256').update(customers).digest('hex'),
                },
              },
            }),
          );
          await page.click('.ant-tabs-tab:has-text("运行与加载")');
          await page.getByTestId('ops-drop').fill(DROP);
          await page.getByTestId('ops-load').click();
          await page.waitForFunction(
            () => document.querySelectorAll('[data-testid=ops-jobs] .ant-table-row').length === 2,
          );
          await page.waitForSelector('[data-testid=ops-progress][data-status=DONE]', { timeout: 60_000 });
          await page.click('.ant-tabs-tab:has-text("加载记录")');
          const load = page.locator('[data-testid=ops-loads] .ant-table-row').first();
          await load.waitFor();
          await s.shot('ops-loads');
          await page.click('.ant-tabs-tab:has-text("隔离数据")');
          await page.waitForSelector('[data-testid=ops-quarantine] .ant-table-row');
          await s.shot('ops-quarantine');
          await page.context().close();
        },
      ],
      [
        'auditor',
        async () => {
          const s = await as('auditor', '/');
          const { page } = s;
          await page.waitForSelector('[data-testid=audit-chain][data-ok=true]');
          await page.waitForSelector('[data-testid=audit-table] .ant-table-row');
          await s.shot('audit');
          await page.context().close();
        },
      ],
      [
        'forbidden',
        async () => {
          const s = await as('account-manager', '/');
          await s.page.waitForSelector('[data-testid=page-dashboard]');
          await s.page.goto(`${url}/payroll`);
          await s.page.waitForSelector('.ant-result-403');
          await s.shot('forbidden');
          await s.page.context().close();
        },
      ],
    ];
    for (const [name, step] of steps) {
      if (ONLY && !ONLY.has(name)) continue;
      process.stderr.write(`${name} …\n`);
      try {
        await step();
      } catch (e) {
        throw new Error(`step ${name}: ${(e as Error).message}`);
      }
    }
  } finally {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server?.on('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${saved.join('\n')}\n`);
}

/** A listed institution taking tuition, with a plain Latin name, from the demo's sample extract. */
function supportedInstitution(dir: string): string {
  const file = join(dir, 'sample', 'overseas_institutions.csv');
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const [head = '', ...lines] = text.split(/\r?\n/).filter(Boolean);
  const cols = head.split(',');
  const name = cols.indexOf('institution_name');
  const yes = cols.indexOf('supports_tuition');
  for (const line of lines) {
    const cells = line.split(',');
    const n = cells[name] ?? '';
    if (cells[yes] === 'Y' && /^[A-Za-z ]+$/.test(n) && n.split(' ').length >= 3) return n;
  }
  throw new Error(`no supported institution with a plain name in ${file}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
