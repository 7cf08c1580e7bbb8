// Sign-in on both engines: password hashing, users, sessions and their timeouts, revocation, the
// throttle (per username and address, per address, an account under attack) and the audit entries of
// each action. Hashes use the real argon2id parameters, so each test hashes only a few times.

import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeEachEngine, type TestDb } from '../../../test/engines.js';
import { insertBank } from '../../../test/hand-made.js';
import { verifyAudit } from '../../audit/log.js';
import { run } from '../../cli/main.js';
import { checkConsoleStatement } from '../../db/console.js';
import { openDb } from '../../db/open.js';
import type { Db } from '../../db/types.js';
import { ROLES } from '../roles.js';
import { demoUsername, seedDemoUsers } from './demoUsers.js';
import { login, logout, resolveSession, SESSION_COOKIE } from './index.js';
import {
  ARGON2_PARAMS,
  generatePassword,
  hashPassword,
  needsRehash,
  parsePhc,
  verifyPassword,
} from './passwords.js';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, sessionIdOf } from './sessions.js';
import { ipKey, recordFailure, THROTTLE, usernameKey } from './throttle.js';
import { addUser, disableUser, listUsers, resetPassword, UserError } from './users.js';

/** A small bank: HQ → BR1 → SB1 → OU1, and the remote centre; one staff member of each staff role. */
async function insertAuthBank(db: Db): Promise<void> {
  await insertBank(db, [
    [
      'orgs',
      'org_id, org_name, level, parent_id',
      [
        "('HQ', '总行', 'HQ', NULL)",
        "('RC', '远程银行中心', 'REMOTE_CENTER', 'HQ')",
        "('BR1', '分行一', 'BRANCH', 'HQ')",
        "('SB1', '支行一', 'SUBBRANCH', 'BR1')",
        "('OU1', '网点一', 'OUTLET', 'SB1')",
        "('OU2', '网点二', 'OUTLET', 'SB1')",
      ],
    ],
    [
      'staff',
      'staff_id, org_id, staff_name, role',
      [
        "('OPS1', 'HQ', '运营一', 'HQ_OPS')",
        "('BM1', 'BR1', '行长一', 'BRANCH_MANAGER')",
        "('SM1', 'SB1', '支行长一', 'SUBBRANCH_MANAGER')",
        "('RM1', 'SB1', '对公一', 'CORPORATE_RM')",
        "('OM1', 'OU1', '主任一', 'OUTLET_MANAGER')",
        "('M1', 'OU1', '经理一', 'ACCOUNT_MANAGER')",
        "('M2', 'OU2', '经理二', 'ACCOUNT_MANAGER')",
        "('L1', 'OU1', '大堂一', 'LOBBY')",
        "('T1', 'OU1', '柜员一', 'TELLER')",
        "('RA1', 'RC', '坐席一', 'REMOTE_AGENT')",
      ],
    ],
  ]);
}

