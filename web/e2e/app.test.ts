// End to end, the frame and the first two pages: signs in as an account manager and as a branch manager
// (each sees only their scope), works a lead to an outcome, shows a refused contact's reason. The bank,
// server and browser come from ./harness.ts; any console error a step did not expect fails it.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { AS_OF, type E2E, e2eDescribe, startE2E } from './harness';

e2eDescribe('web app e2e: frame, dashboard, workbench', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E();
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  it('an account manager: a wrong password said in words, then only their own outlet and tasks', async () => {
    const w = await e.open();
    const { page } = w;
    await page.goto(`${e.url}/`);
    await page.waitForSelector('#username');
    await w.shot('signin');
    await page.fill('#username', 'account-manager');
    await page.fill('#password', 'not-the-password');
    await page.click('button[type=submit]');
    await expect(page.getByTestId('signin-error').textContent()).resolves.toContain('用户名或密码错误');
    w.expected(/401/);

    await e.signIn(w, 'account-manager');
    await page.waitForSelector('[data-testid=page-dashboard] [data-testid=card-customers]');
    // The frame: the phase with its days left, the data date, the menu limited to the role.
    await expect(page.getByTestId('phase').textContent()).resolves.toMatch(/收官红 · 剩 \d+ 天/);
    await expect(page.getByTestId('as-of').textContent()).resolves.toBe(`数据日期 ${AS_OF}`);
    const menu = await page.locator('.ant-menu-item').allTextContents();
    expect(menu).toEqual(['作战看板', '名单工作台', '厅堂/柜面', '客群', '外拓']);
    // Their own outlet, and nothing below it to rank.
    await expect(page.getByTestId('breadcrumbs').textContent()).resolves.toContain('网点');
    await page.waitForSelector('[data-testid=completion-chart] canvas');
    await w.shot('dashboard-account-manager');

    // Another branch is outside the scope: said in words, with a retry.
    await page.goto(`${e.url}/dashboard?org=BR02`);
    await page.waitForSelector('.ant-result-error');
    await expect(page.locator('.ant-result-subtitle').textContent()).resolves.toContain('NOT_FOUND');
    w.expected(/404/);

    await page.goto(`${e.url}/tasks`);
    await page.waitForSelector('[data-testid=task-table] .ant-table-row');
    const total = await page.getByTestId('task-total').textContent();
    const api = await page.evaluate(async () => {
      const r = await fetch('/api/tasks?view=mine&limit=1000');
      return (await r.json()) as { total: number; tasks: { staff_id: string | null }[] };
    });
    expect(total).toBe(`共 ${api.total.toLocaleString('en-US')} 条`);
    expect(new Set(api.tasks.map((t) => t.staff_id))).toEqual(
      new Set([e.users.get('account-manager')?.staffId]),
    );
    await w.shot('tasks-account-manager');

    // By keyboard alone: focus a row's button, Enter opens the task, Escape closes it.
    const view = page
      .locator('[data-testid=task-table] .ant-table-row')
      .first()
      .getByRole('button', { name: '查看' });
    await view.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=task-reason]');
    expect(await page.locator('.ant-drawer-open').count()).toBe(1);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('.ant-drawer-open') === null);
    expect(w.errors).toEqual([]);
  }, 90_000);

  it('works a lead to an outcome, and a contact over the cap shows its reason', async () => {
    const w = await e.open();
    const { page } = w;
    await page.goto(`${e.url}/signin`);
    await e.signIn(w, 'account-manager');
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
    await expect(page.getByTestId('booked').textContent()).resolves.toContain('2026-12-18 10:00–11:00');
    await w.shot('task-booked');

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
    const w = await e.open();
    const { page } = w;
    await page.goto(`${e.url}/dashboard`);
    await page.waitForSelector('#username'); // sent to sign in, and back to the dashboard after
    await e.signIn(w, 'branch-manager');
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

    // The org picker: the branch's tree; picking an outlet shows it, with its ancestors as breadcrumbs.
    await page.getByTestId('org-picker').click();
    await page.locator('.ant-select-dropdown input, [data-testid=org-picker] input').first().fill('网点');
    const option = page
      .locator('.ant-select-tree-treenode .ant-select-tree-title')
      .filter({ hasText: '网点' })
      .first();
    const outlet = (await option.textContent()) ?? '';
    await option.click();
    await page.waitForFunction(
      (name) => document.querySelector('[data-testid=breadcrumbs]')?.textContent?.endsWith(name) ?? false,
      outlet,
    );
    expect(await page.getByTestId('breadcrumbs').textContent()).toMatch(/^兰州市分行.+支行.+网点/);
    expect(new URL(page.url()).searchParams.get('org')).toMatch(/.+/);
    await w.shot('org-picker');
    await page.getByTestId('breadcrumbs').getByRole('button', { name: '兰州市分行' }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=breadcrumbs]')?.textContent === '兰州市分行',
    );

    await page.click('.ant-segmented-item:has-text("EN")');
    await page.waitForSelector('text=Campaign dashboard');
    await expect(page.getByTestId('phase').textContent()).resolves.toMatch(/year-end sprint · \d+ days left/);
    await w.shot('dashboard-en');
    await page.click('text=Lead workbench');
    await page.waitForSelector('[data-testid=task-table] .ant-table-row');
    await w.shot('tasks-branch-manager-en');
    // The team's progress: every staff member of the branch who works tasks, the API's figures.
    await page.getByRole('tab', { name: 'Team progress' }).click();
    await page.waitForSelector('[data-testid=team-progress] .ant-table-row');
    // The task list's filters belong to the list tab, not beside the team's table.
    expect(await page.getByTestId('view').isVisible()).toBe(false);
    const team = await page.evaluate(async () => {
      const r = await fetch('/api/team');
      return (await r.json()) as { members: { staff_id: string; open: number }[] };
    });
    expect(team.members.length).toBeGreaterThan(1);
    const firstRow = page.locator('[data-testid=team-progress] .ant-table-row').first();
    await expect(firstRow.textContent()).resolves.toContain(team.members[0]?.staff_id ?? '?');
    await w.shot('team-progress-en');
    await page.click('.ant-segmented-item:has-text("中文")');

    // Sign out: back to the sign-in page, and the API no longer answers.
    await page.click('[data-testid=user-menu]');
    await page.getByRole('menuitem', { name: '退出登录' }).click();
    await page.waitForSelector('#username');
    const after = await page.evaluate(async () => (await fetch('/api/session')).status);
    expect(after).toBe(401);
    w.expected(/401/);
    expect(w.errors).toEqual([]);
  }, 90_000);
});
