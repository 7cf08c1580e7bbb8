// wangji channels send | callback: hand the remote channels' open tasks to the systems that send (SMS
// batch files or the gateway, outbound-call lists), and apply the delivery and call outcomes that come
// back. The settings are the `channels:` section of the operations config (--ops-config, default
// config/wangji.yaml when it exists); every send and callback is audited as `cli:<os user>`.

import type { BatchResult, RemoteChannel } from '../../channels/batches.js';
import { produceChannelBatches } from '../../channels/batches.js';
import { applyCallbackFile } from '../../channels/callbacks.js';
import { loadSeasonConfig } from '../../config/season.js';
import type { DbTarget } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import { readOpsConfig } from '../../nightly/config.js';
import { type Output, renderTable } from '../output.js';
import { cliActor } from './users.js';

const reasons = (r: BatchResult) =>
  Object.entries(r.skippedReasons)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || '—';

export async function channelsSendCommand(
  target: DbTarget,
  o: { channel?: RemoteChannel; at?: string; config?: string; opsConfig?: string },
  out: Output,
): Promise<number> {
  const now = o.at ? new Date(o.at) : new Date();
  if (Number.isNaN(now.getTime())) {
    out.error(`--at: not a time: ${o.at} (e.g. 2027-01-05T09:00:00+08:00)`);
    return 2;
  }
  const season = loadSeasonConfig(o.config);
  const ops = readOpsConfig(o.opsConfig);
  const db = await openDb(target);
  try {
    const results = await produceChannelBatches(db, season, ops.config.channels, {
      now,
      actor: cliActor(),
      ...(o.channel ? { channel: o.channel } : {}),
    });
    out.result(results, () => [
      ...renderTable(
        [
          '渠道 Channel',
          '批次 Batch',
          '名单 Lines',
          '暂缓 Held back',
          '原因 Why',
          '状态 Status',
          '文件 File',
        ],
        results.map((r) => [
          r.channel,
          r.batchId === null ? '—' : String(r.batchId),
          r.lines,
          r.skipped,
          reasons(r),
          r.error ? `${r.status} (${r.error})` : r.status,
          r.filePath ?? '—',
        ]),
      ),
    ]);
    return results.some((r) => r.status === 'PUSH_FAILED') ? 1 : 0;
  } finally {
    await db.close();
  }
}

export async function channelsCallbackCommand(
  target: DbTarget,
  file: string,
  o: { config?: string },
  out: Output,
): Promise<number> {
  const season = loadSeasonConfig(o.config);
  const db = await openDb(target);
  try {
    const r = await applyCallbackFile(db, season, file, { actor: cliActor() });
    out.result(r, () => [
      `回执 Callbacks ${r.source}: ${r.lines} 行 lines, 已应用 applied ${r.applied}, 重复 duplicates ${r.duplicates}, 拒收 rejected ${r.rejected.length}`,
      ...r.rejected.slice(0, 20).map((x) => `  第 ${x.line} 行 line ${x.line}: ${x.reason}`),
    ]);
    return r.rejected.length > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}
