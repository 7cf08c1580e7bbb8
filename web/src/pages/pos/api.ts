// The point of service's lookups: GET /api/pos/counter (pos:counter) and POST /api/pos/pad (pos:pad),
// src/server/routes/pos.ts. Both are lookups made on a button (or a scanner's Enter), so they are
// mutations whose answers the page keeps in the session's list; each records its answer time.
import { useMutation } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { ApiResponse, Fits } from '../../api/schema';
import type { CounterAnswer, CounterQuery, PadEntry } from './logic';

export type PadAnswer = ApiResponse<'/api/pos/pad', 'post'>;
export type CounterAnswerSent = Fits<ApiResponse<'/api/pos/counter'>, CounterAnswer>;

export interface Timed<T> {
  answer: T;
  ms: number;
}

async function timed<T>(call: () => Promise<T>): Promise<Timed<T>> {
  const t = performance.now();
  const answer = await call();
  return { answer, ms: Math.round(performance.now() - t) };
}

export function useCounterPrompt() {
  return useMutation({
    mutationFn: (q: CounterQuery) =>
      timed(() => api<CounterAnswerSent>('GET', '/api/pos/counter', { query: { ...q } })),
  });
}

export function usePadLookup(lang: 'zh' | 'en') {
  return useMutation({
    mutationFn: (e: PadEntry) =>
      timed(() => api<PadAnswer>('POST', '/api/pos/pad', { query: { lang }, body: e })),
  });
}
