// `wangji load DIR`: one drop, applied atomically. Per file: read with DuckDB's reader into a staging
// table (text), collapse identical duplicates, compute every refusal reason in one set-based pass,
// quarantine the refused rows, then replace (reference) or upsert (fact) the rest. A DropError or any
// failure rolls back the whole drop; the failure itself is then recorded as a FAILED load.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyze } from '../db/analyze.js';
import { quoteIdent } from '../db/dialect.js';
import { DbFault, duringFault } from '../db/faults.js';
import type { Db, SqlValue } from '../db/types.js';
import { bankDate, utcTimestamp as nowTs } from '../domain/bankTime.js';
import { formatReasonColumn, formatReasonSql, NUL_MARK, reasonSql, stageExpr, typedSql } from './checks.js';
import { type Column, sqlType } from './contract.js';
import { DropError } from './errors.js';
import {
  checkParquetTypes,
  convertGbk,
  type DropFile,
  firstLine,
  inspectParquet,
  listDropFiles,
  MANIFEST,
  matchColumns,
  normaliseCsv,
  readCsvHeader,
  scanFile,
} from './files.js';
import { type Manifest, readManifest } from './manifest.js';
import { type FileReport, type LoadReport, quarantineSample } from './report.js';

export interface LoadOptions {
  delimiter?: string;
  /** as_of when the drop has no manifest (default: today in Asia/Shanghai). */
  today?: string;
  onProgress?: (message: string) => void;
}

/** Today's date at the bank (Asia/Shanghai). */
export const todayInShanghai = (now = new Date()): string => bankDate(now);

