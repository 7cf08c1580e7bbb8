// End to end, the read-only analysis pages 代发监测 · 客群 · 商户 · 县域/社保卡 as a branch manager: each
// shows the API's own figures (one number on screen compared with the API's answer fetched in the
// page), drills down once, exports what it shows; English once; and an account manager has none of
// 代发监测 / 商户 / 县域 in the menu and is refused /payroll. Any console error fails a step.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { type E2E, e2eDescribe, startE2E } from './harness';

const count = (n: number) => n.toLocaleString('en-US');

e2eDescribe('web app e2e: payroll, segments, merchants, county', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E();
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  it('a branch manager: 代发监测 with the API’s figures, an employer’s drawer, drill-down, CSV, English', async () => {
    const w = await e.open();
    const { page } = w;
    const org = e.users.get('branch-manager')?.orgId as string;
    await page.goto(`${e.url}/payroll`);
    await page.waitForSelector('#username');
    await e.signIn(w, 'branch-manager');
    await page.waitForSelector('[data-testid=payroll-chart] canvas');
    await page.waitForSelector('[data-testid=employers-table] .ant-table-row');
    const api = await page.evaluate(async (id) => {
      const o = await (await fetch(`/api/payroll/orgs/${id}`)).json();
      const l = await (await fetch(`/api/payroll/employers?org=${id}&limit=1000`)).json();
      return {
        employers: o.employers as number,
        months: o.months.length as number,
        total: l.total as number,
      };
    }, org);
    expect(api.months).toBe(13);
    expect(api.employers).toBeGreaterThan(0);
    await expect(
      page.getByTestId('payroll-card-employers').locator('.ant-statistic-content').textContent(),
    ).resolves.toBe(count(api.employers));
    await expect(page.getByTestId('employer-count').textContent()).resolves.toBe(
      `共 ${count(api.total)} 家单位`,
    );
    await page.waitForFunction(
      () => !document.querySelector('[data-testid=payroll-children] .ant-spin-spinning'),
    );
    await w.shot('payroll');

    // Export: the CSV holds the rows the table holds (header + one line each).
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-employers').click(),
    ]);
    const csv = await (await import('node:fs/promises')).readFile((await download.path()) as string, 'utf8');
    expect(csv.startsWith('\uFEFF单位,ID,')).toBe(true);
    expect(csv.trim().split('\r\n')).toHaveLength(api.total + 1);

    // Filter by alert: the server's answer for alerted employers.
    const alerted = await page.evaluate(
      async (id) =>
        (await (await fetch(`/api/payroll/employers?org=${id}&alert=ANY&limit=1000`)).json()).total as number,
      org,
    );
    await page.getByTestId('filter-alert').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '有预警' }).click();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=employer-count]')?.textContent === `共 ${n} 家单位`,
      count(alerted),
    );

    // An employer's drawer: its 13 months and the visit plan of its tier.
    await page.getByTestId('filter-alert').locator('.ant-select-clear').click({ force: true });
    await page
      .locator('[data-testid=employers-table] .ant-table-row')
      .first()
      .getByRole('button')
      .first()
      .click();
    await page.waitForSelector('[data-testid=employer-chart] canvas');
    await expect(page.getByTestId('visit-plan').textContent()).resolves.toMatch(/类单位|尚未分层/);
    await w.shot('payroll-employer');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('.ant-drawer-open') === null);

    // Drill down to the first child org, then English.
    const child = page.locator('[data-testid=payroll-children] .ant-table-row').first().getByRole('button');
    const name = (await child.textContent()) ?? '';
    await child.click();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=breadcrumbs]')?.textContent?.endsWith(n) ?? false,
      name,
    );
    expect(new URL(page.url()).searchParams.get('org')).toMatch(/.+/);
    await page.waitForSelector('[data-testid=payroll-chart] canvas');
    await page.click('.ant-segmented-item:has-text("EN")');
    await page.waitForSelector('text=Payroll monitoring');
    await page.waitForSelector('text=13-month payroll');
    await w.shot('payroll-en');
    await page.click('.ant-segmented-item:has-text("中文")');
    await page.waitForSelector('text=13 个月代发走势');
    expect(w.errors).toEqual([]);
  }, 120_000);

  it('a branch manager: 客群 and 商户 show the API’s figures and drill down', async () => {
    const w = await e.open();
    const { page } = w;
    const org = e.users.get('branch-manager')?.orgId as string;
    await page.goto(`${e.url}/segments`);
    await page.waitForSelector('#username');
    await e.signIn(w, 'branch-manager');
    await page.waitForSelector('[data-testid=segments-table] .ant-table-row');
    await page.waitForSelector('[data-testid=segments-value] canvas');
    const seg = await page.evaluate(
      async () =>
        (await (await fetch('/api/segments')).json()) as {
          org: { org_id: string };
          segments: { segment: string; members: number }[];
        },
    );
    expect(seg.org.org_id).toBe(org);
    const payroll = seg.segments.find((s) => s.segment === 'PAYROLL')?.members ?? -1;
    expect(payroll).toBeGreaterThan(0);
    await expect(
      page.getByTestId('program-PAYROLL').locator('.ant-statistic-content').textContent(),
    ).resolves.toBe(count(payroll));
    const row = page.locator('[data-testid=segments-table] .ant-table-row', { hasText: '银发' });
    const silver = seg.segments.find((s) => s.segment === 'SILVER')?.members ?? -1;
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe(count(silver));
    // The county groups sit under 县域.
    await page.waitForSelector('[data-testid=segments-table] .ant-table-row:has-text("农户")');
    await w.shot('segments');
    const child = page.getByTestId('segments-children').getByRole('button').first();
    const name = (await child.textContent()) ?? '';
    await child.click();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=breadcrumbs]')?.textContent?.endsWith(n) ?? false,
      name,
    );
    await page.waitForSelector('[data-testid=segments-table] .ant-table-row');

    await page.goto(`${e.url}/merchants`);
    await page.waitForSelector('[data-testid=merchants-table] .ant-table-row');
    const m = await page.evaluate(async () => {
      const all = await (await fetch('/api/merchants/pricing?limit=5000')).json();
      const neg = await (await fetch('/api/merchants/pricing?negative=true&limit=5000')).json();
      return {
        total: all.total as number,
        negative: neg.total as number,
        owners: all.merchants.map((x: { owner_name: string | null }) => x.owner_name) as (string | null)[],
      };
    });
    expect(m.total).toBeGreaterThan(0);
    await expect(page.getByTestId('merchant-count').textContent()).resolves.toBe(`共 ${count(m.total)} 户`);
    await expect(
      page.getByTestId('merchants-card-negative').locator('.ant-statistic-content').textContent(),
    ).resolves.toBe(count(m.negative));
    // Owners come masked, and the page shows them as they came.
    for (const o of m.owners) if (o) expect(o).toContain('*');
    await w.shot('merchants');
    await page.getByTestId('negative-only').click();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=merchant-count]')?.textContent === `共 ${n} 户`,
      count(m.negative),
    );
    const mchild = page.getByTestId('merchants-children').getByRole('button').first();
    const mname = (await mchild.textContent()) ?? '';
    await mchild.click();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=breadcrumbs]')?.textContent?.endsWith(n) ?? false,
      mname,
    );
    expect(w.errors).toEqual([]);
  }, 120_000);

  it('a branch manager: 县域 funnels and the social-security card tab with its assessment', async () => {
    const w = await e.open();
    const { page } = w;
    await page.goto(`${e.url}/county`);
    await page.waitForSelector('#username');
    await e.signIn(w, 'branch-manager');
    await page.waitForSelector('[data-testid=county-funnel] canvas');
    const c = await page.evaluate(
      async () =>
        (await (await fetch('/api/funnels/county')).json()) as {
          org: { org_id: string };
          rows: { org_id: string; opened: number }[];
        },
    );
    const own = c.rows.find((r) => r.org_id === c.org.org_id);
    expect(own).toBeDefined();
    await expect(
      page.locator('[data-testid=county-stages] .ant-table-row').first().locator('td').nth(1).textContent(),
    ).resolves.toBe(count(own?.opened ?? -1));
    expect(await page.locator('[data-testid=county-children] .ant-table-row').count()).toBe(
      c.rows.length - 1,
    );
    await w.shot('county');

    await page.getByRole('tab', { name: '社保卡（三代）' }).click();
    await page.waitForSelector('[data-testid=ssc-funnel] canvas');
    await page.waitForSelector(
      '[data-testid=ssc-assessment] .ant-table, [data-testid=ssc-assessment] .ant-empty',
    );
    const s = await page.evaluate(
      async () =>
        (await (await fetch('/api/funnels/ssc')).json()) as {
          org: { org_id: string };
          rows: { org_id: string; issued: number }[];
        },
    );
    const sOwn = s.rows.find((r) => r.org_id === s.org.org_id);
    await expect(
      page.locator('[data-testid=ssc-stages] .ant-table-row').first().locator('td').nth(1).textContent(),
    ).resolves.toBe(count(sOwn?.issued ?? -1));
    expect(new URL(page.url()).searchParams.get('tab')).toBe('ssc');
    await w.shot('ssc');
    await page.getByTestId('ssc-assessment').scrollIntoViewIfNeeded();
    await w.shot('ssc-assessment');

    const child = page.locator('[data-testid=ssc-children] .ant-table-row').first().getByRole('button');
    const name = (await child.textContent()) ?? '';
    await child.click();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=breadcrumbs]')?.textContent?.endsWith(n) ?? false,
      name,
    );
    await page.waitForSelector('[data-testid=ssc-funnel] canvas');
    expect(w.errors).toEqual([]);
  }, 120_000);

  it('an account manager has no 代发监测, 商户 or 县域, and /payroll answers the 403 page', async () => {
    const w = await e.open();
    const { page } = w;
    await page.goto(`${e.url}/signin`);
    await e.signIn(w, 'account-manager');
    await page.waitForSelector('[data-testid=page-dashboard]');
    const menu = await page.locator('.ant-menu-item').allTextContents();
    for (const item of ['代发监测', '商户', '县域']) expect(menu).not.toContain(item);
    expect(menu).toContain('客群');
    await page.goto(`${e.url}/payroll`);
    await page.waitForSelector('text=您的角色无权打开此页面');
    expect(await page.getByTestId('page-payroll').count()).toBe(0);
    // Their segments are their own outlet's.
    await page.goto(`${e.url}/segments`);
    await page.waitForSelector('[data-testid=segments-table] .ant-table-row');
    await expect(page.getByTestId('breadcrumbs').textContent()).resolves.toContain('网点');
    expect(w.errors).toEqual([]);
  }, 90_000);
});
