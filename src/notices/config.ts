// The `notices:` section of the operations config file: how notices to people are sent (SMTP settings;
// the user name and password only as the NAMES of environment variables — secrets never in the file),
// when the daily digest goes out, who gets the weekly briefing and the laggard lists, and the retry
// backoff of the outbox. Every field has a default, so `notices: {}` is valid.

import { z } from 'zod';
import { ROLES } from '../server/roles.js';

const role = z.enum(ROLES);

const hour = z.number().int().min(0).max(23);

export const noticesConfigSchema = z
  .object({
    /** `smtp`: send by email; `off`: queue in the outbox only (nothing leaves). */
    sender: z.enum(['smtp', 'off']).default('off'),
    smtp: z
      .object({
        host: z.string().min(1).default('localhost'),
        port: z.number().int().min(1).max(65535).default(25),
        /** true: TLS from the start (port 465); false: plain, upgraded by STARTTLS when offered. */
        secure: z.boolean().default(false),
        from: z.string().min(3).default('wangji@localhost'),
        /** Name of the environment variable holding the SMTP user (no auth when unset). */
        userEnv: z.string().min(1).default('WANGJI_SMTP_USER'),
        /** Name of the environment variable holding the SMTP password. */
        passwordEnv: z.string().min(1).default('WANGJI_SMTP_PASSWORD'),
        /** Milliseconds before a connection attempt is given up. */
        timeoutMs: z.number().int().positive().default(10_000),
      })
      .strict()
      .default({
        host: 'localhost',
        port: 25,
        secure: false,
        from: 'wangji@localhost',
        userEnv: 'WANGJI_SMTP_USER',
        passwordEnv: 'WANGJI_SMTP_PASSWORD',
        timeoutMs: 10_000,
      }),
    /** Bank-time hour (Asia/Shanghai) at which account managers' daily digests are queued. */
    digestHour: hour.default(7),
    /** Who gets the weekly briefing: user roles (everyone of the role with an email) and/or extra addresses. */
    briefing: z
      .object({
        roles: z.array(role).default(['HQ_OPS', 'BRANCH_MANAGER']),
        addresses: z.array(z.string().email()).default([]),
        /** Day of the week (1 = Monday … 7 = Sunday, bank time) the briefing goes out. */
        weekday: z.number().int().min(1).max(7).default(1),
      })
      .strict()
      .default({ roles: ['HQ_OPS', 'BRANCH_MANAGER'], addresses: [], weekday: 1 }),
    /** Who gets each org's laggard list: the managers (these roles) of the org concerned. */
    laggards: z
      .object({
        roles: z.array(role).default(['BRANCH_MANAGER', 'SUBBRANCH_MANAGER', 'OUTLET_MANAGER']),
      })
      .strict()
      .default({ roles: ['BRANCH_MANAGER', 'SUBBRANCH_MANAGER', 'OUTLET_MANAGER'] }),
    /** Retries of a failed send: wait base × 2^(attempts−1) seconds, at most maxAttempts tries. */
    retry: z
      .object({
        baseSeconds: z.number().int().positive().default(60),
        maxAttempts: z.number().int().positive().default(8),
      })
      .strict()
      .default({ baseSeconds: 60, maxAttempts: 8 }),
  })
  .strict();

export type NoticesConfig = z.output<typeof noticesConfigSchema>;

/** The notices config with every default (`notices: {}`). */
export const defaultNoticesConfig = (): NoticesConfig => noticesConfigSchema.parse({});
