// Policy server benchmarks (issue 5): the approval round trip (request → approve → grant
// verified and spent), SSE fan-out of one event to 500 connected clients, and create-request
// throughput under autocannon beside the server's own health route as the baseline. Each runs
// against the server on PGlite (the embedded default) and on PostgreSQL 15, in one run.
//
// Run after `npx tsc -b`: node bench/approvals/approvals-bench.mjs. Prints a markdown section.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';

const root = fileURLToPath(new URL('../../', import.meta.url));
const core = await import(pathToFileURL(`${root}gateway-core/dist/index.js`).href);
const cacheDir = `${root}node_modules/.cache/gatehouse-bench`;
mkdirSync(cacheDir, { recursive: true });
execFileSync('npx', ['esbuild', '--bundle', '--platform=node', '--format=esm', '--packages=external', '--log-level=warning',
  `${root}test-support/postgres/postgres-server.ts`, `--outfile=${cacheDir}/postgres-server.mjs`], { cwd: root, stdio: 'inherit' });
const { startPostgres } = await import(pathToFileURL(`${cacheDir}/postgres-server.mjs`).href);

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const fmt = (n, d = 1) => n.toFixed(d);
const ROUNDS = 200;
const CLIENTS = 500;
const EVENTS = 20;

const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const keyFile = join(tmp, 'issuer-key.json');
const issuer = await core.DemoIssuer.openOrCreate(keyFile);
const engineerId = core.DEMO_IDENTITIES.find((i) => i.id === 'engineer');
const adminId = core.DEMO_IDENTITIES.find((i) => i.id === 'admin');

const sqlRequest = (i) => ({
  kind: 'sql',
  connectionId: 'demo-postgres',
  action: `UPDATE public.customers SET city = 'Bench ${i}' WHERE id = ${i}`,
  actionClass: 'write',
  rule: 'sql-write',
  justification: `benchmark request ${i}`,
});

async function measure(databaseUrl) {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./policy-server-child.mjs', import.meta.url)), keyFile, ...(databaseUrl ? [databaseUrl] : [])], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`policy server exited (${code})`)));
  });
  const engineer = new core.PolicyServerClient({ baseUrl: url, accessToken: () => issuer.tokenFor(engineerId) });
  const admin = new core.PolicyServerClient({ baseUrl: url, accessToken: () => issuer.tokenFor(adminId) });
  const verifier = new core.GrantVerifier(() => engineer.jwksUrl());

  const roundTrip = async (i) => {
    const body = sqlRequest(i);
    const created = await engineer.createRequest(body);
    await admin.decide(created.id, 'approve', 'bench');
    const approved = await engineer.getRequest(created.id);
    const claims = await verifier.verify(approved.grant.token, { kind: 'sql', action: body.action, connectionId: body.connectionId, requesterId: 'engineer', requestId: created.id });
    await engineer.consume(created.id, claims.jti);
  };
  for (let i = 0; i < 20; i++) await roundTrip(-1 - i); // warm-up: JIT, key fetch, caches
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await roundTrip(i);
    rounds.push(performance.now() - t);
  }

  // SSE: CLIENTS admins connected at once; each created request must reach all of them.
  const adminToken = await issuer.tokenFor(adminId);
  const arrivals = new Map();
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
              const data = buffer.slice(0, cut).split('\n').find((l) => l.startsWith('data:'));
              buffer = buffer.slice(cut + 2);
              if (!data) continue;
              const event = JSON.parse(data.slice(5));
              if (event.type !== 'approval' || event.request.status !== 'pending') continue;
              const list = arrivals.get(event.request.id) ?? [];
              list.push(performance.now());
              arrivals.set(event.request.id, list);
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

  const engineerToken = await issuer.tokenFor(engineerId);
  const cannon = (opts) => new Promise((resolve, reject) => autocannon({ url, connections: 10, duration: 8, ...opts }, (err, r) => (err ? reject(err) : resolve(r))));
  const baseline = await cannon({ url: `${url}/health` });
  let n = 0;
  const creates = await cannon({
    url: `${url}/v1/approvals`,
    method: 'POST',
    headers: { authorization: `Bearer ${engineerToken}`, 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(sqlRequest(100_000 + n++)) }) }],
  });
  if (creates.non2xx > 0) throw new Error(`${creates.non2xx} create requests failed`);
  child.stdin.end();
  await new Promise((r) => child.once('exit', r));
  return { rounds, fanout, creates, baseline };
}

const pglite = await measure(undefined);
const postgres = await startPostgres({ seed: 'none' });
let pg15;
try {
  pg15 = await measure(postgres.superuserUrl);
} finally {
  await postgres.stop();
  rmSync(tmp, { recursive: true, force: true });
}

const row = (label, f) => `| ${label} | ${f(pglite)} | ${f(pg15)} |`;
console.log(`## Policy server and approvals

The policy server (fastify) in a process of its own, on PGlite in memory (the embedded default) and on a
PostgreSQL 15 started for the run; tokens from the demo's built-in issuer; the clients and the load generator
in the benchmark's process, over loopback HTTP. Round trip: ${ROUNDS} times (after 20 warm-ups), an engineer
creates a SQL request, an admin approves it, the engineer reads the grant, gateway-core verifies its signature
and claims, and spends it. Fan-out: ${CLIENTS} SSE clients connected at once (as admins), ${EVENTS} requests
created one after another, time until the last of the ${CLIENTS} clients received each. Throughput:
autocannon, 10 connections, 8 s, creating requests (auth, policy, the server's own SQL classification, a
transaction with the audit event, SSE publish) beside \`GET /health\` (auth-free, one \`SELECT 1\`) as the baseline.

| figure | PGlite | PostgreSQL 15 |
|---|---|---|
${row('approval round trip, p50', (r) => `${fmt(pct(r.rounds, 50))} ms`)}
${row('approval round trip, p99', (r) => `${fmt(pct(r.rounds, 99))} ms`)}
${row(`SSE fan-out to ${CLIENTS} clients, last arrival p50`, (r) => `${fmt(pct(r.fanout, 50))} ms`)}
${row(`SSE fan-out to ${CLIENTS} clients, last arrival p99`, (r) => `${fmt(pct(r.fanout, 99))} ms`)}
${row('create request, req/s (p99 latency)', (r) => `${Math.round(r.creates.requests.average)} (${r.creates.latency.p99} ms)`)}
${row('baseline GET /health, req/s', (r) => `${Math.round(r.baseline.requests.average)}`)}
${row('create vs baseline', (r) => `${fmt(r.creates.requests.average / r.baseline.requests.average, 2)}×`)}`);
process.exit(0);
