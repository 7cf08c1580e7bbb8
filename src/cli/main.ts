// The wangji command line. Options are validated here once; commands receive typed values.

import { Command, InvalidArgumentError } from 'commander';
import { BRIEFING_LEVELS, loadSeasonConfig, PROGRAMS } from '../config/season.js';
import { resolveDbTarget } from '../db/open.js';
import { isRealDate } from '../domain/dates.js';
import { configureMasking } from '../domain/masking.js';
import { todayInShanghai } from '../extracts/loader.js';
import { defaultAsOf } from '../generator/calendar.js';
import { STAGES, type Stage } from '../pipeline/models.js';
import { ROLES } from '../server/roles.js';
import { auditListCommand, auditVerifyCommand } from './commands/audit.js';
import { backupCommand, backupServerCommand, restoreCommand } from './commands/backup.js';
import { checksumCommand } from './commands/checksum.js';
import { demoCommand } from './commands/demo.js';
import { type GenerateOptions, generateCommand } from './commands/generate.js';
import { counterCommand, leadsCommand, outcomeCommand, padCommand, tasksCommand } from './commands/leads.js';
import { loadCommand } from './commands/load.js';
import { reportWeeklyCommand, type WeeklyReportOptions } from './commands/report.js';
import { runCommand, runsCommand } from './commands/run.js';
import { seasonSchemaCommand, seasonShowCommand } from './commands/season.js';
import { SqlRefused, sqlCommand } from './commands/sql.js';
import {
  targetsExportCommand,
  targetsListCommand,
  targetsLoadCommand,
  targetsSplitCommand,
} from './commands/targets.js';
import {
  usersAddCommand,
  usersDisableCommand,
  usersListCommand,
  usersResetCommand,
} from './commands/users.js';
import { makeOutput } from './output.js';

const positiveInt = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('must be a positive whole number');
  return Number(v);
};
const date = (v: string) => {
  if (!isRealDate(v)) throw new InvalidArgumentError('must be a date YYYY-MM-DD');
  return v;
};
const delimiter = (v: string) => {
  const d = v === '\\t' ? '\t' : v;
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r')
    throw new InvalidArgumentError('must be one character, not a quote or newline');
  return d;
};

const fileFormat = (v: string) => {
  if (v !== 'csv' && v !== 'parquet') throw new InvalidArgumentError('must be csv or parquet');
  return v;
};

const language = (v: string) => {
  if (v !== 'zh' && v !== 'en') throw new InvalidArgumentError('must be zh or en');
  return v;
};

const port = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) > 65_535)
    throw new InvalidArgumentError('must be a port number 0–65535 (0: any free port)');
  return Number(v);
};

const stageName = (v: string) => {
  if (!(STAGES as readonly string[]).includes(v))
    throw new InvalidArgumentError(`must be one of ${STAGES.join(', ')}`);
  return v as Stage;
};

