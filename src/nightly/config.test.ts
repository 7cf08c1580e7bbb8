// The operations config file: the shipped config/wangji.yaml states exactly the defaults; an empty
// file (or none) is valid; errors name the file and the field; a secret written into the file is
// refused (only the names of environment variables go there); channels: and notices: are composed.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  DEFAULT_OPS_CONFIG_FILE,
  defaultOpsConfig,
  OpsConfigError,
  parseOpsConfig,
  readOpsConfig,
  secretFromEnv,
} from './config.js';

it('ships config/wangji.yaml with exactly the defaults, and an empty file means them too', () => {
  const shipped = readOpsConfig(DEFAULT_OPS_CONFIG_FILE);
  expect(shipped.file).toBe(DEFAULT_OPS_CONFIG_FILE);
  expect(shipped.config).toEqual(defaultOpsConfig());
  expect(parseOpsConfig('')).toEqual(defaultOpsConfig());
  expect(defaultOpsConfig().drops).toEqual({
    dir: null,
    pollSeconds: 30,
    settleSeconds: 10,
    failedDir: 'failed',
    expectedBy: '06:30',
    lagDays: 1,
  });
  expect(defaultOpsConfig().health.maxPublicationAgeHours).toBe(36);
  expect(defaultOpsConfig().metrics.tokenEnv).toBe('WANGJI_METRICS_TOKEN');
  // The channels' and notices' sections, with their own defaults.
  expect(defaultOpsConfig().channels.sms.mode).toBe('file');
  expect(defaultOpsConfig().notices.sender).toBe('off');
});

it('names the file and the field of every error', () => {
  const fails = (text: string) => {
    try {
      parseOpsConfig(text, 'ops.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(OpsConfigError);
      return (e as Error).message;
    }
    throw new Error('accepted');
  };
  expect(fails('drops:\n  expectedBy: "6:30"\n')).toMatch(/^ops\.yaml: drops\.expectedBy: must be HH:MM/);
  expect(fails('drops:\n  pollSeconds: 0\n')).toMatch(/^ops\.yaml: drops\.pollSeconds: /);
  expect(fails('drops:\n  failedDir: a/b\n')).toMatch(/^ops\.yaml: drops\.failedDir: must be a folder name/);
  expect(fails('drop:\n  dir: x\n')).toMatch(/^ops\.yaml: drop: not a known field/);
  expect(fails('notices:\n  digestHour: 25\n')).toMatch(/^ops\.yaml: notices\.digestHour: /);
  expect(fails('drops: [\n')).toMatch(/^ops\.yaml: not valid YAML/);
  // Secrets never in the file: a token field is unknown, an env field holds a name, not a value.
  expect(fails('metrics:\n  token: s3cret\n')).toMatch(/^ops\.yaml: metrics\.token: not a known field/);
  expect(fails('metrics:\n  tokenEnv: "s3cret value"\n')).toMatch(
    /metrics\.tokenEnv: must be the NAME of an environment variable/,
  );
});

it('reads a named file, falls back to the defaults only when none is named, and takes secrets from the env', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wangji-opscfg-'));
  try {
    const file = join(dir, 'ops.yaml');
    writeFileSync(file, 'drops:\n  dir: /srv/drops\n  expectedBy: "07:15"\n');
    const read = readOpsConfig(file);
    expect(read.config.drops).toMatchObject({ dir: '/srv/drops', expectedBy: '07:15', pollSeconds: 30 });
    expect(() => readOpsConfig(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: cannot read \(ENOENT\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(secretFromEnv('X_TOKEN', { X_TOKEN: 'abc' })).toBe('abc');
  expect(secretFromEnv('X_TOKEN', { X_TOKEN: '' })).toBeNull();
  expect(secretFromEnv('X_TOKEN', {})).toBeNull();
});
