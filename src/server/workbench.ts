// The workbench's read model for account managers and corporate RMs (scope OWN): each one's tasks — their
// own and their outlet's pool — with the lead, the masked customer card's fields and the contacts, read
// from the database once and then served from memory. At 1 M customers the joined task query costs
// hundreds of milliseconds on DuckDB's one serialised connection (bench/serve.bench.ts), far from the
// 50 ms p99 at 500 req/s of ARCHITECTURE's budget; a staff member's own set is a few hundred rows.
//
// Kept current by this process: an outcome recorded through the API is written into the entries
// holding its task (`recorded`: the task's status and last outcome, the new contact); every other
// write that changes tasks drops the entries that hold what it touched (the task, the customer's other
// tasks — REFUSED_ALL closes them —, the new holder, the new pool), and a finished load or pipeline
// run drops all (dataChanged). A read in flight during a change is dropped when it arrives only if
// the change concerns what it holds (an outcome is written into it instead). What another process writes (the CLI or a second server on
// PostgreSQL) shows within `ttlMs`. Entries are built lazily, once for concurrent requests, and at
// most `maxEntries` are kept (the oldest go first).

import type { Db } from '../db/types.js';
import { latestConsentSql } from '../leads/contactPolicy.js';
import type { Principal } from './roles.js';

export type TaskRow = Record<string, string | number | boolean | null>;

export type CardRow = {
  customer_id: string;
  name: string | null;
  phone: string | null;
  id_no: string | null;
  gender: string | null;
  home_org_id: string | null;
  home_org_name: string | null;
  manager_id: string | null;
  risk_level: string | null;
  marketing_consent: string | null;
  dnd: string | null;
  customer_since: string | null;
  consent_event: string | null;
};

export type ContactRow = {
  contact_id: number;
  outcome: string;
  channel: string;
  staff_id: string | null;
  contact_at: string;
};

/** One set of tasks kept: a staff member's own (`own:<staff>`) or an org's pool (`pool:<org>`). */
export type WorkbenchEntry = {
  /** The rows of TASK_VIEW_COLUMNS, in the order of TASK_VIEW_ORDER. */
  rows: TaskRow[];
  byId: Map<number, TaskRow>;
  cards: Map<string, CardRow>;
  contacts: Map<number, ContactRow[]>;
  customers: Set<string>;
  builtAt: number;
};

/** What an OWN principal sees: their own tasks and their outlet's pool. */
export type WorkbenchView = { own: WorkbenchEntry; pool: WorkbenchEntry | null };

/** Sign, integer digits and fraction digits of a decimal string, for an exact comparison. */
function compareDecimal(a: string, b: string): number {
  const parse = (s: string) => {
    const neg = s.startsWith('-');
    const [i = '0', f = ''] = s.replace(/^[-+]/, '').split('.');
    return { neg, i: i.replace(/^0+(?=\d)/, ''), f: f.replace(/0+$/, '') };
  };
  const x = parse(a);
  const y = parse(b);
  const zero = (v: { i: string; f: string }) => /^0*$/.test(v.i) && v.f === '';
  if (x.neg !== y.neg && !(zero(x) && zero(y))) return x.neg ? -1 : 1;
  const sign = x.neg ? -1 : 1;
  if (x.i.length !== y.i.length) return sign * (x.i.length < y.i.length ? -1 : 1);
  if (x.i !== y.i) return sign * (x.i < y.i ? -1 : 1);
  const n = Math.max(x.f.length, y.f.length);
  const fx = x.f.padEnd(n, '0');
  const fy = y.f.padEnd(n, '0');
  return fx === fy ? 0 : sign * (fx < fy ? -1 : 1);
}

/** TASK_VIEW_ORDER in memory: open work first, queued last, then priority (exact), then task id. */
export function byTaskOrder(a: TaskRow, b: TaskRow): number {
  const qa = a.status === 'QUEUED' ? 1 : 0;
  const qb = b.status === 'QUEUED' ? 1 : 0;
  if (qa !== qb) return qa - qb;
  const p = compareDecimal(String(b.priority), String(a.priority));
  return p !== 0 ? p : Number(a.task_id) - Number(b.task_id);
}

