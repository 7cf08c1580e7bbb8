// End to end: the built web app (dist/web) served by the real `wangji serve` over a small demo bank,
// driven in Debian's Chromium by playwright-core. Signs in as an account manager and as a branch
// manager (each sees only their scope), works a lead to an outcome, shows a refused contact's reason,
// and fails on any console error that a step did not expect. Screenshots of every page at 1366×768 go
// to docs/screenshots/latest/. Without /usr/bin/chromium the suite is reported as skipped, with why.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';

const CHROMIUM = '/usr/bin/chromium';
const skipReason = existsSync(CHROMIUM)
  ? null
  : `no Chromium at ${CHROMIUM} (apt-get install -y --no-install-recommends chromium fonts-wqy-microhei)`;
const SHOTS = join(PACKAGE_ROOT, 'docs', 'screenshots', 'latest');
const AS_OF = '2026-12-15';
const VIEWPORT = { width: 1366, height: 768 };

interface SignIn {
  username: string;
  password: string | null;
  role: string;
  orgId: string;
  staffId: string | null;
}

function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'test', 'run-cli.ts'), ...args], {
    cwd: PACKAGE_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function runCli(args: string[]): Promise<string> {
  const child = cli(args);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`wangji ${args.join(' ')} exited ${code}: ${err}`);
  return out;
}

/** A page whose console errors are collected; a step that expects one takes it with `expected`. */
class Watched {
  readonly errors: string[] = [];
  constructor(readonly page: Page) {
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(m.text());
    });
    page.on('pageerror', (e) => this.errors.push(`page error: ${e.message}`));
  }
  /** Take the console errors a step caused on purpose (a refused request logs its status). */
  expected(pattern: RegExp): void {
    const i = this.errors.findIndex((e) => pattern.test(e));
    expect(
      i,
      `expected a console error like ${pattern}; got ${JSON.stringify(this.errors)}`,
    ).toBeGreaterThanOrEqual(0);
    this.errors.splice(i, 1);
  }
  async shot(name: string): Promise<void> {
    await this.page.screenshot({ path: join(SHOTS, `${name}.png`) });
  }
}

