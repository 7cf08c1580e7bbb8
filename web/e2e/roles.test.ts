// End to end, every role of the demo bank: signs in, lands on its home page, sees exactly the menu its
// permissions open (labels as the UI names them), and the org picker offers only its own subtree —
// the whole bank to HQ, the branch to the branch manager, nothing to pick for an outlet's staff. A page
// outside the role's menu answers the 403 page. Screenshots `home-<role>`.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { permissionsOf, ROLES, type Role } from '../../src/server/roles.js';
import { MENU, menuFor } from '../src/app/menu';
import { zhCN } from '../src/i18n/zh-CN';
import { type E2E, e2eDescribe, startE2E } from './harness';

const label = (key: string) =>
  key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], zhCN) as string;

const username = (role: Role) => role.toLowerCase().replaceAll('_', '-');

e2eDescribe('web app e2e: every role sees only its scope', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E();
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  for (const role of ROLES) {
    it(`${role}: its home page, its menu, its orgs`, async () => {
      const user = e.users.get(username(role));
      expect(user, `demo sign-in for ${role}`).toBeDefined();
      const w = await e.open();
      const { page } = w;
      await page.goto(`${e.url}/signin`);
      await e.signIn(w, username(role));
      await page.waitForSelector('.wj-page-head');
      expect(await page.locator('.ant-result-error, .ant-result-403').count()).toBe(0);

      const perms: string[] = [...permissionsOf(role)];
      const expected = menuFor(perms).flatMap((g) => g.entries.map((x) => label(x.labelKey)));
      expect(await page.locator('.ant-menu-item').allTextContents()).toEqual(expected);
      await expect(page.getByTestId('user-menu').textContent()).resolves.toContain(label(`roles.${role}`));

      // The org picker's choices are the API's orgs in scope, rooted at the user's org.
      if (perms.includes('dashboard:read')) {
        const orgs = await page.evaluate(async () => {
          const r = await fetch('/api/orgs');
          return (await r.json()) as { root: string; orgs: { org_id: string; parent_id: string | null }[] };
        });
        expect(orgs.root).toBe(user?.orgId);
        expect(orgs.orgs.filter((o) => o.parent_id === null).map((o) => o.org_id)).toEqual([user?.orgId]);
        await page.goto(`${e.url}/dashboard`);
        await page.waitForSelector('[data-testid=page-dashboard]');
        expect(await page.getByTestId('org-picker').count()).toBe(orgs.orgs.length > 1 ? 1 : 0);
      }

      // A page the role may not open: the 403 page, not its content.
      const closed = MENU.flatMap((g) => g.entries).find((x) => !perms.includes(x.permission));
      if (closed) {
        await page.goto(`${e.url}${closed.path}`);
        await page.waitForSelector('.ant-result-403');
      }
      await page.goto(`${e.url}/`);
      await page.waitForSelector('.wj-page-head');
      await w.shot(`home-${username(role)}`);
      expect(w.errors).toEqual([]);
      await page.context().close();
    }, 60_000);
  }
});
