// End to end, 外拓 as an account manager: the calendar, an outreach event created and its result
// recorded, an appointment booked for a customer of their tasks and marked DONE, a visit recorded, progress on a P7 row; then a
// branch manager sees the branch's events (the one the account manager made among them), in English
// once. Any console error fails a step.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type E2E, e2eDescribe, startE2E } from './harness';

/** Choose an option of an antd Select opened by clicking the element matching `selector`. */
async function choose(page: Page, selector: string, label: string) {
  await page.click(selector);
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: label })
    .first()
    .click();
}

/** Type a date (or time) into an antd picker's input and confirm it with Enter. */
async function typeDate(page: Page, selector: string, value: string) {
  await page.click(selector);
  await page.fill(selector, value);
  await page.keyboard.press('Enter');
}

const bankToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

e2eDescribe('web app e2e: 外拓 field operations', () => {
  let e: E2E;
  const place = `幸福社区活动中心 ${Date.now() % 100000}`;
  let eventId = 0;
  beforeAll(async () => {
    e = await startE2E();
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  it('an account manager: calendar, an event and its result, an appointment done, a visit, P7 progress', async () => {
    const w = await e.open();
    const { page } = w;
    await page.goto(`${e.url}/field`);
    await page.waitForSelector('#username');
    await e.signIn(w, 'account-manager');
    await page.waitForSelector('[data-testid=field-calendar] .ant-picker-calendar');
    await page.waitForSelector('[data-testid=calendar-day]');
    expect(await page.getByTestId('field-read-only').count()).toBe(0);

    // Create an outreach event (a required field left empty is said in words first).
    await page.getByTestId('field-tab-events').click();
    await page.waitForURL(/\/field\/events$/);
    await page.getByTestId('new-event').click();
    await page.getByTestId('event-submit').click();
    await page.waitForSelector('.ant-form-item-explain-error:has-text("请填写小队")');
    await choose(page, '#event-team', '敲门小队');
    await page.fill('#event-place', place);
    await page.getByTestId('event-submit').click();
    await page.waitForURL(/\/field\/events\/\d+$/);
    eventId = Number(/events\/(\d+)$/.exec(page.url())?.[1]);
    expect(eventId).toBeGreaterThan(0);
    await page.waitForSelector('[data-testid=event-record]');

    // Record its result: held, 5 cards, 40 participants.
    await choose(page, '[data-testid=result-form] .ant-select', '已开展');
    await page.fill('#result-cards-input', '5');
    await page.fill('#result-participants-input', '40');
    await page.getByTestId('result-submit').click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=result-participants]')?.textContent?.includes('40'),
    );
    const saved = await page.evaluate(async (id) => (await fetch(`/api/field/events/${id}`)).json(), eventId);
    expect(saved.status).toBe('DONE');
    expect(saved.results.cards_opened).toBe(5);
    expect(saved.results.participants).toBe(40);
    expect(saved.place).toBe(place);
    await w.shot('field-event');

    // Book an appointment for a customer of the account manager's tasks, today at 10:00.
    const customer = await page.evaluate(async () => {
      const r = await (await fetch('/api/tasks?limit=50')).json();
      return (r.tasks as { customer_id: string | null }[]).find((x) => x.customer_id)?.customer_id as string;
    });
    expect(customer).toBeTruthy();
    const today = bankToday();
    await page.getByTestId('field-tab-appointments').click();
    await page.waitForSelector('[data-testid=book-form]');
    await page.fill('#book-customer', customer);
    await typeDate(page, '#book-date', today);
    await typeDate(page, '#book-start', '10:00');
    await choose(page, '#book-reason', '社保卡办理');
    await page.getByTestId('book-submit').click();
    await page.waitForSelector('[data-testid=appointments-table] [data-testid=appt-done]');
    const rows = page.locator('[data-testid=appointments-table] .ant-table-row');
    expect(await rows.count()).toBe(1);
    // The customer comes masked.
    expect(await rows.first().textContent()).toContain('*');

    // A second tab shows the same slot still booked; after it is marked DONE here, changing it there is
    // refused 409 APPOINTMENT_CLOSED, said in words.
    const stale = await page.context().newPage();
    const staleErrors: string[] = [];
    stale.on('console', (m) => {
      if (m.type() === 'error') staleErrors.push(m.text());
    });
    await stale.goto(`${e.url}/field/appointments`);
    await stale.waitForSelector('[data-testid=appointments-table] [data-testid=appt-done]');
    await rows.first().getByTestId('appt-done').click();
    await page.waitForSelector(
      '[data-testid=appointments-table] [data-testid=appt-status]:has-text("已上门")',
    );
    const done = await page.evaluate(async (day) => {
      const r = await (await fetch(`/api/appointments?date=${day}&status=DONE`)).json();
      return r.appointments.length as number;
    }, today);
    expect(done).toBe(1);
    await stale.getByTestId('appt-done').first().click();
    await stale.waitForSelector('[data-testid=appt-error]:has-text("预约已结束")');
    expect(staleErrors.length).toBe(1);
    expect(staleErrors[0]).toMatch(/409/);
    await stale.close();

    // Record a government visit (an employer visit without the employer is said in words first).
    await page.getByTestId('field-tab-visits').click();
    await page.getByTestId('new-visit').click();
    await choose(page, '#visit-outcome', '已见面');
    await page.getByTestId('visit-submit').click();
    await page.waitForSelector('[data-testid=visit-error]:has-text("单位走访需要填写单位号")');
    await choose(page, '[data-testid=visit-form] .ant-select', '政府走访');
    await page.fill('[data-testid=visit-form] #counterpart', '人社局');
    await page.getByTestId('visit-submit').click();
    await page.waitForSelector('[data-testid=visits-table] .ant-table-row:has-text("人社局")');
    await w.shot('field-visits');

    // Progress on the P7 tables: an assistance action of the outlet marked done, and a benefit
    // program's figures (paid into a card above the reached is said in words first).
    await page.getByTestId('field-tab-p7').click();
    await page.waitForSelector('[data-testid=assistance-table] [data-testid=record-action]');
    await page.waitForSelector('[data-testid=benefits-table] [data-testid=record-program]');
    await page.getByTestId('record-action').first().click();
    await choose(page, '.ant-modal .ant-select', '已完成');
    await page.fill('#progress-note', '已对接村委');
    await page.getByTestId('progress-submit').click();
    await page.waitForSelector(
      '[data-testid=assistance-table] [data-testid=action-progress]:has-text("已完成")',
    );
    await page.waitForSelector('.ant-modal', { state: 'detached' });
    await page.getByTestId('record-program').first().click();
    await page.fill('#progress-reached', '12');
    await page.fill('#progress-paid', '30');
    await page.getByTestId('progress-submit').click();
    await page.waitForSelector('[data-testid=progress-error]:has-text("不能超过触达人数")');
    await page.fill('#progress-paid', '8');
    await page.getByTestId('progress-submit').click();
    await page.waitForSelector('[data-testid=benefits-table] [data-testid=program-reached]:has-text("12")');
    await page.waitForSelector('.ant-modal', { state: 'detached' });
    await w.shot('field-p7');

    // Back on the calendar: today's cell counts the event, the day's list names it; tomorrow the slot.
    await page.getByTestId('field-tab-calendar').click();
    await page.waitForSelector(`[data-testid=cal-${today}]:has-text("活动 1")`);
    await page.waitForSelector(
      `[data-testid=calendar-day] [data-testid=calendar-event]:has-text("${place}")`,
    );
    await page.waitForSelector(`[data-testid=cal-${today}]:has-text("预约 1")`);
    await w.shot('field-calendar');
    expect(w.errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('a branch manager sees the branch’s events, the account manager’s among them; English once', async () => {
    const w = await e.open();
    const { page } = w;
    await page.goto(`${e.url}/field/events`);
    await page.waitForSelector('#username');
    await e.signIn(w, 'branch-manager');
    await page.waitForSelector('[data-testid=events-table] .ant-table-row');
    await page.waitForSelector(`[data-testid=events-table] .ant-table-row:has-text("${place}")`);
    const api = await page.evaluate(
      async () => (await (await fetch('/api/field/events?limit=1000')).json()).events.length,
    );
    await expect(page.getByTestId('events-table-count').textContent()).resolves.toBe(`共 ${api} 条`);
    await page.click('.ant-segmented-item:has-text("EN")');
    await page.waitForSelector('[data-testid=field-tab-events]:has-text("Events")');
    await page.waitForSelector(`[data-testid=events-table-count]:has-text("Rows: ${api}")`);
    await w.shot('field-events-en');
    await page.getByTestId('field-tab-calendar').click();
    await page.waitForSelector('[data-testid=field-calendar] .ant-picker-calendar');
    await w.shot('field-calendar-en');
    expect(w.errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