/** Runs the CLI; resolves with the exit code. */
export async function run(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('wangji')
    .description('旺季 Wangji — peak-season campaign platform')
    .option('--db <path|url>', 'DuckDB file or postgres:// URL (default: $WANGJI_DB or ./data/wangji.duckdb)')
    .option('--json', 'print results as JSON')
    .showHelpAfterError()
    .exitOverride();
  // Everything a command prints masks personal data by the season file's rules (the command's
  // --config, else the shipped season): read once before the command runs.
  program.hook('preAction', (_program, command) => {
    const file = command.opts<{ config?: string }>().config;
    configureMasking((file ? loadSeasonConfig(file) : loadSeasonConfig()).masking);
  });
  const ctx = () => {
    const o = program.opts<{ db?: string; json?: boolean }>();
    return { target: resolveDbTarget(o.db), out: makeOutput(Boolean(o.json)) };
  };
  // Subcommands accept --db/--json after their own arguments too.
  const common = (c: Command) =>
    c
      .option('--db <path|url>', 'DuckDB file or postgres:// URL')
      .option('--json', 'print results as JSON')
      .hook('preAction', (cmd) => {
        const o = cmd.opts<{ db?: string; json?: boolean }>();
        if (o.db) program.setOptionValue('db', o.db);
        if (o.json) program.setOptionValue('json', true);
      });

  common(program.command('load').argument('<dir>', 'folder holding one drop of extract files'))
    .description('load a drop of extract files (CSV or Parquet) atomically and print the load report')
    .option('--delimiter <char>', 'CSV field delimiter, e.g. "|"', delimiter, ',')
    .action(async (dir: string, o: { delimiter: string }) => {
      const { target, out } = ctx();
      code = await loadCommand(target, dir, { delimiter: o.delimiter }, out);
    });

  common(
    program.command('sql').argument('<statement>', 'one SELECT (or WITH, SHOW, DESCRIBE, EXPLAIN) statement'),
  )
    .description('read-only SQL console over the database; personal data prints masked')
    .action(async (statement: string) => {
      const { target, out } = ctx();
      code = await sqlCommand(target, statement, out);
    });

  common(program.command('generate'))
    .description('write a synthetic bank (every extract, with manifest.json) to a folder')
    .option('--customers <n>', 'number of customers', positiveInt, 20_000)
    .option('--seed <n>', 'random seed', positiveInt, 1)
    .option(
      '--as-of <date>',
      'data date: a day of the season (default: yesterday, or the last season day)',
      date,
      defaultAsOf(todayInShanghai()),
    )
    .option('--season-start <MM-DD>', 'first day of the season', '11-15')
    .option('--format <csv|parquet>', 'file format', fileFormat, 'csv')
    .requiredOption('--out <dir>', 'output folder')
    .action(async (o: GenerateOptions) => {
      code = await generateCommand(o, ctx().out);
    });

  common(program.command('demo'))
    .description(
      'the Quickstart: make (or reuse) the synthetic bank in ./data/sample, load it, run the pipeline, print the reports, then serve the API with a demo sign-in per role',
    )
    .option('--sample <dir>', 'sample folder', './data/sample')
    .option('--customers <n>', 'customers in a new sample', positiveInt, 20_000)
    .option('--seed <n>', 'random seed of a new sample', positiveInt, 1)
    .option(
      '--as-of <date>',
      'data date of a new sample (a day of the season)',
      date,
      defaultAsOf(todayInShanghai()),
    )
    .option('--no-serve', 'stop after the reports instead of serving the API')
    .option('--port <n>', 'port of the API (0: any free port)', port, 3000)
    .action(
      async (o: {
        sample: string;
        customers: number;
        seed: number;
        asOf: string;
        serve: boolean;
        port: number;
      }) => {
        const { target, out } = ctx();
        code = await demoCommand(target, o, out);
      },
    );

  common(program.command('run'))
    .description('compute the season pipeline for a data date and publish every table in one transaction')
    .requiredOption('--as-of <date>', 'data date', date)
    .option('--stage <name>', `one stage only: ${STAGES.join(', ')}`, stageName)
    .option('--config <file>', 'season file (default season/default.yaml)')
    .option('--full', 'recompute completed months too (empties the cache of completed balance periods)')
    .action(async (o: { asOf: string; stage?: Stage; config?: string; full?: boolean }) => {
      const { target, out } = ctx();
      code = await runCommand(target, o, out);
    });

  common(program.command('runs'))
    .description('the run ledger: every pipeline run, its data date, time and outcome')
    .action(async () => {
      const { target, out } = ctx();
      code = await runsCommand(target, out);
    });

  common(program.command('checksum'))
    .description(
      'order-independent checksums of tables (rows and a hash sum), to compare copies of a database',
    )
    .argument('[tables...]', 'tables to check (default: every published table)')
    .option('--all', 'every table of the schema, not only the published ones')
    .action(async (tables: string[], o: { all?: boolean }) => {
      const { target, out } = ctx();
      code = await checksumCommand(target, out, { tables, all: o.all === true });
    });

  common(
    program.command('backup').argument('[out]', 'the new folder to write (with --server: its name there)'),
  )
    .description(
      'back up the whole database, as it is at one moment, into a new folder with a manifest of rows and checksums (docs/backup.md)',
    )
    .option('--server <url>', 'back up a running wangji serve instead (written into its --backups-root)')
    .option('--user <username>', 'with --server: the ops user who signs in (password in $WANGJI_PASSWORD)')
    .action(async (dir: string | undefined, o: { server?: string; user?: string }) => {
      const { target, out } = ctx();
      if (o.server) {
        if (!o.user) throw new Error('--server needs --user (an ops user of that server)');
        code = await backupServerCommand(
          { server: o.server, user: o.user, password: process.env.WANGJI_PASSWORD, name: dir },
          out,
        );
      } else {
        if (!dir) throw new Error('give the folder to write the backup to: wangji backup OUT');
        code = await backupCommand(target, dir, out);
      }
    });

  common(program.command('restore').argument('<in>', 'a backup folder (wangji backup)'))
    .description(
      'restore a backup into the database of --db: refused when it holds data (unless --force); every table is verified against the backup',
    )
    .option('--force', 'replace a database that holds data')
    .action(async (dir: string, o: { force?: boolean }) => {
      const { target, out } = ctx();
      code = await restoreCommand(target, dir, { force: o.force === true }, out);
    });

  common(program.command('leads'))
    .description('lead lists: every lead, its priority factors, task and reason (personal data masked)')
    .option('--activity <id>', 'one activity')
    .option('--org <id>', "leads credited to an org's subtree")
    .option('--status <status>', 'OPEN, CONVERTED, REFUSED, INVALID, EXPIRED or DROPPED', 'OPEN')
    .option('--limit <n>', 'at most this many, best first', positiveInt, 50)
    .option('--lang <zh|en>', 'language of the reasons', language, 'zh')
    .option('--config <file>', 'season file (default season/default.yaml)')
    .action(
      async (o: {
        activity?: string;
        org?: string;
        status: string;
        limit: number;
        lang: 'zh' | 'en';
        config?: string;
      }) => {
        const { target, out } = ctx();
        code = await leadsCommand(target, { ...o, status: o.status.toUpperCase() }, out);
      },
    );

  common(program.command('tasks'))
    .description("a staff member's tasks (or an org pool's), best first, with talking points")
    .option('--staff <id>', 'staff id')
    .option('--pool <org>', "an org's shared pool")
    .option('--all', 'include finished tasks')
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .option('--lang <zh|en>', 'language of the talking points', language, 'zh')
    .option('--config <file>', 'season file (default season/default.yaml)')
    .action(
      async (o: {
        staff?: string;
        pool?: string;
        all?: boolean;
        limit: number;
        lang: 'zh' | 'en';
        config?: string;
      }) => {
        const { target, out } = ctx();
        code = await tasksCommand(target, o, out);
      },
    );

  common(program.command('outcome'))
    .description(
      'record an outcome on a task: CONTACTED, NOT_REACHED, INTERESTED, APPOINTMENT, REFUSED, REFUSED_ALL, CONVERTED_CLAIMED, INVALID',
    )
    .argument('<task-id>', 'task id', positiveInt)
    .argument('<outcome>', 'the outcome')
    .option('--note <text>', 'a note')
    .option('--reason <text>', 'INVALID: why the lead is wrong')
    .option('--at <time>', 'when it happened (ISO 8601, default now)')
    .option('--staff <id>', "who recorded it (default the task's staff)")
    .option('--config <file>', 'season file (default season/default.yaml)')
    .action(
      async (
        taskId: number,
        outcome: string,
        o: { note?: string; reason?: string; at?: string; staff?: string; config?: string },
      ) => {
        const { target, out } = ctx();
        code = await outcomeCommand(target, { ...o, taskId, outcome }, out);
      },
    );

  common(program.command('pad'))
    .description("the lobby PAD: a customer's open leads and product matches (masked, audited)")
    .option('--customer <id>', 'customer id')
    .option('--id-no <number>', 'a scanned ID number (matched by HMAC with $WANGJI_ID_SECRET)')
    .requiredOption('--staff <id>', 'who is looking (audited)')
    .option('--lang <zh|en>', 'language', language, 'zh')
    .option('--config <file>', 'season file (default season/default.yaml)')
    .action(
      async (o: { customer?: string; idNo?: string; staff: string; lang: 'zh' | 'en'; config?: string }) => {
        const { target, out } = ctx();
        code = await padCommand(target, o, out);
      },
    );

  common(program.command('counter'))
    .description('the counter prompt: does a remittance go to a supported institution, and what to offer')
    .option('--name <beneficiary>', 'beneficiary name')
    .option('--bic <bic>', "beneficiary's bank BIC")
    .option('--account <no>', 'beneficiary account')
    .option('--country <cc>', 'ISO 3166-1 alpha-2 country')
    .action(async (o: { name?: string; bic?: string; account?: string; country?: string }) => {
      const { target, out } = ctx();
      code = await counterCommand(target, o, out);
    });

  const report = program.command('report').description('reports written to files');
  const briefingLevel = (v: string) => {
    const l = v.toUpperCase();
    if (!(BRIEFING_LEVELS as readonly string[]).includes(l))
      throw new InvalidArgumentError(`must be one of ${BRIEFING_LEVELS.join(', ')}`);
    return l;
  };
  const programName = (v: string) => {
    const p = v.toUpperCase();
    if (!(PROGRAMS as readonly string[]).includes(p))
      throw new InvalidArgumentError(`must be one of ${PROGRAMS.join(', ')}`);
    return p;
  };
  common(report.command('weekly'))
    .description(
      'the weekly briefing (按周通报) as of D: every KPI with targets, per org, with the change since a week before',
    )
    .requiredOption('--as-of <date>', 'the briefing date D (the week D ends)', date)
    .option(
      '--level <level>',
      `${BRIEFING_LEVELS.join(', ')} (default BRANCH, or the view's levels)`,
      briefingLevel,
    )
    .option(
      '--program <program>',
      `only the KPIs of one program (and those of all): ${PROGRAMS.join(', ')}`,
      programName,
    )
    .option('--view <name>', 'a briefing view of the season file, e.g. ssc_gen3')
    .option(
      '--period <label>',
      'one period: SEASON, YEAR_END, NEW_YEAR, CONSOLIDATION, Q1–Q4 or YYYY-MM-DD..YYYY-MM-DD',
    )
    .option('--lang <zh|en>', 'language of headers and names', language, 'zh')
    .requiredOption('--out <file>', 'an .xlsx, .csv or .json file')
    .option('--config <file>', 'season file (default season/default.yaml)')
    .action(async (o: WeeklyReportOptions) => {
      const { target, out } = ctx();
      code = await reportWeeklyCommand(target, o, out);
    });

  const season = program.command('season').description('the season calendar and configuration');
  common(season.command('show'))
    .description('the resolved phases of a season (default: the current or next one)')
    .option('--season <year>', 'the start year of the season, e.g. 2026 for 2026-27', positiveInt)
    .option('--config <file>', 'season file (default season/default.yaml)')
    .action((o: { season?: number; config?: string }) => {
      code = seasonShowCommand({ ...o, today: todayInShanghai() }, ctx().out);
    });
  season
    .command('schema')
    .description('print the JSON schema of the season file')
    .action(() => {
      code = seasonSchemaCommand(ctx().out);
    });

  const targets = program
    .command('targets')
    .description('targets (任务到个人): load a workbook or CSV, split down the org tree, export, list');
  const seasonYear = (v: string) => {
    if (!/^\d{4}$/.test(v))
      throw new InvalidArgumentError('must be a start year YYYY, e.g. 2026 for 2026-27');
    return Number(v);
  };
  const splitMeasure = (v: string) => {
    const m = v.toUpperCase();
    if (m !== 'CUSTOMERS' && m !== 'EQUAL' && m !== 'LAST_SEASON')
      throw new InvalidArgumentError('must be CUSTOMERS, EQUAL or LAST_SEASON');
    return m;
  };
  const seasonOptions = (c: Command) =>
    c
      .option(
        '--season <year>',
        'the start year of the season (default: that of the latest published run, else today)',
        seasonYear,
      )
      .option('--as-of <date>', 'the season of this date', date)
      .option('--config <file>', 'season file (default season/default.yaml)');
  seasonOptions(
    common(
      targets
        .command('load')
        .argument('<file>', 'a .csv (UTF-8) or .xlsx file: kpi, org_id, staff_id, period, target'),
    ),
  )
    .description('load targets: every row is checked first; any problem and nothing is loaded')
    .action(async (file: string, o: { season?: number; asOf?: string; config?: string }) => {
      const { target, out } = ctx();
      code = await targetsLoadCommand(target, file, o, out);
    });
  common(targets.command('split'))
    .description("split an org's target over its child orgs (or its staff), largest remainder, exact")
    .requiredOption('--kpi <id>', 'the KPI, e.g. NEW_CUSTOMERS')
    .requiredOption(
      '--period <p>',
      'SEASON, YEAR_END, NEW_YEAR, CONSOLIDATION, Q1–Q4 or YYYY-MM-DD..YYYY-MM-DD',
    )
    .requiredOption('--from <org>', 'the parent org whose target is split')
    .option('--by <measure>', 'CUSTOMERS, EQUAL or LAST_SEASON', splitMeasure, 'CUSTOMERS')
    .option('--to-staff', "split over the org's staff (always so for an outlet)")
    .option(
      '--as-of <date>',
      'count customers as of this date; names the season (default: latest published run, else today)',
      date,
    )
    .option('--config <file>', 'season file (default season/default.yaml)')
    .action(
      async (o: {
        kpi: string;
        period: string;
        from: string;
        by: 'CUSTOMERS' | 'EQUAL' | 'LAST_SEASON';
        toStaff?: boolean;
        asOf?: string;
        config?: string;
      }) => {
        const { target, out } = ctx();
        code = await targetsSplitCommand(target, o, out);
      },
    );
  seasonOptions(common(targets.command('export')))
    .description(
      "write the season's targets as .csv or .xlsx in the loader's columns (edit, then load again)",
    )
    .requiredOption('--out <file>', 'a .csv or .xlsx file')
    .action(async (o: { out: string; season?: number; asOf?: string; config?: string }) => {
      const { target, out } = ctx();
      code = await targetsExportCommand(target, o, out);
    });
  seasonOptions(common(targets.command('list')))
    .description("the season's targets, with where each came from")
    .option('--kpi <id>', 'one KPI')
    .option('--scope <id>', 'one org or staff member')
    .action(async (o: { kpi?: string; scope?: string; season?: number; asOf?: string; config?: string }) => {
      const { target, out } = ctx();
      code = await targetsListCommand(target, o, out);
    });

  common(program.command('serve'))
    .description('serve the API (and its docs at /api/docs) over the database until Ctrl-C')
    .option('--port <n>', 'port (0: any free port)', port, 3000)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--config <file>', 'season file (default season/default.yaml)')
    .option('--drops-root <dir>', 'the folder POST /api/ops/loads may load drops from', './data/drops')
    .option('--backups-root <dir>', 'the folder POST /api/ops/backup writes backups into', './data/backups')
    .option('--web-root <dir>', 'the built web app to serve at / (default dist/web)')
    .option(
      '--drops <dir>',
      'watch this folder for nightly drops: load, run and publish each (docs/operations.md)',
    )
    .option('--ops-config <file>', 'operations config file (default config/wangji.yaml when it exists)')
    .action(
      async (o: {
        port: number;
        host: string;
        config?: string;
        dropsRoot: string;
        backupsRoot: string;
        webRoot?: string;
        drops?: string;
        opsConfig?: string;
      }) => {
        const { target, out } = ctx();
        // Loaded on demand: the other commands need not load the HTTP stack.
        const { serveCommand } = await import('./commands/serve.js');
        code = await serveCommand(target, o, out);
      },
    );

  const users = program
    .command('users')
    .description('the people who sign in to the server: add, disable, reset a password, list');
  const roleName = (v: string) => {
    const r = v.toUpperCase();
    if (!(ROLES as readonly string[]).includes(r))
      throw new InvalidArgumentError(`must be one of ${ROLES.join(', ')}`);
    return r;
  };
  common(users.command('add').argument('<username>', 'lower-case letters, digits, . _ -'))
    .description('add a user bound to an org (and a staff member); prints the generated password once')
    .requiredOption('--role <role>', ROLES.join(', '), roleName)
    .requiredOption('--org <id>', 'the org the user is bound to')
    .option('--staff <id>', 'the staff member the user is (needed for staff roles)')
    .option('--name <text>', 'display name')
    .option('--email <address>', "where the user's notices go (wangji notices)")
    .action(
      async (
        username: string,
        o: { role: string; org: string; staff?: string; name?: string; email?: string },
      ) => {
        const { target, out } = ctx();
        code = await usersAddCommand(target, { username, ...o }, out);
      },
    );
  common(users.command('disable').argument('<username>'))
    .description('disable a user and revoke all of their sessions at once')
    .action(async (username: string) => {
      const { target, out } = ctx();
      code = await usersDisableCommand(target, username, out);
    });
  common(users.command('reset').argument('<username>'))
    .description("give a user a new generated password (printed once) and revoke the user's sessions")
    .action(async (username: string) => {
      const { target, out } = ctx();
      code = await usersResetCommand(target, username, out);
    });
  common(users.command('list'))
    .description('every user, with role, org, staff member, status and live sessions')
    .action(async () => {
      const { target, out } = ctx();
      code = await usersListCommand(target, out);
    });

  const audit = program.command('audit').description('the audit log: verify its hash chain, list entries');
  common(audit.command('verify'))
    .description('recompute the hash chain: exit 0 when intact, 1 with the first broken seq')
    .action(async () => {
      const { target, out } = ctx();
      code = await auditVerifyCommand(target, out);
    });
  common(audit.command('list'))
    .description('the newest entries of the audit log')
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .action(async (o: { limit: number }) => {
      const { target, out } = ctx();
      code = await auditListCommand(target, o, out);
    });

  // Channel hand-offs and notices (issue #10 part B): loaded on demand, like serve.
  const remoteChannel = (v: string) => {
    if (v !== 'SMS' && v !== 'OUTBOUND_CALL') throw new InvalidArgumentError('must be SMS or OUTBOUND_CALL');
    return v as 'SMS' | 'OUTBOUND_CALL';
  };
  const channels = program
    .command('channels')
    .description(
      'remote channels: SMS batches and outbound-call lists for the systems that send (docs/operations.md)',
    );
  common(channels.command('send'))
    .description(
      'hand the open SMS / outbound-call tasks the contact policy allows now to the sending systems',
    )
    .option('--channel <SMS|OUTBOUND_CALL>', 'one channel (default both)', remoteChannel)
    .option('--at <time>', 'the moment of sending, ISO 8601 (default now)')
    .option('--config <file>', 'season file (default season/default.yaml)')
    .option('--ops-config <file>', 'operations config file (default config/wangji.yaml when it exists)')
    .action(
      async (o: { channel?: 'SMS' | 'OUTBOUND_CALL'; at?: string; config?: string; opsConfig?: string }) => {
        const { target, out } = ctx();
        const { channelsSendCommand } = await import('./commands/channels.js');
        code = await channelsSendCommand(target, o, out);
      },
    );
  common(channels.command('callback').argument('<file>', 'a callback file (.jsonl, or .csv with a header)'))
    .description(
      'apply delivery reports and call outcomes (idempotent: a line applied before changes nothing)',
    )
    .option('--config <file>', 'season file (default season/default.yaml)')
    .action(async (file: string, o: { config?: string }) => {
      const { target, out } = ctx();
      const { channelsCallbackCommand } = await import('./commands/channels.js');
      code = await channelsCallbackCommand(target, file, o, out);
    });

  const notices = program
    .command('notices')
    .description('notices to people by email: weekly briefing, laggard lists, daily digests (the outbox)');
  common(notices.command('send'))
    .description('send the notices due (failed ones are retried with backoff; sent ones never again)')
    .option('--ops-config <file>', 'operations config file (default config/wangji.yaml when it exists)')
    .action(async (o: { opsConfig?: string }) => {
      const { target, out } = ctx();
      const { noticesSendCommand } = await import('./commands/notices.js');
      code = await noticesSendCommand(target, o, out);
    });
  common(notices.command('digest'))
    .description("queue today's digests: each account manager's new tasks and due appointments")
    .option('--at <time>', 'the day, as a moment ISO 8601 (default now)')
    .option('--config <file>', 'season file (default season/default.yaml)')
    .option('--ops-config <file>', 'operations config file (default config/wangji.yaml when it exists)')
    .action(async (o: { at?: string; config?: string; opsConfig?: string }) => {
      const { target, out } = ctx();
      const { noticesDigestCommand } = await import('./commands/notices.js');
      code = await noticesDigestCommand(target, o, out);
    });
  common(notices.command('briefing'))
    .description('queue the weekly briefing (xlsx) and the managers’ laggard lists of a data date')
    .requiredOption('--as-of <date>', 'the data date', date)
    .option('--config <file>', 'season file (default season/default.yaml)')
    .option('--ops-config <file>', 'operations config file (default config/wangji.yaml when it exists)')
    .action(async (o: { asOf: string; config?: string; opsConfig?: string }) => {
      const { target, out } = ctx();
      const { noticesBriefingCommand } = await import('./commands/notices.js');
      code = await noticesBriefingCommand(target, o, out);
    });
  common(
    notices.command('email').argument('<username>').argument('[address]', 'the address (none: clear it)'),
  )
    .description("set where a user's notices go")
    .action(async (username: string, address: string | undefined) => {
      const { target, out } = ctx();
      const { noticesEmailCommand } = await import('./commands/notices.js');
      code = await noticesEmailCommand(target, { username, email: address ?? null }, out);
    });

  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    const err = e as Error & { code?: string; exitCode?: number };
    if (err.code?.startsWith('commander.')) return err.exitCode ?? 2;
    const out = makeOutput(false);
    out.error(
      e instanceof SqlRefused ? `refused: ${err.message}` : (err.message.split('\n')[0] ?? String(e)),
    );
    return e instanceof SqlRefused ? 2 : 1;
  }
}
