// Types of the API's answers and requests, from the generated OpenAPI types (openapi.gen.ts, written by
// `npm run api:types` from the server's own route schemas). Pages may use these directly, or keep a
// narrower hand-written shape checked against them (types.check.ts).
import type { paths } from './openapi.gen';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The 200 (or 201 / 202) JSON body of a route. */
export type ApiResponse<P extends keyof paths, M extends Method = 'get'> =
  Op<P, M> extends {
    responses: infer R;
  }
    ? R extends { 200: infer A }
      ? JsonOf<A>
      : R extends { 201: infer B }
        ? JsonOf<B>
        : R extends { 202: infer C }
          ? JsonOf<C>
          : never
    : never;

/** The query parameters of a route. */
export type ApiQuery<P extends keyof paths, M extends Method = 'get'> =
  Op<P, M> extends {
    parameters: { query?: infer Q };
  }
    ? NonNullable<Q>
    : never;

/** The JSON request body of a route. */
export type ApiBody<P extends keyof paths, M extends Method> =
  Op<P, M> extends {
    requestBody?: infer B;
  }
    ? JsonOf<NonNullable<B>>
    : never;

/** Compile-time check: what the API sends fits the shape a page reads (`Fits<ApiResponse<…>, Mine>`). */
export type Fits<Sent extends Read, Read> = Sent;
