// The Gatehouse local port in a process of its own, set up as `gatehouse connect` does it: the
// app's default policy, the support role (guard + masking with its column rules), no recording.
// A process of its own so that the bench can read its peak RSS, and profile it (NODE_OPTIONS=--cpu-prof).
//
// Input: env GATEHOUSE_BENCH_TARGET = JSON {host, port, database, user, password}.
// Output: one JSON line {host, port, user, password, database}; then, for each line "rss" on
// stdin, one JSON line {rss, maxRss} in bytes and cpuUs (user + system CPU so far, µs). Closes
// when stdin ends.
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const core = await import(pathToFileURL(`${root}gateway-core/dist/pg-listener/index.js`).href);
const { loadPolicyFile } = await import(pathToFileURL(`${root}gateway-core/dist/policy/load-policy.js`).href);

const target = JSON.parse(process.env.GATEHOUSE_BENCH_TARGET ?? '{}');
const connectionId = 'demo-bench';
const policy = loadPolicyFile();
const listener = await core.startPgListener({
  config: { id: connectionId, name: 'bench', type: 'postgres', host: target.host, port: target.port, database: target.database, user: target.user, secret: `stored:${connectionId}`, tls: { mode: 'disable' } },
  secrets: { resolve: async () => target.password },
  identityId: 'engineer',
  policy: core.listenerPolicyFrom(() => policy, () => ({ id: 'engineer', roles: ['support'] }), connectionId),
  maxClients: 64,
});
process.stdout.write(`${JSON.stringify({ host: listener.host, port: listener.port, user: listener.user, password: listener.password, database: listener.database })}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'rss') return;
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024, cpuUs: cpu.user + cpu.system })}\n`);
});
lines.on('close', async () => {
  await listener.close();
  process.exit(0);
});
