// wangji audit verify | list: check the audit log's hash chain (exit 1 at the first broken row) and
// show its newest entries.

import { listAudit, verifyAudit } from '../../audit/log.js';
import type { DbTarget } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import { type Output, renderTable } from '../output.js';

export async function auditVerifyCommand(target: DbTarget, out: Output): Promise<number> {
  const db = await openDb(target);
  try {
    const v = await verifyAudit(db);
    out.result(v, () => [
      v.ok
        ? `审计日志完整 Audit log intact: ${v.rows.toLocaleString('en-US')} rows`
        : `审计日志已被篡改 Audit log BROKEN${v.firstBroken?.seq === null || v.firstBroken === undefined ? '' : ` at seq ${v.firstBroken.seq}`}: ${v.firstBroken?.reason ?? ''}`,
      ...(v.head
        ? [`链头 Head: seq ${v.head.seq} ${v.head.hash} (record it elsewhere to anchor later checks)`]
        : ['(the chain is empty)']),
    ]);
    return v.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

export async function auditListCommand(target: DbTarget, o: { limit: number }, out: Output): Promise<number> {
  const db = await openDb(target);
  try {
    const rows = await listAudit(db, { limit: o.limit });
    out.result(rows, () =>
      rows.length === 0
        ? ['(the audit log is empty)']
        : renderTable(
            ['seq', 'logged at (UTC)', 'actor', 'action', 'subject', 'detail'],
            rows.map((r) => [r.seq, r.loggedAt, r.actor, r.action, r.subject ?? '', r.detail ?? '']),
          ),
    );
    return 0;
  } finally {
    await db.close();
  }
}