/** Merge two lists each in TASK_VIEW_ORDER. */
function merged(a: TaskRow[], b: TaskRow[]): TaskRow[] {
  const out: TaskRow[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && byTaskOrder(x, y) <= 0)) {
      out.push(x as TaskRow);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

/** The rows an OWN principal sees, in order: own tasks and the pool. */
export function viewRows(v: WorkbenchView): TaskRow[] {
  return v.pool ? merged(v.own.rows, v.pool.rows) : v.own.rows;
}

type Key = `own:${string}` | `pool:${string}`;

/** Whether a change concerns an entry (then one read while it happened may miss it). */
type Concerns = (key: Key, e: WorkbenchEntry) => boolean;

/** Contacts in the order the database gives them: by time, then id. */
const byContactOrder = (a: ContactRow, b: ContactRow) =>
  a.contact_at === b.contact_at ? a.contact_id - b.contact_id : a.contact_at < b.contact_at ? -1 : 1;

/** How long entries asked for are gathered before they are read together. */
const BATCH_MS = 25;

/**
 * A staff member's own tasks, and each org's pool, are read from the database once and served from
 * memory. Entries asked for within BATCH_MS are read together: each read scans the large tasks,
 * leads and customers tables whatever it selects (DuckDB has no index to look them up by), so 200
 * staff signing in at once cost one set of scans, not 200.
 */
export class Workbench {
  private readonly entries = new Map<Key, Promise<WorkbenchEntry>>();
  /** What each read has given, once it has arrived (entries still being read are not in it). */
  private readonly arrived = new WeakMap<Promise<WorkbenchEntry>, WorkbenchEntry>();
  private generation = 0;
  /** The changes since the oldest read in flight began, and the generations those reads began at. */
  private changes: { generation: number; concerns: Concerns; patch?: (e: WorkbenchEntry) => void }[] = [];
  private readonly reading: number[] = [];
  private batch: { keys: Set<Key>; done: Promise<Map<Key, WorkbenchEntry>> } | null = null;

  constructor(
    private readonly db: Db,
    private readonly o: { ttlMs: number; maxEntries?: number; now?: () => number } = { ttlMs: 5_000 },
  ) {}

  /** Whether a principal's task reads are served from here (OWN scope, bound to a staff member). */
  static serves(p: Principal): boolean {
    return p.scope === 'OWN' && p.staffId !== null;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** The principal's own tasks, with their outlet's pool when `pool` is asked for. */
  async view(p: Principal, withPool: boolean): Promise<WorkbenchView> {
    // Both awaited together: a failed read of one must not leave the other's rejection unhandled (it
    // ended the process — a database closed under a request at shutdown, a dropped connection).
    const [own, pool] = await Promise.all([
      this.entry(`own:${p.staffId}`),
      withPool ? this.entry(`pool:${p.orgId}`) : null,
    ]);
    return { own, pool };
  }

  /** An entry, read when missing or older than ttlMs. */
  private async entry(key: Key): Promise<WorkbenchEntry> {
    const kept = this.entries.get(key);
    if (kept) {
      const e = await kept.catch(() => null);
      if (e && this.now() - e.builtAt < this.o.ttlMs) return e;
      if (this.entries.get(key) === kept) this.entries.delete(key);
    }
    const current = this.entries.get(key);
    if (current) return current;
    const built = this.start(key);
    const max = this.o.maxEntries ?? 10_000;
    while (this.entries.size > max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return built;
  }

  /** Read an entry, kept at once (every request asking for it meanwhile waits for this read). */
  private start(key: Key): Promise<WorkbenchEntry> {
    const generation = this.generation;
    this.reading.push(generation);
    const built = this.read(key);
    this.entries.set(key, built);
    built
      .then(
        (e) => {
          this.arrived.set(built, e);
          // Changed while it was being read: dropped if the change concerns what it holds. (Every
          // change used to drop every read in flight: under a stream of outcomes no read was ever kept.)
          // An outcome is written into it instead (idempotent, like on a kept entry).
          let missed = false;
          for (const c of this.changes)
            if (c.generation > generation && c.concerns(key, e)) {
              if (c.patch) c.patch(e);
              else missed = true;
            }
          if (missed && this.entries.get(key) === built) this.entries.delete(key);
        },
        () => {
          if (this.entries.get(key) === built) this.entries.delete(key);
        },
      )
      .finally(() => {
        this.reading.splice(this.reading.indexOf(generation), 1);
        const oldest = Math.min(...this.reading);
        this.changes = this.changes.filter((c) => c.generation > oldest);
      });
    return built;
  }

  /** Join the batch being gathered (read on the next turn of the event loop), or start one. */
  private async read(key: Key): Promise<WorkbenchEntry> {
    if (!this.batch) {
      const keys = new Set<Key>();
      // Gathered for BATCH_MS: staff signing in together arrive over a few milliseconds, not in one
      // turn of the event loop, and each read costs the same scans whatever it selects.
      const done = new Promise<void>((resolve) => setTimeout(resolve, BATCH_MS)).then(() => {
        if (this.batch?.keys === keys) this.batch = null;
        return this.build([...keys]);
      });
      this.batch = { keys, done };
    }
    this.batch.keys.add(key);
    const entry = (await this.batch.done).get(key);
    if (!entry) throw new Error(`workbench: ${key} was not read`);
    return entry;
  }

  /** Note a change for the reads in flight. */
  private change(concerns: Concerns, patch?: (e: WorkbenchEntry) => void): void {
    this.generation++;
    if (this.reading.length > 0) this.changes.push({ generation: this.generation, concerns, patch });
  }

  /** Drop every entry (a load or a pipeline run has changed the data). */
  dataChanged(): void {
    this.change(() => true);
    this.entries.clear();
  }

  /**
   * An outcome recorded through this server (not REFUSED_ALL, which closes the customer's other tasks:
   * `changed`): the entries holding the task take its new status and last outcome and the new contact,
   * in place — dropping them cost a staff member's whole read again after every outcome. Idempotent:
   * an entry read with this contact, or a later one of the task, is left as it is.
   */
  recorded(o: {
    taskId: number;
    status: string;
    outcome: string;
    contactId: number;
    contactAt: string;
    staffId: string | null;
  }): void {
    const patch = (e: WorkbenchEntry) => {
      const row = e.byId.get(o.taskId);
      if (!row) return;
      const contacts = e.contacts.get(o.taskId) ?? [];
      if (contacts.some((k) => k.contact_id > o.contactId)) return; // read with a later outcome
      if (row.status !== o.status || row.last_outcome !== o.outcome) {
        // A new row (the views kept per row are of the old one); the order stays: an outcome is
        // never recorded on a queued task, nor makes one queued.
        const next: TaskRow = { ...row, status: o.status, last_outcome: o.outcome };
        e.rows[e.rows.indexOf(row)] = next;
        e.byId.set(o.taskId, next);
      }
      if (contacts.some((k) => k.contact_id === o.contactId)) return;
      const contact: ContactRow = {
        contact_id: o.contactId,
        outcome: o.outcome,
        channel: String(row.channel),
        staff_id: o.staffId,
        contact_at: o.contactAt,
      };
      e.contacts.set(o.taskId, [...contacts, contact].sort(byContactOrder));
    };
    // Reads in flight get it when they arrive (they may have read the database before it).
    this.change((_key, e) => e.byId.has(o.taskId), patch);
    for (const pending of this.entries.values()) {
      const e = this.arrived.get(pending);
      if (e) patch(e);
    }
  }

  /**
   * Drop the entries a change to these tasks, customers, staff members or pools may have changed;
   * an entry still being read is dropped when it arrives.
   */
  async changed(c: {
    tasks?: number[];
    customers?: (string | null)[];
    staff?: (string | null)[];
    orgs?: (string | null)[];
  }) {
    const tasks = new Set(c.tasks ?? []);
    const customers = new Set((c.customers ?? []).filter((x): x is string => x !== null));
    const staff = new Set((c.staff ?? []).filter((x): x is string => x !== null).map((x) => `own:${x}`));
    const orgs = new Set((c.orgs ?? []).filter((x): x is string => x !== null).map((x) => `pool:${x}`));
    const concerns: Concerns = (key, e) =>
      staff.has(key) ||
      orgs.has(key) ||
      [...tasks].some((t) => e.byId.has(t)) ||
      [...customers].some((x) => e.customers.has(x));
    this.change(concerns);
    // Entries still being read are judged when they arrive (entry()).
    for (const [key, pending] of [...this.entries]) {
      const e = this.arrived.get(pending);
      if (staff.has(key) || orgs.has(key) || (e && concerns(key, e))) this.entries.delete(key);
    }
  }

  /** Read the entries of these keys, in one set of queries. */
  private async build(keys: Key[]): Promise<Map<Key, WorkbenchEntry>> {
    const db = this.db;
    const builtAt = this.now();
    const staff = keys.filter((k) => k.startsWith('own:')).map((k) => k.slice(4));
    const orgs = keys.filter((k) => k.startsWith('pool:')).map((k) => k.slice(5));
    const params: string[] = [...staff, ...orgs];
    const list = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => `$${from + i + 1}`).join(', ');
    const mine = [
      staff.length ? `t.staff_id IN (${list(0, staff.length)})` : null,
      orgs.length ? `(t.staff_id IS NULL AND t.org_id IN (${list(staff.length, orgs.length)}))` : null,
    ]
      .filter(Boolean)
      .join(' OR ');
    // The tasks first (one filtered scan), then their leads, customers and contacts by semi-join:
    // joining the task rows to every lead and customer costs a full hash join each time.
    const tasks = await db.query<TaskRow>(
      `SELECT t.task_id, t.lead_id, t.activity_id, t.customer_id, t.org_id, t.staff_id, t.channel, t.status,
              t.queue_reason, t.created_on, t.assigned_on, t.due_date, t.last_outcome
         FROM tasks t WHERE ${mine}`,
      params,
    );
    const leads = await db.query<TaskRow>(
      `SELECT l.lead_id, l.entity_kind, l.entity_id, l.product_code, p.product_name,
              CAST(l.priority AS VARCHAR) AS priority, l.facts
         FROM leads l LEFT JOIN products p ON p.product_code = l.product_code
        WHERE l.lead_id IN (SELECT t.lead_id FROM tasks t WHERE ${mine})`,
      params,
    );
    const cards = await db.query<CardRow>(
      `SELECT c.customer_id, c.name, c.phone, c.id_no, c.gender, c.home_org_id, o.org_name AS home_org_name,
              c.manager_id, c.risk_level, c.marketing_consent, c.dnd, c.customer_since,
              ${latestConsentSql('c.customer_id')} AS consent_event
         FROM customers c LEFT JOIN orgs o ON o.org_id = c.home_org_id
        WHERE c.customer_id IN (SELECT t.customer_id FROM tasks t WHERE ${mine})`,
      params,
    );
    const contacts = await db.query<ContactRow & { task_id: number }>(
      `SELECT k.contact_id, k.task_id, k.outcome, k.channel, k.staff_id, k.contact_at FROM contacts k
        WHERE k.task_id IN (SELECT t.task_id FROM tasks t WHERE ${mine})
        ORDER BY k.contact_at, k.contact_id`,
      params,
    );
    const leadById = new Map(leads.map((l) => [Number(l.lead_id), l]));
    const cardById = new Map(cards.map((c) => [String(c.customer_id), c]));
    const rows: TaskRow[] = [];
    for (const t of tasks) {
      const l = leadById.get(Number(t.lead_id));
      if (!l) continue; // TASK_VIEW_FROM joins the lead: a task without one is not shown
      const c = t.customer_id === null ? undefined : cardById.get(String(t.customer_id));
      rows.push({
        ...t,
        entity_kind: l.entity_kind ?? null,
        entity_id: l.entity_id ?? null,
        product_code: l.product_code ?? null,
        product_name: l.product_name ?? null,
        priority: l.priority ?? null,
        facts: l.facts ?? null,
        customer_name: c?.name ?? null,
        customer_phone: c?.phone ?? null,
      });
    }
    rows.sort(byTaskOrder);
    const contactsOf = new Map<number, ContactRow[]>();
    for (const k of contacts) {
      const list = contactsOf.get(Number(k.task_id)) ?? [];
      list.push({
        contact_id: Number(k.contact_id),
        outcome: k.outcome,
        channel: k.channel,
        staff_id: k.staff_id,
        contact_at: k.contact_at,
      });
      contactsOf.set(Number(k.task_id), list);
    }
    // Split by key: a task is its staff member's own, or (no staff member) its org's pool.
    const out = new Map<Key, WorkbenchEntry>();
    const entryOf = (key: Key) => {
      let e = out.get(key);
      if (!e) {
        e = {
          rows: [],
          byId: new Map(),
          cards: new Map(),
          contacts: new Map(),
          customers: new Set(),
          builtAt,
        };
        out.set(key, e);
      }
      return e;
    };
    for (const key of keys) entryOf(key);
    for (const r of rows) {
      const key: Key = r.staff_id === null ? `pool:${r.org_id}` : `own:${r.staff_id}`;
      const e = out.get(key);
      if (!e) continue; // a pool of an org that was not asked for
      e.rows.push(r);
      e.byId.set(Number(r.task_id), r);
      const c = typeof r.customer_id === 'string' ? cardById.get(r.customer_id) : undefined;
      if (c) {
        e.cards.set(String(c.customer_id), c);
        e.customers.add(String(c.customer_id));
      } else if (typeof r.customer_id === 'string') e.customers.add(r.customer_id);
      const k = contactsOf.get(Number(r.task_id));
      if (k) e.contacts.set(Number(r.task_id), k);
    }
    return out;
  }
}
