// Policy server benchmarks (issue 5): the approval round trip (request → approve → grant
// verified and spent), SSE fan-out of one event to 500 connected clients, and create-request
// throughput under autocannon beside the server's own trivial route as the baseline, in one run.
// The server is the demo's: in-process, PGlite in memory, tokens from the built-in issuer.
//
// Run after `npx tsc -b`: node bench/approvals/approvals-bench.mjs. Prints a markdown section.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';

const root = fileURLToPath(new URL('../../', import.meta.url));
const core = await import(pathToFileURL(`${root}gateway-core/dist/index.js`).href);

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const fmt = (n, d = 1) => n.toFixed(d);

const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const keyFile = join(tmp, 'issuer-key.json');
const issuer = await core.DemoIssuer.openOrCreate(keyFile);
const engineerId = core.DEMO_IDENTITIES.find((i) => i.id === 'engineer');
const adminId = core.DEMO_IDENTITIES.find((i) => i.id === 'admin');
const child = spawn(process.execPath, [fileURLToPath(new URL('./policy-server-child.mjs', import.meta.url)), keyFile], { stdio: ['pipe', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  createInterface({ input: child.stdout }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`policy server exited (${code})`)));
});
const engineer = new core.PolicyServerClient({ baseUrl: url, accessToken: () => issuer.tokenFor(engineerId) });
const admin = new core.PolicyServerClient({ baseUrl: url, accessToken: () => issuer.tokenFor(adminId) });
const verifier = new core.GrantVerifier(() => engineer.jwksUrl());

const sqlRequest = (i) => ({
  kind: 'sql',
  connectionId: 'demo-postgres',
  action: `UPDATE public.customers SET city = 'Bench ${i}' WHERE id = ${i}`,
  actionClass: 'write',
  rule: 'sql-write',
  justification: `benchmark request ${i}`,
});

// --- round trip ---------------------------------------------------------------------------------
const ROUNDS = 200;
for (let i = 0; i < 20; i++) await roundTrip(-1 - i); // warm-up: JIT, key fetch, PGlite caches
const rounds = [];
for (let i = 0; i < ROUNDS; i++) {
  const t = performance.now();
  await roundTrip(i);
  rounds.push(performance.now() - t);
}

async function roundTrip(i) {
  const body = sqlRequest(i);
  const created = await engineer.createRequest(body);
  await admin.decide(created.id, 'approve', 'bench');
  const approved = await engineer.getRequest(created.id);
  const claims = await verifier.verify(approved.grant.token, { kind: 'sql', action: body.action, connectionId: body.connectionId, requesterId: 'engineer', requestId: created.id });
  await engineer.consume(created.id, claims.jti);
}

// --- SSE fan-out --------------------------------------------------------------------------------
const CLIENTS = 500;
const EVENTS = 20;
const adminToken = await issuer.tokenFor(adminId);
const arrivals = new Map(); // request id -> arrival times
const streams = [];
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    const controller = new AbortController();
    const res = await fetch(`${url}/v1/events`, { headers: { authorization: `Bearer ${adminToken}`, accept: 'text/event-stream' }, signal: controller.signal });
    streams.push(controller);
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body) {
          buffer += decoder.decode(chunk, { stream: true });
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const data = frame.split('\n').find((l) => l.startsWith('data:'));
            if (!data) continue;
            const event = JSON.parse(data.slice(5));
            if (event.type === 'approval' && event.request.status === 'pending') {
              const list = arrivals.get(event.request.id) ?? [];
              list.push(performance.now());
              arrivals.set(event.request.id, list);
            }
          }
        }
      } catch {
        // aborted at the end
      }
    })();
  }),
);
const fanout = [];
for (let i = 0; i < EVENTS; i++) {
  const t = performance.now();
  const created = await engineer.createRequest(sqlRequest(10_000 + i));
  const deadline = Date.now() + 30_000;
  while ((arrivals.get(created.id)?.length ?? 0) < CLIENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  const got = arrivals.get(created.id) ?? [];
  if (got.length < CLIENTS) throw new Error(`only ${got.length} of ${CLIENTS} clients got the event`);
  fanout.push(Math.max(...got) - t);
}
for (const c of streams) c.abort();

// --- create throughput under autocannon ---------------------------------------------------------
const engineerToken = await issuer.tokenFor(engineerId);
const cannon = (opts) => new Promise((resolve, reject) => autocannon({ url, connections: 10, duration: 8, ...opts }, (err, r) => (err ? reject(err) : resolve(r))));
const baseline = await cannon({ url: `${url}/health` });
let n = 0;
const creates = await cannon({
  url: `${url}/v1/approvals`,
  method: 'POST',
  headers: { authorization: `Bearer ${engineerToken}`, 'content-type': 'application/json' },
  setupClient: (client) => client.on('response', () => undefined),
  requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(sqlRequest(100_000 + n++)) }) }],
});
if (creates.non2xx > 0) throw new Error(`${creates.non2xx} create requests failed`);
child.stdin.end();
await new Promise((r) => child.once('exit', r));
rmSync(tmp, { recursive: true, force: true });

console.log(`## Policy server and approvals

The demo's policy server (fastify, PGlite in memory) in a process of its own, tokens from the built-in issuer;
the clients and load generator in the benchmark's process, over loopback HTTP. Round trip: ${ROUNDS} times (after 20 warm-ups), an engineer creates a SQL
request, an admin approves it, the engineer reads the grant, gateway-core verifies its signature and claims, and
spends it. Fan-out: ${CLIENTS} SSE clients connected at once (as admins), ${EVENTS} requests created one after
another, time until the last of the ${CLIENTS} clients received each. Throughput: autocannon, 10 connections, 8 s.

| figure | value |
|---|---|
| approval round trip, p50 | ${fmt(pct(rounds, 50))} ms |
| approval round trip, p99 | ${fmt(pct(rounds, 99))} ms |
| SSE fan-out to ${CLIENTS} clients, last arrival p50 | ${fmt(pct(fanout, 50))} ms |
| SSE fan-out to ${CLIENTS} clients, last arrival p99 | ${fmt(pct(fanout, 99))} ms |
| create request (POST /v1/approvals), req/s | ${Math.round(creates.requests.average)} (p99 latency ${creates.latency.p99} ms) |
| baseline: GET /health on the same server, req/s | ${Math.round(baseline.requests.average)} |
| create vs baseline | ${fmt(creates.requests.average / baseline.requests.average, 2)}× |`);
process.exit(0);
