// An open-loop load generator at a fixed rate for the serving benchmark (bench/serve.bench.ts): request
// i is due at t0 + i / rate whatever happened to the requests before it, and its latency is counted
// from when it was due to when its response has been read — so time spent waiting for a free
// connection, or behind a slow answer, is in the figures (no coordinated omission). Keep-alive
// connections, at most `connections` at once (node:http's agent queues the rest).

import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface PacedRequest {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Hand the response body to onSettled — always, or only when the status is not 2xx (default: dropped). */
  keepBody?: boolean | 'non2xx';
}

/** How one request ended: a status and its latency (ms from when it was due), or an error. */
export interface PacedOutcome {
  status?: number;
  latencyMs?: number;
  /** 'timeout', 'unanswered' (still open at the deadline) or the socket error's code or message. */
  error?: string;
  body?: string;
}

export interface PacedOptions {
  port: number;
  host?: string;
  /** Requests per second, spread evenly. */
  rate: number;
  seconds: number;
  connections: number;
  /** The i-th request (0-based). */
  next: (i: number) => PacedRequest;
  /** A request not answered after this long counts as an error (default 10 s). */
  timeoutMs?: number;
  /** When the last request is due plus this long, whatever is still unanswered is dropped as errors (default 10 s). */
  graceMs?: number;
  /** Called once for every request, when it is answered or has failed (bench/soak.bench.ts counts per endpoint). */
  onSettled?: (i: number, r: PacedRequest, o: PacedOutcome) => void;
}

export interface PacedResult {
  sent: number;
  completed: number;
  seconds: number;
  /** Completed responses per second over the run (first due time to last response). */
  achievedRate: number;
  /** Latency of every completed response, in ms (from when the request was due). */
  latencyMs: Float64Array;
  statuses: Record<string, number>;
  errors: number;
  /** How far behind its due time the generator itself sent requests, at worst (ms). */
  maxSendLagMs: number;
  /** How far behind its due time each request was sent (ms), in order. */
  sendLagMs: Float64Array;
  /** Requests still unanswered at the deadline (counted in errors). */
  unanswered: number;
}

export function paced(o: PacedOptions): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections });
  const total = Math.round(o.rate * o.seconds);
  const interval = 1000 / o.rate;
  const latency = new Float64Array(total);
  const statuses: Record<string, number> = {};
  let completed = 0;
  let errors = 0;
  let settled = 0;
  let maxSendLagMs = 0;
  const sendLag = new Float64Array(total);
  let lastEnd = 0;
  const t0 = performance.now() + 5;
  /** Requests not settled yet, kept only for onSettled (what is still open at the deadline). */
  const pending = o.onSettled ? new Map<number, PacedRequest>() : null;

  return new Promise((resolve) => {
    let unanswered = 0;
    let finished = false;
    const deadline = setTimeout(
      () => {
        unanswered = total - settled;
        errors += unanswered;
        for (const [i, r] of pending ?? []) o.onSettled?.(i, r, { error: 'unanswered' });
        lastEnd = performance.now();
        settled = total - 1;
        done();
      },
      5 + o.seconds * 1000 + (o.graceMs ?? 10_000),
    );
    const done = () => {
      settled++;
      if (settled < total || finished) return;
      finished = true;
      clearTimeout(deadline);
      agent.destroy();
      const seconds = (lastEnd - t0) / 1000;
      resolve({
        sent: total,
        completed,
        seconds,
        achievedRate: completed / seconds,
        latencyMs: latency.slice(0, completed),
        statuses,
        errors,
        maxSendLagMs,
        sendLagMs: sendLag,
        unanswered,
      });
    };
    const fire = (i: number, due: number) => {
      const r = o.next(i);
      pending?.set(i, r);
      let over = false;
      const fail = (e?: Error) => {
        if (over || finished) return;
        over = true;
        errors++;
        pending?.delete(i);
        o.onSettled?.(i, r, {
          error: (e as NodeJS.ErrnoException | undefined)?.code ?? e?.message ?? 'error',
        });
        done();
      };
      const req = request(
        {
          agent,
          host: o.host ?? '127.0.0.1',
          port: o.port,
          method: r.method ?? 'GET',
          path: r.path,
          headers: {
            ...r.headers,
            ...(r.body !== undefined
              ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(r.body)) }
              : {}),
          },
          timeout: o.timeoutMs ?? 10_000,
        },
        (res) => {
          const keep =
            o.onSettled &&
            (r.keepBody === true ||
              (r.keepBody === 'non2xx' &&
                !(res.statusCode && res.statusCode >= 200 && res.statusCode < 300)));
          const chunks: Buffer[] | null = keep ? [] : null;
          res.on('data', (c: Buffer) => chunks?.push(c));
          res.on('error', fail);
          res.on('end', () => {
            if (over || finished) return;
            over = true;
            const end = performance.now();
            lastEnd = Math.max(lastEnd, end);
            latency[completed++] = end - due;
            const s = String(res.statusCode);
            statuses[s] = (statuses[s] ?? 0) + 1;
            pending?.delete(i);
            o.onSettled?.(i, r, {
              status: res.statusCode,
              latencyMs: end - due,
              ...(chunks ? { body: Buffer.concat(chunks).toString('utf8') } : {}),
            });
            done();
          });
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
      req.on('error', fail);
      if (r.body !== undefined) req.write(r.body);
      req.end();
    };
    let i = 0;
    const tick = () => {
      const now = performance.now();
      while (!finished && i < total && t0 + i * interval <= now) {
        const due = t0 + i * interval;
        maxSendLagMs = Math.max(maxSendLagMs, now - due);
        sendLag[i] = now - due;
        fire(i, due);
        i++;
      }
      if (!finished && i < total) setTimeout(tick, Math.max(0, t0 + i * interval - performance.now()));
    };
    setTimeout(tick, 5);
  });
}

export interface Distribution {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export function distribution(values: ArrayLike<number>): Distribution {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) return { n: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  const at = (p: number) => s[Math.max(0, Math.ceil(p * s.length) - 1)] as number;
  const mean = s.reduce((a, x) => a + x, 0) / s.length;
  return { n: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: at(1), mean };
}
