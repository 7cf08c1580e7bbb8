// The bare fastify route of the serving benchmark (bench/serve.bench.ts): the same fastify as the API
// server, one GET route answering a small JSON object, no logging, no hooks, in its own process.
//   node --import tsx bench/serve-bare.ts PORT

import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 0);
const app = Fastify({ logger: false });
app.get('/bare', async () => ({ supported: false, match: null, offer: null }));
await app.listen({ port, host: '127.0.0.1' });
const address = app.server.address();
console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : port }));
const stop = () => {
  app.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
