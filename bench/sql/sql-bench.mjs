// SQL broker benchmarks (issue 3): guard classification µs/statement, cold and cached; and a
// 100k-row SELECT through the broker (guard + cursor paging + masking + contract validation) vs
// the same query with plain `pg`, side by side in one run against a throwaway PostgreSQL 15.
//
// Run after `npx tsc -b`: node --expose-gc bench/sql/sql-bench.mjs. Prints a markdown section.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

const root = fileURLToPath(new URL('../../', import.meta.url));
const core = await import(pathToFileURL(`${root}gateway-core/dist/index.js`).href);

// The PostgreSQL harness is TypeScript shared with the tests; compile it on the fly. The bundle
// lives under node_modules/.cache so that its bare imports (pg, faker) resolve and git ignores it.
const cacheDir = `${root}node_modules/.cache/gatehouse-bench`;
mkdirSync(cacheDir, { recursive: true });
execFileSync('npx', ['esbuild', '--bundle', '--platform=node', '--format=esm', '--packages=external', '--log-level=warning',
  `${root}test-support/postgres/postgres-server.ts`, `--outfile=${cacheDir}/postgres-server.mjs`], { cwd: root, stdio: 'inherit' });
const { startPostgres } = await import(pathToFileURL(`${cacheDir}/postgres-server.mjs`).href);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n, d = 1) => n.toFixed(d);

// --- guard ------------------------------------------------------------------------------------
await core.initSqlGuard();
const shapes = [
  (i) => `SELECT c.id, c.email, o.total_cents FROM public.customers c JOIN public.orders o ON o.customer_id = c.id WHERE c.id = ${i} ORDER BY o.placed_at DESC LIMIT 50`,
  (i) => `WITH recent AS (SELECT * FROM public.orders WHERE placed_at > now() - interval '${i} days') SELECT status, count(*) FROM recent GROUP BY status`,
  (i) => `UPDATE public.customers SET phone = '555-${i}' WHERE id = ${i}`,
  (i) => `SELECT pg_catalog.pg_terminate_backend(${i})`,
];
const COLD = 4000;
core.clearSqlCache();
const coldTexts = Array.from({ length: COLD }, (_, i) => shapes[i % shapes.length](i + 1));
let t = performance.now();
for (const text of coldTexts) core.classifySql(text);
const coldUs = ((performance.now() - t) * 1000) / COLD;
const HOT = 200_000;
t = performance.now();
for (let i = 0; i < HOT; i++) core.classifySql(coldTexts[i % 100]);
const hotUs = ((performance.now() - t) * 1000) / HOT;
const avgLen = coldTexts.reduce((n, s) => n + s.length, 0) / COLD;

// --- 100k rows: broker vs plain pg ------------------------------------------------------------
const server = await startPostgres({ seed: 'demo' });
const policy = core.parsePolicyYaml(`version: 1
roles:
  support:
    connections: ["bench"]
    masking:
      detectors: all
      columns: { public.customers.ssn: full, public.customers.phone: partial }
    limits: { maxRows: 1000000, statementTimeoutMs: 600000 }
`);
const store = new core.InMemorySecretStore();
store.set('bench', server.password);
const scrubber = new core.SecretScrubber();
const gateway = core.createGateway({
  appInfo: { version: 'bench', mode: 'configured', shell: 'browser' },
  connections: [{ id: 'bench', name: 'bench', type: 'postgres', host: server.host, port: server.port, database: server.database, user: server.user, secret: 'stored:bench', tls: { mode: 'disable' } }],
  identity: new core.DemoIdentityProvider('engineer'),
  secrets: new core.SecretResolver(store, scrubber),
  policy: new core.PolicyStore(policy),
  logger: core.createLogger({ scrubber }),
});
const call = async (method, input) => {
  const r = await gateway.dispatcher.call(method, input);
  if ('error' in r) throw new Error(`${method}: ${r.error.message}`);
  return r.ok;
};
const { sessionId } = await call('sql.open', { connectionId: 'bench' });
const direct = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
await direct.connect();

const queries = [
  ['generated, 100k rows × 4 columns (no PII)', `SELECT g AS id, md5(g::text) AS token, 'customer ' || g AS name, timestamptz '2025-01-01' + g * interval '1 minute' AS at FROM generate_series(1, 100000) g`],
  ['demo customers × 10 (100k rows, PII-dense)', `SELECT c.id, c.full_name, c.email, c.phone, c.ssn, c.city FROM public.customers c CROSS JOIN generate_series(1, 10) k`],
];

async function viaBroker(text) {
  const first = await call('sql.run', { sessionId, text });
  const r = first.results[0];
  let rows = r.rows.length;
  let hasMore = r.hasMore;
  while (hasMore) {
    const page = await call('sql.fetch', { queryId: r.queryId, maxRows: 10_000 });
    rows += page.rows.length;
    hasMore = page.hasMore;
  }
  return rows;
}

async function viaPg(text) {
  return (await direct.query({ text, rowMode: 'array' })).rows.length;
}

const rowsOut = [];
for (const [label, text] of queries) {
  await viaBroker(text); // warm both paths (JIT, catalog cache, guard cache, server buffers)
  await viaPg(text);
  const b = [];
  const p = [];
  for (let i = 0; i < 5; i++) {
    globalThis.gc?.();
    let s = performance.now();
    const nb = await viaBroker(text);
    b.push(performance.now() - s);
    globalThis.gc?.();
    s = performance.now();
    const np = await viaPg(text);
    p.push(performance.now() - s);
    if (nb !== 100_000 || np !== 100_000) throw new Error(`row counts ${nb} / ${np}`);
  }
  rowsOut.push({ label, broker: median(b), pg: median(p) });
}

await direct.end();
await gateway.close();
await server.stop();

const lines = [
  '## SQL broker',
  '',
  `Guard: libpg-query parse + whole-AST walk, ${COLD} distinct statements (avg ${Math.round(avgLen)} chars) cold, then 100 of them repeated ${HOT} times (cache hits).`,
  '',
  '| figure | value |',
  '|---|---|',
  `| guard classification, cold (parse + walk) | ${fmt(coldUs)} µs/statement |`,
  `| guard classification, cached | ${fmt(hotUs, 2)} µs/statement |`,
  '',
  'A 100k-row SELECT through the broker (guard, DECLARE/FETCH paging in 10k-row pages, masking of every cell, contract validation) vs the same query with plain `pg` (one buffered query), median of 5, same PostgreSQL 15 in the same run. Target ≤ 1.5×.',
  '',
  '| query | plain pg | broker | ratio |',
  '|---|---|---|---|',
  ...rowsOut.map((r) => `| ${r.label} | ${fmt(r.pg, 0)} ms | ${fmt(r.broker, 0)} ms | ${fmt(r.broker / r.pg, 2)}× |`),
];
process.stdout.write(`${lines.join('\n')}\n`);
