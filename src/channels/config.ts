// The `channels:` section of the operations config file: where the remote channels' batches go (an SMS
// batch file or an HTTP push to the SMS gateway, an outbound-call list for the remote-banking centre),
// the message templates, the refusal instruction every message carries (PIPL art. 24), and where the
// delivery and call outcomes come back. Every field has a default, so `channels: {}` is valid.

import { z } from 'zod';

/** The refusal instruction appended to every SMS and read out on every call (PIPL art. 24). */
export const DEFAULT_REFUSAL = '回复TD退订';
/**
 * The SMS text when the activity has no template of its own. Placeholders: {name} the masked name,
 * {activity} the activity's name, {reason} why this customer (the lead's reason), {product} the
 * suggested product. The refusal instruction is appended to every message that does not already end
 * with it.
 */
export const DEFAULT_SMS_TEMPLATE = '【旺季】尊敬的{name}客户，{activity}活动进行中，详询您的客户经理。';
/** What the agent tells every customer called (PIPL art. 24: how to refuse marketing calls). */
export const DEFAULT_CALL_REFUSAL = '如您不希望再接到营销电话，请告知坐席，我们将不再联系。';
/** The script line for the call centre when the activity has none. */
export const DEFAULT_CALL_TEMPLATE = '{activity}：{reason}';

const template = z.string().min(1).max(500);

export const channelsConfigSchema = z
  .object({
    sms: z
      .object({
        /** `file`: write a batch file to `outDir`; `http`: POST the batch to `gatewayUrl` (and keep the file too). */
        mode: z.enum(['file', 'http']).default('file'),
        /** Where SMS batch files are written (relative to the working directory). */
        outDir: z.string().min(1).default('channels/sms/out'),
        /** Batch file format: JSON Lines (one object a line) or CSV (header row, UTF-8). */
        format: z.enum(['jsonl', 'csv']).default('jsonl'),
        /** The gateway that sends, for mode `http` (required then). */
        gatewayUrl: z.string().url().optional(),
        /** Name of the environment variable holding the gateway's bearer token (the token itself never in the file). */
        gatewayTokenEnv: z.string().min(1).default('WANGJI_SMS_GATEWAY_TOKEN'),
        /** Milliseconds before an HTTP push is given up (the batch then stays unsent and is retried next time). */
        timeoutMs: z.number().int().positive().default(10_000),
        /** Template per activity id; placeholders {name} (masked), {activity}, {reason}. */
        templates: z.record(z.string(), template).default({}),
        /** Template for activities without their own. */
        defaultTemplate: template.default(DEFAULT_SMS_TEMPLATE),
      })
      .strict()
      .refine((s) => s.mode !== 'http' || s.gatewayUrl !== undefined, {
        message: 'sms.gatewayUrl is required when sms.mode is http',
        path: ['gatewayUrl'],
      })
      .default({
        mode: 'file',
        outDir: 'channels/sms/out',
        format: 'jsonl',
        gatewayTokenEnv: 'WANGJI_SMS_GATEWAY_TOKEN',
        timeoutMs: 10_000,
        templates: {},
        defaultTemplate: DEFAULT_SMS_TEMPLATE,
      }),
    outboundCall: z
      .object({
        /** Where outbound-call lists for the remote-banking centre are written. */
        outDir: z.string().min(1).default('channels/call/out'),
        format: z.enum(['jsonl', 'csv']).default('csv'),
        /** Script line per activity id; placeholders as for SMS. */
        templates: z.record(z.string(), template).default({}),
        defaultTemplate: template.default(DEFAULT_CALL_TEMPLATE),
        /** The refusal instruction the agent states on every call (PIPL art. 24). */
        refusalInstruction: z.string().min(1).max(200).default(DEFAULT_CALL_REFUSAL),
      })
      .strict()
      .default({
        outDir: 'channels/call/out',
        format: 'csv',
        templates: {},
        defaultTemplate: DEFAULT_CALL_TEMPLATE,
        refusalInstruction: DEFAULT_CALL_REFUSAL,
      }),
    callbacks: z
      .object({
        /** Where the senders drop delivery and call-outcome files (`wangji channels callback FILE` reads any path). */
        inDir: z.string().min(1).default('channels/callbacks/in'),
        /** Name of the environment variable holding the token `POST /api/channels/callback` requires (off when unset). */
        tokenEnv: z.string().min(1).default('WANGJI_CHANNELS_CALLBACK_TOKEN'),
      })
      .strict()
      .default({ inDir: 'channels/callbacks/in', tokenEnv: 'WANGJI_CHANNELS_CALLBACK_TOKEN' }),
    /** The refusal instruction every SMS ends with (PIPL art. 24). */
    refusalInstruction: z.string().min(1).max(100).default(DEFAULT_REFUSAL),
    /** At most this many lines in one batch (the rest wait for the next send). */
    maxBatchLines: z.number().int().positive().default(50_000),
    /**
     * `wangji serve`: send batches (and due notices) every this many minutes outside the quiet hours,
     * so that the night's tasks go out from 09:00; 0: only after each publication and by the CLI.
     */
    sendEveryMinutes: z.number().int().min(0).max(1440).default(15),
  })
  .strict();

export type ChannelsConfig = z.output<typeof channelsConfigSchema>;

/** The channels config with every default (`channels: {}`). */
export const defaultChannelsConfig = (): ChannelsConfig => channelsConfigSchema.parse({});