/** Load one drop folder. Resolves with the report of an APPLIED or FAILED load (never half-applied). */
export async function loadDrop(db: Db, dir: string, options: LoadOptions = {}): Promise<LoadReport> {
  const started = new Date();
  const sourceDir = resolve(dir);
  const progress = options.onProgress ?? (() => undefined);
  let manifest: Manifest | null = null;
  let asOf = options.today ?? todayInShanghai();
  const work = await mkdtemp(join(tmpdir(), 'wangji-load-'));
  try {
    const files = listDropFiles(sourceDir);
    manifest = await readManifest(sourceDir);
    if (manifest) asOf = manifest.as_of;
    if (manifest) reconcileManifestFiles(manifest, files);
    if (files.length === 0) throw new DropError(sourceDir, 'no extract files in the folder');
    const delimiter = options.delimiter ?? ',';
    const apply = db.transaction(async (tx) => {
      // One load at a time per database: two concurrent upserts of the same increments would both insert.
      const lock = tx.dialect.exclusiveLock('load');
      if (lock) await tx.exec(lock);
      const [{ id }] = (await tx.query<{ id: number }>(`SELECT nextval('load_id_seq') AS id`)) as [
        { id: number },
      ];
      const reports: FileReport[] = [];
      for (const [i, f] of files.entries()) {
        progress(`[${i + 1}/${files.length}] ${f.name}`);
        const t0 = Date.now();
        const r = await loadFile(tx, f, { loadId: id, asOf, delimiter, work, manifest }).catch((e) => {
          throw duringFault(e, `loading ${f.name}`); // a full disk or a lost connection, in words
        });
        r.seconds = (Date.now() - t0) / 1000;
        progress(
          `[${i + 1}/${files.length}] ${f.name}: ${r.read} read, ${r.loaded} loaded, ${r.quarantined} quarantined (${r.seconds.toFixed(1)}s)`,
        );
        reports.push(r);
      }
      const rep = buildReport(id, sourceDir, asOf, 'APPLIED', null, started, reports);
      rep.quarantineSample = await quarantineSample(tx, id);
      await recordLoad(tx, rep);
      await recordFiles(tx, id, reports);
      return rep;
    });
    return await apply.catch((e) => {
      throw duringFault(e, 'applying the drop');
    });
  } catch (e) {
    // One printable line: the ledger (PostgreSQL cannot store NUL), the report and the log show it.
    const message = (
      e instanceof DropError ? e.message : `load failed: ${(e as Error).message.split('\n')[0]}`
    ).replace(/\p{Cc}/gu, '?');
    const record = async () => {
      const [{ id }] = (await db.query<{ id: number }>(`SELECT nextval('load_id_seq') AS id`)) as [
        { id: number },
      ];
      const rep = buildReport(id, sourceDir, manifest?.as_of ?? asOf, 'FAILED', message, started, []);
      await recordLoad(db, rep);
      return rep;
    };
    return await record().catch((err: Error) => {
      // Still no space (or no connection): say why the load failed, and that the ledger lacks it.
      const why = err instanceof DbFault ? '' : `: ${err.message.split('\n')[0]}`;
      throw new Error(`${message} (not recorded in the load ledger${why})`, { cause: err });
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function reconcileManifestFiles(m: Manifest, files: DropFile[]): void {
  const delivered = new Set(files.map((f) => f.extract.name));
  for (const name of Object.keys(m.files)) {
    if (!delivered.has(name))
      throw new DropError(MANIFEST, `lists ${name}, but the folder has no ${name} file`);
  }
  for (const f of files) {
    if (!m.files[f.extract.name]) throw new DropError(f.name, `not listed in ${MANIFEST}`);
  }
}

interface FileContext {
  loadId: number;
  asOf: string;
  delimiter: string;
  work: string;
  manifest: Manifest | null;
}

async function loadFile(db: Db, f: DropFile, ctx: FileContext): Promise<FileReport> {
  const e = f.extract;
  const scan = await scanFile(f);
  const expected = ctx.manifest?.files[e.name];
  if (expected && expected.sha256.toLowerCase() !== scan.sha256) {
    throw new DropError(f.name, `sha256 ${scan.sha256} does not match ${MANIFEST} (${expected.sha256})`);
  }
  let path = f.path;
  let headerColumns: string[] = [];
  let extra: string[];
  if (f.format === 'csv') {
    if (scan.bytes === 0) throw new DropError(f.name, 'empty file: no header row');
    if (scan.encoding === 'GBK') {
      path = join(ctx.work, `${e.name}.utf8.csv`);
      await convertGbk(f, path);
    }
    if (scan.normalise) {
      // Mixed line ends or an enormous record: rewritten so that DuckDB's strict reader can split it.
      const normalised = join(ctx.work, `${e.name}.lf.csv`);
      await normaliseCsv(path, normalised, ctx.delimiter);
      path = normalised;
    }
    headerColumns = await readCsvHeader(path, f.name, ctx.delimiter);
    extra = matchColumns(f, headerColumns).extra;
  } else {
    const info = await inspectParquet(f);
    extra = matchColumns(
      f,
      info.columns.map((c) => c.name),
    ).extra;
    checkParquetTypes(f, info);
  }

  const stg = `stg_${e.name}`;
  let staged: Awaited<ReturnType<Db['stageFile']>>;
  try {
    staged = await db.stageFile({
      table: stg,
      file: path,
      format: f.format,
      delimiter: ctx.delimiter,
      headerColumns,
      select: e.columns.map((c) => ({ name: c.name, expr: stageExpr(c) })),
      derived: e.columns.map((c) => ({
        name: formatReasonColumn(c),
        expr: formatReasonSql(e, c, ctx.asOf, 'n'),
      })),
    });
  } catch (err) {
    if (err instanceof DbFault) throw err; // the database's disk or connection, not the file
    throw new DropError(f.name, `unreadable file (${firstLine((err as Error).message)})`);
  }
  // An unterminated quote makes the reader take the rest of the file as one value: refuse the file
  // rather than quarantine one "record" and lose every row after it.
  const swallowed = staged.rejects.find(
    (r) => /UNQUOTED VALUE/.test(r.reason) && /\n[\s\S]*\S/.test(r.raw ?? ''),
  );
  if (swallowed) {
    throw new DropError(
      f.name,
      `unterminated quote in the record at line ${swallowed.line}: the rest of the file cannot be read`,
    );
  }
  const read = staged.rows + staged.rejects.length;
  if (expected && expected.rows !== read) {
    throw new DropError(f.name, `${read} rows read, but ${MANIFEST} says ${expected.rows}`);
  }

  const t = (suffix: string) => quoteIdent(`${stg}__${suffix}`);
  const keyEq = (a: string, b: string) =>
    e.key.map((k) => `${a}.${quoteIdent(k)} = ${b}.${quoteIdent(k)}`).join(' AND ');
  const keyCols = e.key.map(quoteIdent).join(', ');
  const lineOffset = f.format === 'csv' ? 1 : 0;

  // 1. Rejected records (the reader could not parse them) and the line arithmetic they imply.
  await db.exec(`DROP TABLE IF EXISTS ${t('rej')}; CREATE TEMP TABLE ${t('rej')} (gap BIGINT)`);
  const rejects = staged.rejects.map((r, j) => ({ ...r, gap: r.line - (j + 1) }));
  await insertRows(
    db,
    t('rej'),
    ['gap'],
    rejects.map((r) => [r.gap]),
  );
  await insertRows(
    db,
    'quarantine',
    ['load_id', 'extract', 'file', 'line', 'column_name', 'value', 'reason'],
    rejects.map((r) => [
      ctx.loadId,
      e.name,
      f.name,
      r.line,
      null,
      (r.raw ?? '').slice(0, 4000).replaceAll('\0', NUL_MARK), // PostgreSQL cannot store NUL
      `unreadable record: ${r.reason.replaceAll('\0', NUL_MARK)}`,
    ]),
  );
  // The record number of staged row _seq: accepted rows fill the record numbers the rejects left free
  // (with rejects at records r_1 < r_2 < …, accepted row k comes after reject j when r_j − j ≤ k).
  const lineOf = (seq: string) =>
    rejects.length
      ? `(${seq} + ${lineOffset} + (SELECT count(*) FROM ${t('rej')} r WHERE r.gap <= ${seq}))`
      : `(${seq} + ${lineOffset})`;

  // 2. Duplicate keys within the file: identical rows collapse to the first, differing rows are refused.
  // Each value length-prefixed, so no two different rows can give the same text.
  const rowText = e.columns
    .map(
      (c) =>
        `coalesce(CAST(length(s.${quoteIdent(c.name)}) AS VARCHAR) || ':' || s.${quoteIdent(c.name)}, '-')`,
    )
    .join(` || '|' || `);
  // Keys seen twice are found first (cheap); only their rows are compared in full.
  const keyNotNull = e.key.map((k) => `${quoteIdent(k)} IS NOT NULL`).join(' AND ');
  await db.exec(`DROP TABLE IF EXISTS ${t('dupkeys')}`);
  await db.exec(
    `CREATE TEMP TABLE ${t('dupkeys')} AS SELECT ${keyCols} FROM ${quoteIdent(stg)} WHERE ${keyNotNull}
      GROUP BY ${keyCols} HAVING count(*) > 1`,
  );
  await db.exec(`DROP TABLE IF EXISTS ${t('dup')}`);
  await db.exec(
    `CREATE TEMP TABLE ${t('dup')} AS
     SELECT ${e.key.map((k) => `s.${quoteIdent(k)}`).join(', ')}, count(*) AS n,
            count(DISTINCT md5(${rowText})) AS nd, min(s._seq) AS keep_seq
       FROM ${quoteIdent(stg)} s JOIN ${t('dupkeys')} k ON ${keyEq('k', 's')}
      GROUP BY ${e.key.map((k) => `s.${quoteIdent(k)}`).join(', ')}`,
  );

  // 3. Every refusal reason in one pass (format reasons were computed while reading; references are
  //    joined here); only refused rows are written.
  const refAlias = (col: string) => quoteIdent(`ref_${col}`);
  const joins = e.columns
    .filter((c) => c.ref)
    .map((c) => {
      const r = c.ref as NonNullable<Column['ref']>;
      const source =
        r.extract === e.name
          ? `SELECT DISTINCT ${quoteIdent(r.column)} AS k FROM ${quoteIdent(stg)} WHERE ${quoteIdent(r.column)} IS NOT NULL`
          : `SELECT ${quoteIdent(r.column)} AS k FROM ${quoteIdent(r.extract)}`;
      return `LEFT JOIN (${source}) ${refAlias(c.name)} ON ${refAlias(c.name)}.k = s.${quoteIdent(c.name)}`;
    })
    .join('\n');
  const reasonCols = e.columns.map(
    (c) => `${reasonSql(c, 's', c.ref ? refAlias(c.name) : null)} AS ${quoteIdent(`r_${c.name}`)}`,
  );
  const dupReason = `CASE WHEN d.nd > 1 THEN 'duplicate key with different values in this file' END AS r__key`;
  const allReasons = [...e.columns.map((c) => quoteIdent(`r_${c.name}`)), 'r__key'];
  await db.exec(`DROP TABLE IF EXISTS ${t('bad')}`);
  await db.exec(
    `CREATE TEMP TABLE ${t('bad')} AS
     SELECT * FROM (
       SELECT s._seq, ${e.columns.map((c) => `s.${quoteIdent(c.name)}`).join(', ')}, ${reasonCols.join(', ')}, ${dupReason}
         FROM ${quoteIdent(stg)} s
         LEFT JOIN ${t('dup')} d ON ${keyEq('d', 's')}
         ${joins}
        WHERE d.n IS NULL OR d.nd > 1 OR s._seq = d.keep_seq
     ) x WHERE ${allReasons.map((r) => `${r} IS NOT NULL`).join(' OR ')}`,
  );

  // A row referring to a row of the same file (orgs.parent_id) is refused when that row is: repeated
  // until no more rows fall, so a whole refused subtree goes to the quarantine. A collapsed repeat
  // stays collapsed (its first copy is the one refused): counted once, not as both.
  for (const c of e.columns.filter((x) => x.ref?.extract === e.name)) {
    const r = c.ref as NonNullable<Column['ref']>;
    const col = quoteIdent(c.name);
    for (;;) {
      const added = await db.execute(
        `INSERT INTO ${t('bad')} (_seq, ${e.columns.map((x) => quoteIdent(x.name)).join(', ')}, ${quoteIdent(`r_${c.name}`)})
         SELECT s._seq, ${e.columns.map((x) => `s.${quoteIdent(x.name)}`).join(', ')}, 'refers to a row refused in this file'
           FROM ${quoteIdent(stg)} s
          WHERE s.${col} IN (SELECT b.${quoteIdent(r.column)} FROM ${t('bad')} b)
            AND NOT EXISTS (SELECT 1 FROM ${t('bad')} b WHERE b._seq = s._seq)
            AND NOT EXISTS (SELECT 1 FROM ${t('dup')} d WHERE ${keyEq('d', 's')} AND d.nd = 1 AND s._seq <> d.keep_seq)`,
      );
      if (added === 0) break;
    }
  }

  // 4. Quarantine: one row per refused value (a row may have several), each with its record number.
  for (const c of [...e.columns, null]) {
    const column = c ? c.name : (e.key[0] as string);
    const reason = c ? quoteIdent(`r_${c.name}`) : 'r__key';
    await db.execute(
      `INSERT INTO quarantine (load_id, extract, file, line, column_name, value, reason)
       SELECT $1, $2, $3, ${lineOf('b._seq')}, $4, b.${quoteIdent(column)}, ${reason}
         FROM ${t('bad')} b WHERE ${reason} IS NOT NULL`,
      [ctx.loadId, e.name, f.name, column],
    );
  }

  // 5. The rows to skip: refused rows and collapsed duplicates.
  await db.exec(`DROP TABLE IF EXISTS ${t('skip')}; CREATE TEMP TABLE ${t('skip')} (_seq BIGINT)`);
  const collapsed = await db.execute(
    `INSERT INTO ${t('skip')} (_seq)
     SELECT s._seq FROM ${quoteIdent(stg)} s JOIN ${t('dup')} d ON ${keyEq('d', 's')}
      WHERE d.nd = 1 AND s._seq <> d.keep_seq`,
  );
  const quarantinedStaged = await db.execute(`INSERT INTO ${t('skip')} (_seq) SELECT _seq FROM ${t('bad')}`);
  const quarantined = quarantinedStaged + rejects.length;

  // 6. Apply the accepted rows, typed: a reference snapshot replaces its table; fact increments
  //    upsert by key (app_events: the earliest date stands). Into an empty table the rows go straight in.
  const typedCols = e.columns.map((c) => `${typedSql(c, 's', sqlType(c.type))} AS ${quoteIdent(c.name)}`);
  const accepted = `SELECT ${typedCols.join(', ')} FROM ${quoteIdent(stg)} s
      WHERE NOT EXISTS (SELECT 1 FROM ${t('skip')} k WHERE k._seq = s._seq)`;
  const cols = e.columns.map((c) => quoteIdent(c.name)).join(', ');
  const table = quoteIdent(e.name);
  let inserted: number;
  let updated = 0;
  let removed = 0;
  let loaded: number;
  let loadedRows: string; // where this load's rows can be read back for the soft-reference counts
  const [{ has }] = (await db.query<{ has: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS has`)) as [
    { has: boolean },
  ];
  if (!has) {
    inserted = await db.execute(`INSERT INTO ${table} (${cols}) ${accepted}`);
    loaded = inserted;
    loadedRows = table;
  } else {
    // Only what differs is written: a re-delivered or unchanged snapshot touches no row.
    await db.exec(`DROP TABLE IF EXISTS ${t('good')}`);
    await db.exec(`CREATE TEMP TABLE ${t('good')} AS ${accepted}`);
    await analyze(db, `${stg}__good`);
    const [{ n }] = (await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${t('good')}`)) as [
      { n: number },
    ];
    loaded = Number(n);
    loadedRows = t('good');
    const differs = e.earliest
      ? `g.${quoteIdent(e.earliest)} < t.${quoteIdent(e.earliest)}` // the earliest date stands
      : e.columns
          .filter((c) => !e.key.includes(c.name))
          .map((c) => `g.${quoteIdent(c.name)} IS DISTINCT FROM t.${quoteIdent(c.name)}`)
          .join(' OR ') || 'FALSE';
    // An increment usually brings only new keys: look at the stored keys first (one key column read)
    // and compare whole rows only when some keys are already stored (that reads every column).
    const [{ stored }] = (await db.query<{ stored: number }>(
      `SELECT count(*) AS stored FROM ${t('good')} g WHERE EXISTS (SELECT 1 FROM ${table} t WHERE ${keyEq('t', 'g')})`,
    )) as [{ stored: number }];
    updated =
      Number(stored) === 0
        ? 0
        : await db.execute(
            `DELETE FROM ${table} t WHERE EXISTS (SELECT 1 FROM ${t('good')} g WHERE ${keyEq('g', 't')} AND (${differs}))`,
          );
    if (e.kind === 'reference') {
      // A snapshot: keys it no longer holds leave the table.
      removed = await db.execute(
        `DELETE FROM ${table} t WHERE NOT EXISTS (SELECT 1 FROM ${t('good')} g WHERE ${keyEq('g', 't')})`,
      );
    }
    inserted = await db.execute(
      `INSERT INTO ${table} (${cols}) SELECT ${cols} FROM ${t('good')} g
        WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE ${keyEq('t', 'g')})`,
    );
  }

  // The models read this table next: their plans need its new size and values (PostgreSQL).
  if (inserted + updated + removed > 0) await analyze(db, e.name);

  // 8. Soft references: kept, and counted when unknown.
  const warnings: Record<string, number> = {};
  for (const c of e.columns.filter((x) => x.softRef)) {
    const r = c.softRef as NonNullable<Column['softRef']>;
    const [{ n }] = (await db.query<{ n: number }>(
      `SELECT count(*) AS n FROM ${loadedRows} g
        WHERE g.${quoteIdent(c.name)} IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(r.extract)} r WHERE r.${quoteIdent(r.column)} = g.${quoteIdent(c.name)})`,
    )) as [{ n: number }];
    if (Number(n) > 0) warnings[c.name] = Number(n);
  }

  for (const suffix of ['rej', 'dupkeys', 'dup', 'bad', 'skip', 'good'])
    await db.exec(`DROP TABLE IF EXISTS ${t(suffix)}`);
  await db.dropStaged(stg);

  if (read !== loaded + quarantined + collapsed) {
    // Cannot happen unless the loader itself is wrong: refuse rather than lose a row silently.
    throw new Error(
      `${f.name}: ${read} read ≠ ${loaded} loaded + ${quarantined} quarantined + ${collapsed} collapsed`,
    );
  }
  return {
    extract: e.name,
    file: f.name,
    format: f.format,
    encoding: scan.encoding,
    sha256: scan.sha256,
    read,
    loaded,
    quarantined,
    collapsed,
    inserted,
    updated,
    removed,
    unchanged: loaded - inserted,
    extraColumns: extra,
    warnings,
    seconds: 0,
  };
}

/** Multi-row INSERT with bound parameters, in batches. */
async function insertRows(db: Db, table: string, columns: string[], rows: SqlValue[][]): Promise<void> {
  const batch = 500;
  for (let i = 0; i < rows.length; i += batch) {
    const part = rows.slice(i, i + batch);
    const params: SqlValue[] = [];
    const values = part.map((r) => `(${r.map((v) => `$${params.push(v)}`).join(', ')})`);
    await db.execute(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, params);
  }
}

function buildReport(
  loadId: number,
  sourceDir: string,
  asOf: string,
  status: 'APPLIED' | 'FAILED',
  message: string | null,
  started: Date,
  files: FileReport[],
): LoadReport {
  const sum = (k: 'read' | 'loaded' | 'quarantined' | 'collapsed') => files.reduce((a, f) => a + f[k], 0);
  return {
    loadId,
    sourceDir,
    asOf,
    status,
    message,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    files,
    totals: {
      read: sum('read'),
      loaded: sum('loaded'),
      quarantined: sum('quarantined'),
      collapsed: sum('collapsed'),
    },
    quarantineSample: [],
  };
}

async function recordLoad(db: Db, r: LoadReport): Promise<void> {
  await db.execute(
    `INSERT INTO loads (load_id, source_dir, as_of, started_at, finished_at, status, message, files,
       rows_read, rows_loaded, rows_quarantined, rows_collapsed, report)
     VALUES ($1, $2, CAST($3 AS DATE), CAST($4 AS TIMESTAMP), CAST($5 AS TIMESTAMP), $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      r.loadId,
      r.sourceDir,
      r.asOf,
      r.startedAt.replace('T', ' ').replace('Z', ''),
      nowTs(),
      r.status,
      r.message,
      r.files.length,
      r.totals.read,
      r.totals.loaded,
      r.totals.quarantined,
      r.totals.collapsed,
      JSON.stringify(r),
    ],
  );
}

async function recordFiles(db: Db, loadId: number, files: FileReport[]): Promise<void> {
  await insertRows(
    db,
    'load_files',
    [
      'load_id',
      'extract',
      'file',
      'format',
      'encoding',
      'sha256',
      'rows_read',
      'rows_loaded',
      'rows_quarantined',
      'rows_collapsed',
      'rows_inserted',
      'rows_updated',
      'rows_removed',
      'rows_unchanged',
      'extra_columns',
      'warnings',
    ],
    files.map((f) => [
      loadId,
      f.extract,
      f.file,
      f.format,
      f.encoding,
      f.sha256,
      f.read,
      f.loaded,
      f.quarantined,
      f.collapsed,
      f.inserted,
      f.updated,
      f.removed,
      f.unchanged,
      JSON.stringify(f.extraColumns),
      JSON.stringify(f.warnings),
    ]),
  );
}