const T0 = new Date('2026-12-01T02:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;
const admin = { actor: 'cli:test' };

it('hashes passwords with argon2id at m ≥ 19456 KiB, t ≥ 2, and generates 20-character passwords', async () => {
  const password = generatePassword();
  expect(password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
  expect(generatePassword()).not.toBe(password);
  expect(() => generatePassword(12)).toThrow(/at least 16/);
  const h = await hashPassword(password);
  const p = parsePhc(h);
  expect(p).toMatchObject({ algorithm: 'argon2id', version: 19 });
  expect(p?.memoryCost).toBeGreaterThanOrEqual(19_456);
  expect(p?.timeCost).toBeGreaterThanOrEqual(2);
  expect(ARGON2_PARAMS.memoryCost).toBeGreaterThanOrEqual(19_456);
  expect(needsRehash(h)).toBe(false);
  expect(needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g')).toBe(true);
  expect(await verifyPassword(h, password)).toBe(true);
  expect(await verifyPassword(h, `${password}x`)).toBe(false);
  expect(await verifyPassword('not a hash', password)).toBe(false);
  expect(SESSION_COOKIE).toBe('wangji_session');
});

it('counts addresses by IPv4 address and IPv6 /64', () => {
  expect(ipKey('10.1.2.3')).toBe('10.1.2.3');
  expect(ipKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
  expect(ipKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
  expect(ipKey('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
  expect(ipKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
});

describeEachEngine('sign-in', (engine) => {
  let db: TestDb;
  /** Audit entries of a subject, oldest first. */
  const auditOf = async (subject: string) =>
    (
      await db.query<{ actor: string; action: string; detail: string | null }>(
        'SELECT actor, action, detail FROM audit_log WHERE subject = $1 ORDER BY seq',
        [subject],
      )
    ).map((r) => ({ ...r, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null }));

  beforeAll(async () => {
    db = await engine.open();
    await insertAuthBank(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('keeps the sign-in tables and the audit log out of the analysts’ console', async () => {
    if (engine.kind === 'duckdb') {
      // No roles on DuckDB: the console's statement check refuses them.
      for (const t of ['users', 'sessions', 'login_failures', 'audit_log', 'USERS'])
        await expect(checkConsoleStatement(db, `SELECT * FROM ${t}`)).rejects.toThrow(
          /not readable from the console/,
        );
      return;
    }
    const rows = await db.query<{ t: string; readable: boolean }>(
      `SELECT t, has_table_privilege('wangji_console', t, 'SELECT') AS readable
         FROM (VALUES ('users'), ('sessions'), ('login_failures'), ('audit_log')) AS v(t)`,
    );
    expect(rows).toEqual([
      { t: 'users', readable: false },
      { t: 'sessions', readable: false },
      { t: 'login_failures', readable: false },
      { t: 'audit_log', readable: false },
    ]);
  });

  it('adds users only with a known role, an existing org, and a staff member of that org', async () => {
    const bad = async (u: Parameters<typeof addUser>[1], message: RegExp) => {
      const e = await addUser(db, u, admin).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UserError);
      expect((e as Error).message).toMatch(message);
    };
    await bad({ username: 'x', role: 'HQ_ADMIN', orgId: 'HQ' }, /username "x" is not valid/);
    await bad({ username: 'Bad Name', role: 'HQ_ADMIN', orgId: 'HQ' }, /is not valid/);
    await bad({ username: 'zed', role: 'ROOT', orgId: 'HQ' }, /role "ROOT" is not one of ACCOUNT_MANAGER/);
    await bad({ username: 'zed', role: 'AUDITOR', orgId: 'NOPE' }, /org "NOPE" is not in the orgs table/);
    await bad(
      { username: 'zed', role: 'ACCOUNT_MANAGER', orgId: 'OU1', staffId: 'S404' },
      /"S404" is not in the staff/,
    );
    await bad(
      { username: 'zed', role: 'ACCOUNT_MANAGER', orgId: 'OU1', staffId: 'M2' },
      /belongs to org OU2, not OU1/,
    );
    await bad({ username: 'zed', role: 'TELLER', orgId: 'OU1' }, /acts as a staff member: give the staff id/);
    const { user, password } = await addUser(
      db,
      { username: ' Auditor.One ', role: 'auditor', orgId: 'HQ', displayName: '审计一' },
      admin,
    );
    expect(password).toHaveLength(20);
    expect(user).toMatchObject({
      username: 'auditor.one',
      role: 'AUDITOR',
      orgId: 'HQ',
      staffId: null,
      disabled: false,
    });
    await bad({ username: 'AUDITOR.ONE', role: 'AUDITOR', orgId: 'HQ' }, /exists already/);
    const [stored] = await db.query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE username = 'auditor.one'",
    );
    expect(stored?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored?.password_hash).not.toContain(password);
    expect(await auditOf('auditor.one')).toEqual([
      {
        actor: 'cli:test',
        action: 'USER_ADDED',
        detail: { userId: user.userId, role: 'AUDITOR', org: 'HQ', staff: null },
      },
    ]);
  });

  it('signs in with a new session each time, audits good and bad attempts once, and never says which failed', async () => {
    const { password } = await addUser(
      db,
      { username: 'mgr1', role: 'ACCOUNT_MANAGER', orgId: 'OU1', staffId: 'M1' },
      admin,
    );
    const a = await login(db, { username: 'MGR1', password, ip: '10.0.0.1', now: T0 });
    const b = await login(db, { username: 'mgr1', password, ip: '10.0.0.1', now: T0 });
    if (!a.ok || !b.ok) throw new Error('sign-in failed');
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.principal.sessionId).toBe(sessionIdOf(a.token));
    expect(a.principal.sessionId).not.toBe(b.principal.sessionId);
    expect(a.principal).toMatchObject({
      username: 'mgr1',
      role: 'ACCOUNT_MANAGER',
      orgId: 'OU1',
      staffId: 'M1',
      scope: 'OWN',
    });
    expect(a.principal.permissions.has('leads:work')).toBe(true);
    expect(a.principal.permissions.has('users:admin')).toBe(false);
    expect(a.principal.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the token's hash is stored.
    const stored = await db.query<{ session_id: string }>('SELECT session_id FROM sessions');
    expect(stored.map((s) => s.session_id)).toContain(sessionIdOf(a.token));
    expect(stored.map((s) => s.session_id)).not.toContain(a.token);
    expect((await resolveSession(db, a.token, at(MIN)))?.userId).toBe(a.principal.userId);

    const wrong = await login(db, { username: 'mgr1', password: 'wrong password', ip: '10.0.0.1', now: T0 });
    const unknown = await login(db, { username: 'nobody', password, ip: '10.0.0.1', now: T0 });
    expect(wrong).toEqual({ ok: false, reason: 'BAD_CREDENTIALS' });
    expect(unknown).toEqual({ ok: false, reason: 'BAD_CREDENTIALS' });
    expect(await auditOf('mgr1')).toEqual([
      expect.objectContaining({ action: 'USER_ADDED' }),
      {
        actor: 'mgr1',
        action: 'LOGIN',
        detail: { ip: '10.0.0.1', session: a.principal.sessionId.slice(0, 16) },
      },
      {
        actor: 'mgr1',
        action: 'LOGIN',
        detail: { ip: '10.0.0.1', session: b.principal.sessionId.slice(0, 16) },
      },
      { actor: 'ip:10.0.0.1', action: 'LOGIN_FAILED', detail: { reason: 'BAD_PASSWORD', ip: '10.0.0.1' } },
    ]);
    // An unknown username is recorded masked (it may be a password typed into the wrong field).
    expect(await auditOf('no****')).toEqual([
      { actor: 'ip:10.0.0.1', action: 'LOGIN_FAILED', detail: { reason: 'UNKNOWN_USER', ip: '10.0.0.1' } },
    ]);
    expect(await auditOf('nobody')).toEqual([]);

    // Sign-out ends the session at once, audited once; a second sign-out does nothing.
    await logout(db, a.token);
    await logout(db, a.token);
    await logout(db, 'not-a-token');
    expect(await resolveSession(db, a.token, at(MIN))).toBeNull();
    expect((await resolveSession(db, b.token, at(MIN)))?.username).toBe('mgr1');
    const logouts = (await auditOf('mgr1')).filter((e) => e.action === 'LOGOUT');
    expect(logouts).toEqual([
      { actor: 'mgr1', action: 'LOGOUT', detail: { session: a.principal.sessionId.slice(0, 16) } },
    ]);
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it('ends a session after 30 idle minutes or 12 hours, and touches it at most once a minute', async () => {
    expect(SESSION_IDLE_MS).toBe(30 * MIN);
    expect(SESSION_ABSOLUTE_MS).toBe(12 * 60 * MIN);
    const { password } = await addUser(
      db,
      { username: 'ops1', role: 'HQ_OPS', orgId: 'HQ', staffId: 'OPS1' },
      admin,
    );
    const s = await login(db, { username: 'ops1', password, ip: '10.0.0.2', now: T0 });
    if (!s.ok) throw new Error('sign-in failed');
    const lastSeen = async () =>
      (
        await db.query<{ last_seen_at: string }>('SELECT last_seen_at FROM sessions WHERE session_id = $1', [
          s.principal.sessionId,
        ])
      )[0]?.last_seen_at;
    expect(await resolveSession(db, s.token, at(30 * 1000))).not.toBeNull();
    expect(await lastSeen()).toBe(T0.toISOString()); // within the minute: not written
    expect(await resolveSession(db, s.token, at(29 * MIN))).not.toBeNull();
    // The touch is written behind the request.
    await expect.poll(lastSeen).toBe(at(29 * MIN).toISOString());
    // Idle: 30 minutes after the last request.
    expect(await resolveSession(db, s.token, at(59 * MIN))).toBeNull();
    // Kept alive every 20 minutes, it still ends 12 hours after sign-in.
    const t = await login(db, { username: 'ops1', password, ip: '10.0.0.2', now: T0 });
    if (!t.ok) throw new Error('sign-in failed');
    let now = 0;
    for (; now < 12 * 60 * MIN; now += 20 * MIN)
      expect(await resolveSession(db, t.token, at(now))).not.toBeNull();
    expect(await resolveSession(db, t.token, at(12 * 60 * MIN))).toBeNull();
    expect(await resolveSession(db, 'x'.repeat(43), at(MIN))).toBeNull();
  });

  it('revokes every session at once when a user is disabled or given a new password', async () => {
    const { password } = await addUser(
      db,
      { username: 'teller1', role: 'TELLER', orgId: 'OU1', staffId: 'T1' },
      admin,
    );
    const s1 = await login(db, { username: 'teller1', password, ip: '10.0.0.3', now: T0 });
    const s2 = await login(db, { username: 'teller1', password, ip: '10.0.0.4', now: T0 });
    if (!s1.ok || !s2.ok) throw new Error('sign-in failed');
    const reset = await resetPassword(db, 'teller1', { ...admin, now: at(MIN) });
    expect(reset.sessionsRevoked).toBe(2);
    expect(reset.password).not.toBe(password);
    expect(await resolveSession(db, s1.token, at(2 * MIN))).toBeNull();
    expect(await resolveSession(db, s2.token, at(2 * MIN))).toBeNull();
    expect((await login(db, { username: 'teller1', password, ip: '10.0.0.3', now: at(2 * MIN) })).ok).toBe(
      false,
    );
    const s3 = await login(db, {
      username: 'teller1',
      password: reset.password,
      ip: '10.0.0.3',
      now: at(2 * MIN),
    });
    if (!s3.ok) throw new Error('sign-in with the new password failed');

    const disabled = await disableUser(db, 'teller1', { ...admin, now: at(3 * MIN) });
    expect(disabled).toMatchObject({ sessionsRevoked: 1, user: { disabled: true } });
    expect(await resolveSession(db, s3.token, at(3 * MIN))).toBeNull();
    // A disabled user is told only that the credentials are wrong; the audit says why.
    expect(
      await login(db, { username: 'teller1', password: reset.password, ip: '10.0.0.3', now: at(4 * MIN) }),
    ).toEqual({ ok: false, reason: 'BAD_CREDENTIALS' });
    await expect(disableUser(db, 'teller1', admin)).rejects.toThrow(/disabled already/);
    await expect(resetPassword(db, 'nobody', admin)).rejects.toThrow(/no user "nobody"/);
    expect(
      (await auditOf('teller1')).map((e) => `${e.actor} ${e.action} ${JSON.stringify(e.detail)}`),
    ).toEqual([
      expect.stringMatching(/^cli:test USER_ADDED /),
      expect.stringMatching(/^teller1 LOGIN /),
      expect.stringMatching(/^teller1 LOGIN /),
      `cli:test PASSWORD_RESET {"userId":${reset.user.userId},"sessionsRevoked":2}`,
      'ip:10.0.0.3 LOGIN_FAILED {"reason":"BAD_PASSWORD","ip":"10.0.0.3"}',
      expect.stringMatching(/^teller1 LOGIN /),
      `cli:test USER_DISABLED {"userId":${reset.user.userId},"sessionsRevoked":1}`,
      'ip:10.0.0.3 LOGIN_FAILED {"reason":"DISABLED","ip":"10.0.0.3"}',
    ]);
    const listed = (await listUsers(db, at(4 * MIN))).find((u) => u.username === 'teller1');
    expect(listed).toMatchObject({ disabled: true, activeSessions: 0, staffId: 'T1' });
    expect(listed).not.toHaveProperty('password_hash');
  });

  it('throttles guessing per username and address without locking the real user out', async () => {
    const { password } = await addUser(
      db,
      { username: 'om1', role: 'OUTLET_MANAGER', orgId: 'OU1', staffId: 'OM1' },
      admin,
    );
    const attacker = '203.0.113.7';
    for (let i = 0; i < THROTTLE.pairFree; i++) {
      const r = await login(db, { username: 'om1', password: `guess-${i}`, ip: attacker, now: at(i * 1000) });
      expect(r).toEqual({ ok: false, reason: 'BAD_CREDENTIALS' });
    }
    // The sixth attempt from there is refused without a password check, even with the right password.
    const refused = await login(db, { username: 'om1', password, ip: attacker, now: at(5000) });
    expect(refused).toEqual({ ok: false, reason: 'THROTTLED', retryAfterSeconds: 14 });
    // The real user, from another address, gets in.
    expect((await login(db, { username: 'om1', password, ip: '10.9.9.9', now: at(5000) })).ok).toBe(true);
    // After the delay the attacker may try again; each failure doubles the next delay.
    const again = await login(db, { username: 'om1', password: 'guess-5', ip: attacker, now: at(19_000) });
    expect(again).toEqual({ ok: false, reason: 'BAD_CREDENTIALS' });
    expect(await login(db, { username: 'om1', password, ip: attacker, now: at(20_000) })).toEqual({
      ok: false,
      reason: 'THROTTLED',
      retryAfterSeconds: 29,
    });
    const failed = (await auditOf('om1')).filter((e) => e.action === 'LOGIN_FAILED');
    expect(failed.map((e) => e.detail?.reason)).toEqual([
      'BAD_PASSWORD',
      'BAD_PASSWORD',
      'BAD_PASSWORD',
      'BAD_PASSWORD',
      'BAD_PASSWORD',
      'THROTTLED',
      'BAD_PASSWORD',
      'THROTTLED',
    ]);
    // Failures are kept by a hash of the username, never as typed.
    const keys = await db.query<{ username_key: string }>('SELECT DISTINCT username_key FROM login_failures');
    expect(keys.map((k) => k.username_key)).toContain(usernameKey('om1'));
  });

  it('throttles an address that sprays many usernames, except for users known at that address', async () => {
    const { password } = await addUser(
      db,
      { username: 'sm1', role: 'SUBBRANCH_MANAGER', orgId: 'SB1', staffId: 'SM1' },
      admin,
    );
    const nat = '198.51.100.1';
    // sm1 has signed in from the branch's NAT address before.
    expect((await login(db, { username: 'sm1', password, ip: nat, now: T0 })).ok).toBe(true);
    await db.transaction(async (tx) => {
      for (let i = 0; i < THROTTLE.ipFree; i++)
        await recordFailure(tx, { usernameKey: usernameKey(`user${i}`), ipKey: nat, now: at(MIN) });
    });
    const sprayed = await login(db, { username: 'bm1', password: 'x', ip: nat, now: at(MIN + 1000) });
    expect(sprayed).toMatchObject({ ok: false, reason: 'THROTTLED' });
    // A user who signed in from there before is not locked out by the others' failures …
    expect((await login(db, { username: 'sm1', password, ip: nat, now: at(MIN + 1000) })).ok).toBe(true);
    // … and elsewhere nobody is affected.
    const { password: bm } = await addUser(
      db,
      { username: 'bm1', role: 'BRANCH_MANAGER', orgId: 'BR1', staffId: 'BM1' },
      admin,
    );
    expect((await login(db, { username: 'bm1', password: bm, ip: '10.1.1.1', now: at(MIN + 1000) })).ok).toBe(
      true,
    );
    // After the window the address starts afresh.
    expect(
      (await login(db, { username: 'bm1', password: bm, ip: nat, now: at(MIN + THROTTLE.windowMs + 1000) }))
        .ok,
    ).toBe(true);
  });

  it('gives unknown addresses one free failure for an account under a distributed attack', async () => {
    const { password } = await addUser(
      db,
      { username: 'rm1', role: 'CORPORATE_RM', orgId: 'SB1', staffId: 'RM1' },
      admin,
    );
    expect((await login(db, { username: 'rm1', password, ip: '10.2.2.2', now: T0 })).ok).toBe(true);
    await db.transaction(async (tx) => {
      for (let i = 0; i < THROTTLE.accountAlarm; i++)
        await recordFailure(tx, { usernameKey: usernameKey('rm1'), ipKey: `192.0.2.${i}`, now: at(MIN) });
    });
    // A fresh address still gets its first attempt (the real user's, here) …
    expect((await login(db, { username: 'rm1', password, ip: '10.3.3.3', now: at(2 * MIN) })).ok).toBe(true);
    // … but after one failure it waits, while the user's known address keeps the usual allowance.
    expect(
      (await login(db, { username: 'rm1', password: 'guess', ip: '10.4.4.4', now: at(2 * MIN) })).ok,
    ).toBe(false);
    expect(
      await login(db, { username: 'rm1', password, ip: '10.4.4.4', now: at(2 * MIN + 1000) }),
    ).toMatchObject({
      reason: 'THROTTLED',
    });
    expect(
      (await login(db, { username: 'rm1', password: 'guess', ip: '10.2.2.2', now: at(2 * MIN) })).ok,
    ).toBe(false);
    expect((await login(db, { username: 'rm1', password, ip: '10.2.2.2', now: at(2 * MIN + 1000) })).ok).toBe(
      true,
    );
  });

  it('seeds one demo user per role bound to the bank, once', async () => {
    const first = await seedDemoUsers(db, { now: T0 });
    expect(first.map((u) => u.role)).toEqual([...ROLES]);
    const byRole = Object.fromEntries(first.map((u) => [u.role, u]));
    expect(byRole.ACCOUNT_MANAGER).toMatchObject({
      username: 'account-manager',
      orgId: 'OU1',
      staffId: 'M1',
    });
    expect(byRole.OUTLET_MANAGER).toMatchObject({ orgId: 'OU1', staffId: 'OM1' });
    expect(byRole.SUBBRANCH_MANAGER).toMatchObject({ orgId: 'SB1', staffId: 'SM1' });
    expect(byRole.BRANCH_MANAGER).toMatchObject({ orgId: 'BR1', staffId: 'BM1' });
    expect(byRole.CORPORATE_RM).toMatchObject({ orgId: 'SB1', staffId: 'RM1' });
    expect(byRole.LOBBY).toMatchObject({ orgId: 'OU1', staffId: 'L1' });
    expect(byRole.TELLER).toMatchObject({ orgId: 'OU1', staffId: 'T1' });
    expect(byRole.REMOTE_AGENT).toMatchObject({ orgId: 'RC', staffId: 'RA1' });
    expect(byRole.HQ_OPS).toMatchObject({ orgId: 'HQ', staffId: 'OPS1' });
    expect(byRole.HQ_ADMIN).toMatchObject({ username: 'hq-admin', orgId: 'HQ', staffId: null });
    expect(byRole.AUDITOR).toMatchObject({ orgId: 'HQ', staffId: null });
    expect(first.every((u) => typeof u.password === 'string' && u.password.length >= 16)).toBe(true);
    const again = await seedDemoUsers(db);
    expect(again.map((u) => [u.username, u.password])).toEqual(ROLES.map((r) => [demoUsername(r), null]));
    const auditor = await login(db, {
      username: 'auditor',
      password: byRole.AUDITOR?.password ?? '',
      ip: '10.5.5.5',
      now: T0,
    });
    expect(auditor.ok && auditor.principal.scope).toBe('AUDIT');
    expect((await verifyAudit(db)).ok).toBe(true);
  });
});

/** Run the CLI in-process; returns exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  try {
    const code = await run(['node', 'wangji', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describeEachEngine('wangji users and audit', (engine) => {
  it('adds and disables users, printing the password once, and verifies the audit chain', async () => {
    const db = await engine.open();
    try {
      await insertAuthBank(db);
      await db.release();
      const where = ['--db', db.target.location];
      const added = await cli(
        'users',
        'add',
        'lobby1',
        '--role',
        'lobby',
        '--org',
        'OU1',
        '--staff',
        'L1',
        ...where,
      );
      expect(added.code).toBe(0);
      const password = /密码 Password: (\S+)/.exec(added.stdout)?.[1] ?? '';
      expect(password).toHaveLength(20);
      expect(added.stdout).toMatch(/shown once/);
      const json = await cli(
        'users',
        'add',
        'admin',
        '--role',
        'HQ_ADMIN',
        '--org',
        'HQ',
        '--name',
        '管理员',
        '--json',
        ...where,
      );
      expect(JSON.parse(json.stdout)).toMatchObject({ username: 'admin', role: 'HQ_ADMIN', orgId: 'HQ' });
      const refused = await cli('users', 'add', 'lobby2', '--role', 'LOBBY', '--org', 'OU1', ...where);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/role LOBBY acts as a staff member: give the staff id/);
      const badRole = await cli('users', 'add', 'x1', '--role', 'ROOT', '--org', 'HQ', ...where);
      expect(badRole.code).toBe(1);
      expect(badRole.stderr).toMatch(/must be one of ACCOUNT_MANAGER/);
      expect((await cli('users', 'disable', 'lobby1', ...where)).stdout).toMatch(/User disabled: lobby1/);
      expect((await cli('users', 'disable', 'nobody', ...where)).code).toBe(1);
      const reset = await cli('users', 'reset', 'admin', '--json', ...where);
      expect(JSON.parse(reset.stdout).password).toHaveLength(20);
      const list = await cli('users', 'list', ...where);
      expect(list.stdout).toMatch(/admin\s+管理员\s+HQ_ADMIN\s+HQ\s+active/);
      expect(list.stdout).toMatch(/lobby1\s+LOBBY\s+OU1\s+L1\s+disabled/);
      expect(list.stdout).not.toContain(password);

      const ok = await cli('audit', 'verify', ...where);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/Audit log intact: 4 rows/);
      const listed = JSON.parse((await cli('audit', 'list', '--limit', '2', '--json', ...where)).stdout) as {
        seq: number;
        actor: string;
        action: string;
        subject: string;
      }[];
      expect(listed.map((r) => [r.seq, r.action, r.subject])).toEqual([
        [4, 'PASSWORD_RESET', 'admin'],
        [3, 'USER_DISABLED', 'lobby1'],
      ]);
      expect(listed[0]?.actor).toMatch(/^cli:/);

      // Someone edits a row behind the server's back.
      const direct = await openDb(db.target);
      try {
        if (engine.kind === 'postgres')
          await direct.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
        await direct.execute("UPDATE audit_log SET subject = 'someone' WHERE seq = 2");
      } finally {
        await direct.close();
      }
      const broken = await cli('audit', 'verify', ...where);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(/BROKEN at seq 2: seq 2 does not match its hash/);
    } finally {
      await db.close();
    }
  });
});
