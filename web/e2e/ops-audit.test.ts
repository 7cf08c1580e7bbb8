// End to end, 运营 and 审计日志: as HQ operations, run the pipeline for the demo's data date from the page
// and watch its live progress (the job's server-sent events) reach done, leave the page and come back to
// the job, see the run in the ledger, the loads with their files, browse the quarantine; a branch manager
// sees the same records read-only (no run or load controls); the auditor's menu holds only 审计日志, whose
// table lists that RUN entry and the sign-ins, filtered and in English once. Any console error fails a step.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AS_OF, type E2E, e2eDescribe, startE2E } from './harness';

e2eDescribe('web app e2e: 运营 and 审计日志', () => {
  let e: E2E;
  let runId = 0;
  beforeAll(async () => {
    e = await startE2E();
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  it('hq-ops: runs the pipeline with live progress, sees it in the ledger, browses loads and quarantine', async () => {
    const w = await e.open();
    const { page } = w;
    await page.goto(`${e.url}/ops`);
    await page.waitForSelector('#username');
    await e.signIn(w, 'hq-ops');
    await page.waitForSelector('[data-testid=page-ops]');
    await expect(page.getByTestId('ops-read-only').count()).resolves.toBe(0);
    const before = await page.evaluate(
      async () => (await (await fetch('/api/ops/runs')).json()).total as number,
    );
    // The data date defaults to the latest run's: the demo's.
    await page.waitForFunction(
      (d) => (document.querySelector('[data-testid=ops-asof]') as HTMLInputElement | null)?.value === d,
      AS_OF,
    );
    await w.shot('ops');

    // Count the server-sent events the page receives (its EventSource), to show the bar is fed by them.
    await page.evaluate(() => {
      const Orig = window.EventSource;
      (window as unknown as { sseEvents: number }).sseEvents = 0;
      window.EventSource = class extends Orig {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(url, init);
          this.addEventListener('progress', () => {
            (window as unknown as { sseEvents: number }).sseEvents++;
          });
        }
      } as typeof EventSource;
    });
    await page.getByTestId('ops-run').click();
    await page.waitForSelector('[data-testid=ops-progress] [data-testid=ops-stages] .ant-tag');
    await w.shot('ops-run-progress');
    await page.waitForSelector('[data-testid=ops-progress][data-status=DONE]', { timeout: 120_000 });
    await expect(page.getByTestId('ops-progress').getAttribute('data-percent')).resolves.toBe('100');
    expect(await page.evaluate(() => (window as unknown as { sseEvents: number }).sseEvents)).toBeGreaterThan(
      3,
    );
    const stages = await page.locator('[data-testid=ops-stages] .ant-tag').allTextContents();
    expect(stages.length).toBeGreaterThan(1);
    expect(stages[0]).toMatch(/^features \d+\/\d+$/);
    const jobId = new URL(page.url()).searchParams.get('job');
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    const jobs = page.locator('[data-testid=ops-jobs] .ant-table-row');
    await expect(jobs.first().textContent()).resolves.toContain('hq-ops');
    await expect(jobs.first().textContent()).resolves.toContain('完成');

    // Leave the page and come back to the job: its events are replayed, the bar is whole again.
    await page.goto(`${e.url}/dashboard`);
    await page.waitForSelector('[data-testid=page-dashboard]');
    await page.goto(`${e.url}/ops?job=${jobId}`);
    await page.waitForSelector('[data-testid=ops-progress][data-status=DONE]');
    await expect(page.locator('[data-testid=ops-stages] .ant-tag').count()).resolves.toBe(stages.length);

    // The ledger: the new run first, published, for the demo's date, with its duration and hash.
    const runs = await page.evaluate(
      async () =>
        (await (await fetch('/api/ops/runs')).json()) as {
          total: number;
          runs: { run_id: number; status: string; as_of: string; config_sha256: string | null }[];
        },
    );
    expect(runs.total).toBe(before + 1);
    const run = runs.runs[0];
    expect(run?.status).toBe('PUBLISHED');
    expect(run?.as_of).toBe(AS_OF);
    runId = run?.run_id ?? 0;
    await page.click('.ant-tabs-tab:has-text("运行台账")');
    const first = page.locator('[data-testid=ops-ledger] .ant-table-row').first();
    await first.waitFor();
    const text = (await first.textContent()) ?? '';
    expect(text).toContain(String(runId));
    expect(text).toContain(AS_OF);
    expect(text).toContain('已发布');
    if (run?.config_sha256) expect(text).toContain(run.config_sha256.slice(0, 12));
    await first.locator('.ant-table-row-expand-icon').click();
    await page.waitForSelector('[data-testid=ops-ledger] .ant-table-expanded-row .ant-table-row');
    await w.shot('ops-ledger');

    // The loads, with their files.
    await page.click('.ant-tabs-tab:has-text("加载记录")');
    const load = page.locator('[data-testid=ops-loads] .ant-table-row').first();
    await load.waitFor();
    await load.locator('.ant-table-row-expand-icon').click();
    await page.waitForSelector('[data-testid=ops-loads] .ant-table-expanded-row .ant-table-row');
    await expect(
      page.locator('[data-testid=ops-loads] .ant-table-expanded-row').textContent(),
    ).resolves.toContain('customers');

    // Load a drop from the page: a re-delivery of the demo's customers with a cut-off record (its
    // manifest names the file's rows and hash); the cut-off record goes to the quarantine.
    const customers = `${readFileSync(join(e.dir, 'sample', 'customers.csv'), 'utf8').trimEnd()}\nC900000003,赵六,ID_CARD,620121199001011234,F\n`;
    mkdirSync(join(e.dir, 'bad-drop'));
    writeFileSync(join(e.dir, 'bad-drop', 'customers.csv'), customers);
    writeFileSync(
      join(e.dir, 'bad-drop', 'manifest.json'),
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
    await page.getByTestId('ops-drop').fill('../outside');
    await page.waitForSelector('text=路径不能包含 ..');
    await page.getByTestId('ops-drop').fill('bad-drop');
    await page.getByTestId('ops-load').click();
    await page.waitForFunction((id) => new URL(location.href).searchParams.get('job') !== id, jobId);
    await page.waitForSelector('[data-testid=ops-progress][data-status=DONE]', { timeout: 60_000 });
    expect(await page.locator('[data-testid=ops-jobs] .ant-table-row').count()).toBe(2);

    // The quarantine: what the API gives, filtered by a reason, exported as shown.
    await page.click('.ant-tabs-tab:has-text("隔离数据")');
    const api = await page.evaluate(
      async () =>
        (await (await fetch('/api/ops/quarantine?limit=100')).json()) as {
          total: number;
          rows: { reason: string; value: string | null }[];
        },
    );
    expect(api.total).toBeGreaterThan(0);
    expect(JSON.stringify(api)).not.toContain('620121199001011234');
    {
      await page.waitForSelector('[data-testid=ops-quarantine] .ant-table-row');
      const shown = await page.locator('[data-testid=ops-quarantine] .ant-table-row').count();
      expect(shown).toBe(Math.min(100, api.rows.length));
      const word = (api.rows[0]?.reason ?? '').split(/\s+/)[0] ?? '';
      await page.getByTestId('ops-q-reason').fill(word);
      await page.getByTestId('ops-q-reason').press('Enter');
      const filtered = await page.evaluate(
        async (r) =>
          (await (await fetch(`/api/ops/quarantine?reason=${encodeURIComponent(r)}`)).json()).total as number,
        word,
      );
      await page.waitForFunction(
        (n) =>
          document.querySelector('[data-testid=ops-q-count]')?.textContent?.endsWith(`共 ${n} 行`) ?? false,
        filtered,
      );
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('ops-q-export').click(),
      ]);
      expect(download.suggestedFilename()).toBe('quarantine.csv');
    }
    await w.shot('ops-quarantine');
    expect(w.errors).toEqual([]);
  }, 180_000);

  it('branch-manager: the operations records read-only, no run or load button', async () => {
    const w = await e.open();
    const { page } = w;
    await page.goto(`${e.url}/ops`);
    await page.waitForSelector('#username');
    await e.signIn(w, 'branch-manager');
    await page.waitForSelector('[data-testid=page-ops] [data-testid=ops-read-only]');
    await page.waitForSelector('[data-testid=ops-jobs] .ant-table-row');
    expect(await page.getByTestId('ops-run').count()).toBe(0);
    expect(await page.getByTestId('ops-load').count()).toBe(0);
    await page.click('.ant-tabs-tab:has-text("运行台账")');
    await page.waitForSelector('[data-testid=ops-ledger] .ant-table-row');
    expect(w.errors).toEqual([]);
  }, 60_000);

  it('auditor: only 审计日志 in the menu; the chain intact, the RUN entry and the sign-ins, English once', async () => {
    expect(runId).toBeGreaterThan(0);
    const w = await e.open();
    const { page } = w;
    await page.goto(`${e.url}/`);
    await page.waitForSelector('#username');
    await e.signIn(w, 'auditor');
    await page.waitForSelector('[data-testid=page-audit]');
    expect(await page.locator('.ant-menu-item').allTextContents()).toEqual(['审计日志']);
    await page.waitForSelector('[data-testid=audit-chain][data-ok=true]');
    await page.waitForSelector('[data-testid=audit-table] .ant-table-row');
    // Newest first: the auditor's own sign-in is the first row.
    const top = (await page.locator('[data-testid=audit-table] .ant-table-row').first().textContent()) ?? '';
    expect(top).toContain('auditor');
    expect(top).toContain('LOGIN');
    expect(top).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    // The RUN hq-ops started from the page.
    await page.getByTestId('audit-actor').fill('hq-ops');
    await page.getByTestId('audit-apply').click();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid=audit-table] .ant-table-row')].every((r) =>
        r.textContent?.includes('hq-ops'),
      ),
    );
    const rows = await page.locator('[data-testid=audit-table] .ant-table-row').allTextContents();
    expect(rows.some((r) => r.includes('RUN') && r.includes(`run:${runId}`))).toBe(true);
    expect(rows.some((r) => r.includes('LOGIN'))).toBe(true);
    const api = await page.evaluate(
      async () => (await (await fetch('/api/audit?actor=hq-ops&limit=1000')).json()).total as number,
    );
    await expect(page.getByTestId('audit-count').textContent()).resolves.toBe(
      `显示 ${Math.min(100, api)} / 共 ${api} 条`,
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('audit-export').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^audit-1\.csv$/);
    await w.shot('audit');
    await page.click('.ant-segmented-item:has-text("EN")');
    await page.waitForSelector('text=Hash chain intact');
    await page.waitForSelector('text=Time (Beijing)');
    await w.shot('audit-en');
    expect(w.errors).toEqual([]);
  }, 60_000);
});
