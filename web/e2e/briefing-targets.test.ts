// End to end, 周通报 and 指标 as a branch manager: the briefing with a filter changed and the weekly
// workbook downloaded (read back with exceljs: the summary sheet and the KPI sheet of what is shown);
// the targets list, a CSV with an error row refused with that row's problem in words (nothing loaded),
// a cascade previewed, one child edited (the difference shows), balanced and saved (the children's
// targets change); English once. An account manager has neither page. Any console error fails a step.

import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AS_OF, type E2E, e2eDescribe, startE2E } from './harness';

interface Target {
  kpi: string;
  scope_kind: string;
  scope_id: string;
  period: string;
  target: string;
  source: string;
}

e2eDescribe('web app e2e: weekly briefing and targets', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E();
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  it('a branch manager: the briefing, a filter, the Excel download read back, English', async () => {
    const w = await e.open();
    const { page } = w;
    await page.goto(`${e.url}/briefing`);
    await page.waitForSelector('#username');
    await e.signIn(w, 'branch-manager');
    await page.waitForSelector('[data-testid=briefing-table] .ant-table-row');
    await expect(page.getByTestId('briefing-asof').textContent()).resolves.toBe(AS_OF);
    await expect(page.getByTestId('briefing-phase').textContent()).resolves.toMatch(
      /收官红 · 阶段剩余 \d+ 天/,
    );

    // Level → 网点: the table shows the outlets of the branch, as the API says.
    await page.getByTestId('filter-level').click();
    await page.click('.ant-select-item-option[title="网点"]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('level') === 'OUTLET');
    await page.waitForSelector('[data-testid=briefing-table] .ant-table-row');
    const api = await page.evaluate(async () => {
      const r = await fetch('/api/reports/briefing?level=OUTLET');
      return (await r.json()) as {
        kpis: { kpi: string; name: string; rows: { scope_id: string; laggard: boolean }[] }[];
      };
    });
    const first = api.kpis[0];
    expect(first).toBeDefined();
    await expect(page.getByTestId('briefing-rows').textContent()).resolves.toBe(
      `共 ${first?.rows.length} 行`,
    );
    expect(await page.locator('[data-testid=briefing-table] .ant-table-row').count()).toBe(
      Math.min(50, first?.rows.length ?? 0),
    );
    // Red rows for laggards (and those behind time), green for those on time.
    const red = await page.locator('[data-testid=briefing-table] tr.wj-row-laggard').count();
    const green = await page.locator('[data-testid=briefing-table] tr.wj-row-leader').count();
    expect(red + green).toBeGreaterThan(0);
    if (first?.rows.some((r) => r.laggard)) expect(red).toBeGreaterThan(0);
    await w.shot('briefing');

    // 下载 Excel: the same filters, the summary first, then the KPI shown.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('briefing-download').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^weekly-2026-12-15-OUTLET\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile(await download.path())) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['概览', first?.name]);
    const summary = wb.worksheets[0];
    const summaryText = JSON.stringify(summary?.getSheetValues());
    expect(summaryText).toContain(AS_OF);
    expect(String(summary?.getCell('A1').value)).toMatch(/通报/);
    const sheet = wb.worksheets[1];
    expect(String(sheet?.getCell('A1').value)).toBe('机构号');
    const ids: string[] = [];
    sheet?.eachRow((row, n) => {
      if (n > 1) ids.push(String(row.getCell(1).value));
    });
    expect(new Set(ids)).toEqual(new Set(first?.rows.map((r) => r.scope_id)));

    await page.click('.ant-segmented-item:has-text("EN")');
    await page.waitForSelector('text=Weekly briefing');
    await page.waitForSelector('text=Download Excel');
    await page.waitForSelector('[data-testid=briefing-table] .ant-table-row');
    await page.mouse.move(600, 700); // away from the header's menus
    await page.waitForFunction(() => !document.querySelector('.ant-dropdown:not(.ant-dropdown-hidden)'));
    await w.shot('briefing-en');
    await page.click('.ant-segmented-item:has-text("中文")');
    await page.waitForSelector('text=下载 Excel');
    expect(w.errors).toEqual([]);
  }, 120_000);

  it('a branch manager: targets, a CSV with an error row refused in words, a cascade edited and saved', async () => {
    const w = await e.open();
    const { page } = w;
    const org = e.users.get('branch-manager')?.orgId as string;
    await page.goto(`${e.url}/targets`);
    await page.waitForSelector('#username');
    await e.signIn(w, 'branch-manager');
    await page.waitForSelector('[data-testid=targets-table] .ant-table-row');
    const list = async () =>
      page.evaluate(
        async () => ((await (await fetch('/api/targets')).json()) as { targets: Target[] }).targets,
      );
    const before = await list();
    await expect(page.getByTestId('targets-count').textContent()).resolves.toBe(`共 ${before.length} 条`);
    await w.shot('targets');

    // A file whose row 3 has a target that is not a number: refused, row 3 in words, nothing loaded.
    const child = before.find(
      (t) => t.scope_kind === 'ORG' && t.scope_id !== org && t.kpi === 'NEW_CUSTOMERS',
    );
    expect(child).toBeDefined();
    const csv = `kpi,org_id,staff_id,period,target\r\nNEW_CUSTOMERS,${child?.scope_id},,SEASON,777\r\nNEW_CUSTOMERS,${child?.scope_id},,Q1,abc\r\n`;
    await page.getByRole('tab', { name: '上传指标' }).click();
    await page.setInputFiles('.ant-upload input[type=file]', {
      name: 'targets.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv, 'utf8'),
    });
    await page.waitForSelector('[data-testid=upload-problems] .ant-table-row');
    w.expected(/400/);
    await expect(page.getByTestId('upload-error').textContent()).resolves.toContain(
      '文件未导入（一行都没有导入）',
    );
    const cells = await page
      .locator('[data-testid=upload-problems] .ant-table-row')
      .first()
      .locator('td')
      .allTextContents();
    expect(cells[0]).toBe('3');
    expect(cells[1]).toBe('target');
    expect(cells[2]).toContain('"abc" is not a number');
    expect(await list()).toEqual(before);
    await w.shot('targets-upload-error');

    // Cascade the branch's NEW_CUSTOMERS target down to its sub-branches, with one edit.
    const parent = before.find(
      (t) => t.scope_kind === 'ORG' && t.scope_id === org && t.kpi === 'NEW_CUSTOMERS',
    );
    expect(parent).toBeDefined();
    await page.getByRole('tab', { name: '向下分解' }).click();
    if (parent?.period !== 'SEASON') {
      await page.getByTestId('cascade-period').click();
      const zh: Record<string, string> = {
        YEAR_END: '岁末收官',
        NEW_YEAR: '新春攻坚',
        CONSOLIDATION: '旺季巩固',
        Q4: '四季度',
        Q1: '一季度',
      };
      await page.click(`.ant-select-item-option[title="${zh[parent?.period as string]}"]`);
    }
    await page.getByTestId('cascade-preview').click();
    await page.waitForSelector('[data-testid=cascade-table] .ant-table-row');
    const preview = await page.evaluate(
      async (q) =>
        (await (await fetch(`/api/targets/split?${q}`)).json()) as {
          rows: { scope_id: string; target: string }[];
        },
      `kpi=NEW_CUSTOMERS&period=${parent?.period}&from=${org}&by=CUSTOMERS`,
    );
    expect(preview.rows.length).toBeGreaterThanOrEqual(2);
    await expect(page.getByTestId('cascade-balance').textContent()).resolves.toBe('合计等于上级指标');
    const [a, b] = preview.rows as [
      { scope_id: string; target: string },
      { scope_id: string; target: string },
    ];
    const up = String(Number(a.target) + 1);
    const down = String(Number(b.target) - 1);
    await page.getByTestId(`edit-${a.scope_id}`).fill(up);
    await expect(page.getByTestId('cascade-balance').textContent()).resolves.toContain('相差 +1');
    expect(await page.getByTestId('cascade-save').isDisabled()).toBe(true);
    await page.getByTestId(`edit-${b.scope_id}`).fill(down);
    await expect(page.getByTestId('cascade-balance').textContent()).resolves.toBe('合计等于上级指标');
    await page.getByTestId('cascade-save').click();
    await page.waitForSelector('[data-testid=cascade-saved]');
    const after = await list();
    const of = (id: string) =>
      after.find((t) => t.kpi === 'NEW_CUSTOMERS' && t.scope_id === id && t.period === parent?.period);
    expect(Number(of(a.scope_id)?.target)).toBe(Number(up));
    expect(Number(of(b.scope_id)?.target)).toBe(Number(down));
    expect(of(a.scope_id)?.source).toBe('SPLIT');
    await w.shot('targets-cascade');
    expect(w.errors).toEqual([]);
  }, 120_000);

  it('an account manager has neither page in the menu', async () => {
    const w = await e.open();
    const { page } = w;
    await page.goto(`${e.url}/`);
    await page.waitForSelector('#username');
    await e.signIn(w, 'account-manager');
    await page.waitForSelector('[data-testid=page-dashboard]');
    const menu = await page.locator('.ant-menu-item').allTextContents();
    expect(menu).not.toContain('周通报');
    expect(menu).not.toContain('指标');
    await page.goto(`${e.url}/targets`);
    await page.waitForSelector('text=您的角色无权打开此页面');
    expect(await page.getByTestId('page-targets').count()).toBe(0);
    expect(w.errors).toEqual([]);
  }, 60_000);
});
