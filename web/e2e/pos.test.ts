// End to end, 厅堂/柜面: a teller (menu: only 厅堂/柜面) asks the counter prompt about a messy beneficiary
// name of an institution the demo bank's reference extract lists as taking tuition, and about an unknown
// one; the lobby, on the tablet (1024×768, touch), looks up a customer with open leads on the PAD — the
// leads shown, personal data masked. Screenshots pos-counter, pos-counter-en, pos-pad-tablet.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type E2E, e2eDescribe, startE2E, TABLET } from './harness';

/** Every file under dir whose name mentions institutions. */
function institutionFiles(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...institutionFiles(p));
    else if (/institution/i.test(f)) out.push(p);
  }
  return out;
}

/** A listed institution taking tuition, from the sample extract the demo bank was loaded from. */
function supportedInstitution(dir: string): string {
  const [file] = institutionFiles(join(dir, 'sample'));
  if (!file) throw new Error(`no institutions extract under ${dir}/sample`);
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const [head = '', ...lines] = text.split(/\r?\n/).filter(Boolean);
  const sep = head.includes('|') ? '|' : head.includes('\t') ? '\t' : ',';
  const cols = head.split(sep);
  const name = cols.indexOf('institution_name');
  const yes = cols.indexOf('supports_tuition');
  for (const line of lines) {
    const cells = line.split(sep);
    const n = cells[name] ?? '';
    if (cells[yes] === 'Y' && /^[A-Za-z ]+$/.test(n) && n.split(' ').length >= 3) return n;
  }
  throw new Error(`no supported institution with a plain name in ${file}`);
}

e2eDescribe('web app e2e: 厅堂/柜面', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E();
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  it('a teller: the counter prompt for a messy name finds the institution and the offer; an unknown one is not supported', async () => {
    const institution = supportedInstitution(e.dir);
    const w = await e.open();
    const { page } = w;
    await page.goto(`${e.url}/pos`);
    await page.waitForSelector('#username');
    await e.signIn(w, 'teller');
    await page.waitForSelector('[data-testid=pos-counter]');
    expect(await page.locator('.ant-menu-item').allTextContents()).toEqual(['厅堂/柜面']);

    // Lower case, extra spaces and a trailing full stop: as tellers key it.
    const messy = `  ${institution.toLowerCase().replaceAll(' ', '   ')}. `;
    await page.fill('[data-testid=counter-name]', messy);
    await page.click('[data-testid=counter-ask]');
    await page.waitForSelector('[data-testid=counter-answer]');
    expect(await page.getAttribute('[data-testid=counter-answer]', 'data-verdict')).toBe('SUPPORTED');
    expect(await page.textContent('[data-testid=counter-institution]')).toBe(institution);
    await page.waitForSelector('text=支持：留学缴费合作机构');
    expect((await page.textContent('[data-testid=counter-product]'))?.trim()).toMatch(/.+/);
    expect((await page.textContent('[data-testid=counter-offer]'))?.trim()).toMatch(/.+/);
    expect(await page.textContent('[data-testid=counter-time]')).toMatch(/应答耗时 \d+ 毫秒/);
    await page.locator('[data-testid=counter-time]').scrollIntoViewIfNeeded();
    await w.shot('pos-counter');

    await page.click('button:has-text("清空")');
    await page.fill('[data-testid=counter-name]', 'Zzyzx Qwerty Nowhere Institute');
    await page.click('[data-testid=counter-ask]');
    await page.waitForSelector('[data-testid=counter-answer][data-verdict=UNKNOWN]');
    await page.waitForSelector('text=不支持：未找到合作机构');
    // Both lookups are in the session's list, the newest first.
    expect(await page.locator('[data-testid=counter-recent] .ant-list-item').count()).toBe(2);

    await page.click('.ant-segmented-item:has-text("EN")');
    await page.waitForSelector('text=Not supported: no partner institution found');
    await page.locator('[data-testid=counter-recent] .ant-list-item').nth(1).click();
    await page.waitForSelector('text=Supported: a tuition partner institution');
    await w.shot('pos-counter-en');
    expect(w.errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('the lobby on the tablet: a PAD lookup shows the open leads, masked', async () => {
    // Customers with open work: an account manager's own tasks, read through the API in their page.
    const am = await e.open();
    await am.page.goto(`${e.url}/`);
    await am.page.waitForSelector('#username');
    await e.signIn(am, 'account-manager');
    await am.page.waitForSelector('[data-testid=page-dashboard]');
    const candidates = await am.page.evaluate(async () => {
      const r = await fetch('/api/tasks?view=mine&limit=1000');
      const body = (await r.json()) as { tasks: { customer_id: string | null; status: string }[] };
      const ids = body.tasks.filter((t) => t.status === 'OPEN').map((t) => t.customer_id);
      return [...new Set(ids.filter((id): id is string => id !== null))];
    });
    await am.page.context().close();
    expect(candidates.length).toBeGreaterThan(0);

    const w = await e.open(TABLET);
    const { page } = w;
    await page.goto(`${e.url}/pos?tab=pad`);
    await page.waitForSelector('#username');
    await e.signIn(w, 'lobby');
    await page.waitForSelector('[data-testid=pos-pad]');
    let found = false;
    for (const id of candidates.slice(0, 10)) {
      // As a barcode scanner does: the keystrokes, then Enter.
      await page.fill('[data-testid=pad-entry]', '');
      await page.type('[data-testid=pad-entry]', String(id));
      await page.press('[data-testid=pad-entry]', 'Enter');
      await page.waitForFunction(
        (cid) => document.querySelector('[data-testid=pad-customer]')?.textContent?.includes(cid) ?? false,
        id,
      );
      if ((await page.locator('[data-testid=pad-lead]').count()) > 0) {
        found = true;
        break;
      }
      await page.waitForSelector('text=该客户暂无未结名单');
    }
    expect(found, 'one of the account manager’s customers has open leads on the PAD').toBe(true);
    const text = (await page.textContent('[data-testid=page-pos]')) ?? '';
    expect(text).not.toMatch(/(?<!\d)1\d{10}(?!\d)/);
    expect(text).not.toMatch(/(?<![0-9A-Z])\d{17}[\dX](?![0-9A-Z])/);
    expect(text).toContain('*');
    // Touch targets: the lookup button and the entry at least 44 px high; the page fits the width.
    for (const sel of [
      '[data-testid=pad-ask]',
      '[data-testid=pad-entry]',
      '[data-testid=pos-tabs] .ant-segmented-item',
    ]) {
      const box = await page.locator(sel).first().boundingBox();
      expect(box?.height ?? 0, sel).toBeGreaterThanOrEqual(44);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    await page.locator('[data-testid=pad-leads]').scrollIntoViewIfNeeded();
    await w.shot('pos-pad-tablet');
    expect(w.errors).toEqual([]);
    await page.context().close();
  }, 90_000);
});