(skipReason ? describe.skip : describe)(
  skipReason ? `web app e2e — skipped: ${skipReason}` : 'web app e2e',
  () => {
    let dir: string;
    let server: ChildProcess | null = null;
    let url: string;
    let browser: Browser;
    let users: Map<string, SignIn>;

    beforeAll(async () => {
      if (!existsSync(join(PACKAGE_ROOT, 'dist', 'web', 'index.html')))
        throw new Error('dist/web is missing: npm install (or npm run build) builds the web app');
      mkdirSync(SHOTS, { recursive: true });
      dir = mkdtempSync(join(tmpdir(), 'wangji-e2e-'));
      const db = join(dir, 'wangji.duckdb');
      const demo = await runCli([
        'demo',
        '--customers',
        '2000',
        '--as-of',
        AS_OF,
        '--sample',
        join(dir, 'sample'),
        '--db',
        db,
        '--json',
        '--no-serve',
      ]);
      users = new Map((JSON.parse(demo) as { signIns: SignIn[] }).signIns.map((u) => [u.username, u]));
      server = cli(['serve', '--db', db, '--port', '0', '--drops-root', dir]);
      url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server?.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
          if (m) resolve(m[0]);
        });
        server?.on('exit', (code) => reject(new Error(`wangji serve exited ${code}`)));
      });
      // launch() gives Chromium a new empty profile (user-data-dir) of its own in the temp folder.
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      if (server && server.exitCode === null) {
        const exited = new Promise((resolve) => server?.on('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function open(): Promise<Watched> {
      const context = await browser.newContext({
        viewport: VIEWPORT,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      return new Watched(await context.newPage());
    }

    async function signIn(w: Watched, username: string): Promise<void> {
      const u = users.get(username);
      if (!u?.password) throw new Error(`no demo sign-in ${username}`);
      await w.page.fill('#username', username);
      await w.page.fill('#password', u.password);
      await w.page.click('button[type=submit]');
    }

    it('an account manager: a wrong password said in words, then only their own outlet and tasks', async () => {
      const w = await open();
      const { page } = w;
      await page.goto(`${url}/`);
      await page.waitForSelector('#username');
      await w.shot('signin');
      await page.fill('#username', 'account-manager');
      await page.fill('#password', 'not-the-password');
      await page.click('button[type=submit]');
      await expect(page.getByTestId('signin-error').textContent()).resolves.toContain('用户名或密码错误');
      w.expected(/401/);

      await signIn(w, 'account-manager');
      await page.waitForSelector('[data-testid=page-dashboard] [data-testid=card-customers]');
      // The frame: the phase with its days left, the data date, the menu limited to the role.
      await expect(page.getByTestId('phase').textContent()).resolves.toMatch(/收官红 · 剩 \d+ 天/);
      await expect(page.getByTestId('as-of').textContent()).resolves.toBe(`数据日期 ${AS_OF}`);
      const menu = await page.locator('.ant-menu-item').allTextContents();
      expect(menu).toEqual(['作战看板', '名单工作台']);
      // Their own outlet, and nothing below it to rank.
      await expect(page.getByTestId('breadcrumbs').textContent()).resolves.toContain('网点');
      await page.waitForSelector('[data-testid=completion-chart] canvas');
      await w.shot('dashboard-account-manager');

      // Another branch is outside the scope: said in words, with a retry.
      await page.goto(`${url}/dashboard?org=BR02`);
      await page.waitForSelector('.ant-result-error');
      await expect(page.locator('.ant-result-subtitle').textContent()).resolves.toContain('NOT_FOUND');
      w.expected(/404/);

      await page.goto(`${url}/tasks`);
      await page.waitForSelector('[data-testid=task-table] .ant-table-row');
      const total = await page.getByTestId('task-total').textContent();
      const api = await page.evaluate(async () => {
        const r = await fetch('/api/tasks?view=mine&limit=1000');
        return (await r.json()) as { total: number; tasks: { staff_id: string | null }[] };
      });
      expect(total).toBe(`共 ${api.total.toLocaleString('en-US')} 条`);
      expect(new Set(api.tasks.map((t) => t.staff_id))).toEqual(
        new Set([users.get('account-manager')?.staffId]),
      );
      await w.shot('tasks-account-manager');
      expect(w.errors).toEqual([]);
    }, 90_000);

    it('works a lead to an outcome, and a contact over the cap shows its reason', async () => {
      const w = await open();
      const { page } = w;
      await page.goto(`${url}/signin`);
      await signIn(w, 'account-manager');
      await page.waitForSelector('[data-testid=page-dashboard]');
      await page.click('text=名单工作台');
      await page.waitForSelector('[data-testid=task-table] .ant-table-row');
      await page
        .locator('[data-testid=task-table] .ant-table-row')
        .first()
        .getByRole('button', { name: '查看' })
        .click();
      await page.waitForSelector('[data-testid=task-reason]');
      await expect(page.getByTestId('customer-card').textContent()).resolves.toMatch(/\*/); // masked
      await w.shot('task-drawer');

      // The first contact is recorded; the cap (2 marketing contacts in 7 × 24 hours) refuses the third.
      await page.getByTestId('outcome-CONTACTED').click();
      await page.waitForSelector('.ant-message-success');
      await page.waitForFunction(() => document.querySelectorAll('.ant-drawer .ant-list-item').length === 1);
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
      expect(refused).toBe(true);
      const refusal = await page.getByTestId('refusal').textContent();
      expect(refusal).toContain('已达联系频次上限');
      expect(refusal).toContain('7 × 24 hours');
      w.expected(/409/);
      await w.shot('task-refused');

      // A refusal is always heard: the lead ends with the customer's answer.
      await page.getByTestId('outcome-REFUSED').click();
      await page.waitForFunction(() => document.querySelector('[data-testid=outcomes]') === null);
      await expect(page.locator('.ant-drawer').textContent()).resolves.toContain('拒绝本次');
      expect(w.errors).toEqual([]);
    }, 90_000);

    it('a branch manager: the branch, its sub-branches ranked, drill-down and back, English', async () => {
      const w = await open();
      const { page } = w;
      await page.goto(`${url}/dashboard`);
      await page.waitForSelector('#username'); // sent to sign in, and back to the dashboard after
      await signIn(w, 'branch-manager');
      await page.waitForSelector('[data-testid=ranking-table] .ant-table-row');
      await page.waitForSelector('[data-testid=completion-chart] canvas');
      await expect(page.getByTestId('breadcrumbs').textContent()).resolves.toBe('兰州市分行');
      const rows = page.locator('[data-testid=ranking-table] .ant-table-row');
      const names = await rows.locator('button').allTextContents();
      expect(names.length).toBeGreaterThan(0);
      expect(names.every((n) => n.endsWith('支行'))).toBe(true);
      await w.shot('dashboard-branch-manager');

      await rows.first().locator('button').click();
      await page.waitForFunction(
        (name) =>
          document.querySelector('[data-testid=breadcrumbs]')?.textContent?.endsWith(name ?? '') ?? false,
        names[0],
      );
      await page.waitForSelector('[data-testid=card-customers]');
      await w.shot('dashboard-drill-down');
      await page.getByTestId('breadcrumbs').getByRole('button', { name: '兰州市分行' }).click();
      await page.waitForFunction(
        () => document.querySelector('[data-testid=breadcrumbs]')?.textContent === '兰州市分行',
      );

      await page.click('.ant-segmented-item:has-text("EN")');
      await page.waitForSelector('text=Campaign dashboard');
      await expect(page.getByTestId('phase').textContent()).resolves.toMatch(
        /year-end sprint · \d+ days left/,
      );
      await w.shot('dashboard-en');
      await page.click('text=Lead workbench');
      await page.waitForSelector('[data-testid=task-table] .ant-table-row');
      await w.shot('tasks-branch-manager-en');
      await page.click('.ant-segmented-item:has-text("中文")');

      // Sign out: back to the sign-in page, and the API no longer answers.
      await page.click('[data-testid=user-menu]');
      await page.click('text=退出登录');
      await page.waitForSelector('#username');
      const after = await page.evaluate(async () => (await fetch('/api/session')).status);
      expect(after).toBe(401);
      w.expected(/401/);
      expect(w.errors).toEqual([]);
    }, 90_000);
  },
);
