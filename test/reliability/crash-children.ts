// The child processes of the crash test (test/reliability/crash.test.ts), killed with SIGKILL by it:
//   node --import tsx test/reliability/crash-children.ts
// starts, loads its code, and waits for one JSON line on stdin (so that the test can start the next
// child while it checks what the last kill left), then does one of:
//   {"cli": ["load", DIR, "--db", DB]}   the `wangji` command line itself (src/cli/main.ts run(), as
//                                        bin/wangji.js and test/run-cli.ts call it);
//   {"outcomes": [DB, PLAN.json]}        a person recording the plan's outcomes one by one the way the
//                                        server's POST /api/tasks/:id/outcome does (the contact and its
//                                        OUTCOME audit entry in one transaction), printing after each
//                                        call has returned `ok <task id> <contact id>` or
//                                        `refused <task id> <code>` on stdout — what the person saw.
// A task that already has a contact is skipped: a person coming back after a crash sees the outcome on
// the task and does not record it again.

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { withAudit } from '../../src/audit/log.js';
import { loadSeasonConfig, type SeasonConfig } from '../../src/config/season.js';
import { openDb, resolveDbTarget } from '../../src/db/open.js';
import type { Db } from '../../src/db/types.js';
import { recordOutcomeIn, WorkRefused } from '../../src/leads/work.js';

export interface PlannedOutcome {
  taskId: number;
  outcome: string;
  /** When it happened (ISO-8601): fixed, so that a rerun of the plan meets the same contact policy. */
  at: string;
  reason?: string;
}

/** The actor of the plan's audit entries. */
export const RECORDER = 'crash-recorder';

/** Record the plan in order (skipping tasks that have a contact), telling `ack` after each call returned. */
export async function recordPlan(
  db: Db,
  config: SeasonConfig,
  plan: readonly PlannedOutcome[],
  ack: (line: string) => void,
): Promise<void> {
  const done = new Set(
    (await db.query<{ task_id: number }>('SELECT DISTINCT task_id FROM contacts')).map((r) =>
      Number(r.task_id),
    ),
  );
  for (const p of plan) {
    if (done.has(p.taskId)) continue;
    try {
      const r = await withAudit(db, async (tx, audit) => {
        const recorded = await recordOutcomeIn(tx, config, {
          taskId: p.taskId,
          outcome: p.outcome,
          at: new Date(p.at),
          reason: p.reason,
        });
        await audit({
          actor: RECORDER,
          action: 'OUTCOME',
          subject: `task:${p.taskId}`,
          detail: { outcome: p.outcome },
        });
        return recorded;
      });
      ack(`ok ${p.taskId} ${r.contact_id}`);
    } catch (e) {
      if (!(e instanceof WorkRefused)) throw e;
      ack(`refused ${p.taskId} ${e.code}`);
    }
  }
}

async function recordOutcomes(spec: string, planFile: string): Promise<number> {
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as PlannedOutcome[];
  const db = await openDb(resolveDbTarget(spec));
  try {
    // Pipes are written synchronously on Linux: a line the parent reads has left this process.
    await recordPlan(db, loadSeasonConfig(), plan, (line) => process.stdout.write(`${line}\n`));
    return 0;
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  // The command line's code is loaded before the job comes (the test imports this file for recordPlan
  // without it).
  const { run } = await import('../../src/cli/main.js');
  const first = await new Promise<string>((resolve) => {
    let text = '';
    process.stdin.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    });
    process.stdin.on('end', () => resolve(text));
  });
  process.stdin.destroy();
  const job = JSON.parse(first || 'null') as { cli?: string[]; outcomes?: [string, string] } | null;
  if (job?.cli) process.exitCode = await run([process.argv[0] as string, 'wangji', ...job.cli]);
  else if (job?.outcomes) process.exitCode = await recordOutcomes(...job.outcomes);
  else throw new Error('crash-children: expected {"cli": [...]} or {"outcomes": [DB, PLAN]} on stdin');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
