// The operations config file (default config/wangji.yaml, `wangji serve --ops-config FILE`): the
// nightly drop folder and its schedule, health and metrics, and the `channels:` and `notices:`
// sections (src/channels/config.ts, src/notices/config.ts). One validated YAML file; every field has
// a documented default, so an empty file (or none) is valid; errors name the file and the field.
// Secrets are never in the file: a field ending in `Env` names the environment variable that holds
// one (the schema is strict, so a `token:` or `password:` written into the file is refused).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { channelsConfigSchema } from '../channels/config.js';
import { noticesConfigSchema } from '../notices/config.js';
import { PACKAGE_ROOT } from '../paths.js';

export const DEFAULT_OPS_CONFIG_FILE = join(PACKAGE_ROOT, 'config', 'wangji.yaml');

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (bank time, Asia/Shanghai)');
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable');

const dropsDefaults = {
  dir: null,
  pollSeconds: 30,
  settleSeconds: 10,
  failedDir: 'failed',
  expectedBy: '06:30',
  lagDays: 1,
} as const;

export const dropsConfigSchema = z
  .object({
    /** The folder the warehouse drops into (one sub-folder per drop); `--drops DIR` overrides it. null: not watched. */
    dir: z.string().min(1).nullable().default(dropsDefaults.dir),
    /** How often the folder is looked at, in seconds. */
    pollSeconds: z.number().int().min(1).max(3600).default(dropsDefaults.pollSeconds),
    /** A manifest.json must be this many seconds old before its drop is taken (it may still be being written). */
    settleSeconds: z.number().int().min(0).max(3600).default(dropsDefaults.settleSeconds),
    /** Where a failed drop is moved, inside the folder (with its load report). */
    failedDir: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'must be a folder name (no slashes)')
      .refine((v) => v !== '.' && v !== '..', 'must be a folder name')
      .default(dropsDefaults.failedDir),
    /** By this bank time each day, the night's drop must be published; otherwise an alert is raised. */
    expectedBy: clock.default(dropsDefaults.expectedBy),
    /** The night's drop carries the data of this many days before the bank date (1: yesterday's). */
    lagDays: z.number().int().min(0).max(7).default(dropsDefaults.lagDays),
  })
  .strict();

export const healthConfigSchema = z
  .object({
    /** /readyz answers 503 when the last publication is older than this many hours (or there is none). */
    maxPublicationAgeHours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(36),
  })
  .strict();

export const metricsConfigSchema = z
  .object({
    /**
     * The environment variable holding the token GET /metrics requires (`Authorization: Bearer …`).
     * When that variable is unset or empty, /metrics is open: bind the server to an internal address then.
     */
    tokenEnv: envName.default('WANGJI_METRICS_TOKEN'),
  })
  .strict();

export const opsConfigSchema = z
  .object({
    drops: dropsConfigSchema.prefault({}),
    health: healthConfigSchema.prefault({}),
    metrics: metricsConfigSchema.prefault({}),
    channels: channelsConfigSchema.prefault({}),
    notices: noticesConfigSchema.prefault({}),
  })
  .strict();

export type OpsConfig = z.output<typeof opsConfigSchema>;
export type DropsConfig = OpsConfig['drops'];

export class OpsConfigError extends Error {}

/** Parse and validate the text of an operations config file; errors name the file and the field. */
export function parseOpsConfig(text: string, file = 'ops config'): OpsConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new OpsConfigError(`${file}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  const parsed = opsConfigSchema.safeParse(doc ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 5).map((i) => {
      const where = i.path.join('.') || '(document)';
      const keys =
        i.code === 'unrecognized_keys'
          ? `${where === '(document)' ? '' : `${where}.`}${i.keys.join(', ')}`
          : null;
      return keys ? `${file}: ${keys}: not a known field` : `${file}: ${where}: ${i.message}`;
    });
    throw new OpsConfigError(lines.join('\n'));
  }
  return parsed.data;
}

/** Every default (no file). */
export const defaultOpsConfig = (): OpsConfig => opsConfigSchema.parse({});

/**
 * Read the operations config: the file named (it must exist), or the default file when it exists,
 * or every default. Returns the config and the file it came from (null: defaults).
 */
export function readOpsConfig(file?: string): { config: OpsConfig; file: string | null } {
  const path = file ?? DEFAULT_OPS_CONFIG_FILE;
  if (file === undefined && !existsSync(path)) return { config: defaultOpsConfig(), file: null };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new OpsConfigError(
      `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return { config: parseOpsConfig(text, path), file: path };
}

/** A secret named by the config: the environment variable's value, or null when unset or empty. */
export function secretFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const v = env[name];
  return v === undefined || v === '' ? null : v;
}
