// "The data has changed": a load or a pipeline run finished in this server (src/server/routes/ops.ts).
// What routes keep in memory from the extracts or the published tables (the workbench's read model,
// the counter's matcher) listens here and drops it, instead of asking the database on every request.
// Listeners are kept per app by its HTTP server object, which every plugin context of the app shares.

import type { FastifyInstance } from 'fastify';

type Listener = () => void;

const listeners = new WeakMap<object, Set<Listener>>();

/** Be told, in this app, whenever a load or a run has finished. */
export function onDataChanged(app: FastifyInstance, listener: Listener): void {
  const set = listeners.get(app.server) ?? new Set<Listener>();
  set.add(listener);
  listeners.set(app.server, set);
}

/** Tell every listener of this app that a load or a run has finished. */
export function dataChanged(app: FastifyInstance): void {
  for (const l of listeners.get(app.server) ?? []) l();
}
