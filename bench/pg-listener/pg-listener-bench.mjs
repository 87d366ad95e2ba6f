// Local PostgreSQL port benchmarks (issue 7), side by side against one PostgreSQL 15 started here:
//
// - pgbench -S (select-only), -M simple and -M prepared, 1 and 10 clients, in three set-ups:
//   direct; through pgbouncer (session pooling); through Gatehouse's listener (guard + masking, as
//   `gatehouse connect` runs it, in a child process). TPS, p50 per-transaction latency (from
//   pgbench --log), ratios. The set-ups run one after another within each round, rounds repeat.
// - 1M-row results via psql (> /dev/null): direct vs Gatehouse, time ratio and the listener's peak RSS.
//
// Run: node bench/run.mjs pg-listener (builds first), or after `npx tsc -b`:
//   node --expose-gc bench/pg-listener/pg-listener-bench.mjs
// Knobs: PGL_BENCH_SECONDS (per pgbench run, default 8), PGL_BENCH_ROUNDS (default 3),
//   PGL_BENCH_ONLY=pgbench|rows, PGL_BENCH_PROFILE=dir (listener child runs with --cpu-prof there).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cacheDir = `${root}node_modules/.cache/gatehouse-bench`;
mkdirSync(cacheDir, { recursive: true });
execFileSync('npx', ['esbuild', '--bundle', '--platform=node', '--format=esm', '--packages=external', '--log-level=warning',
  `${root}test-support/postgres/postgres-server.ts`, `--outfile=${cacheDir}/postgres-server.mjs`], { cwd: root, stdio: 'inherit' });
const { startPostgres } = await import(pathToFileURL(`${cacheDir}/postgres-server.mjs`).href);

const BIN = process.env.GATEHOUSE_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const SECONDS = Number(process.env.PGL_BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.PGL_BENCH_ROUNDS ?? 3);
const ONLY = process.env.PGL_BENCH_ONLY ?? '';
const isRoot = process.getuid?.() === 0;
const log = (...a) => console.error('  ', ...a);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');
const work = mkdtempSync(join(tmpdir(), 'gatehouse-pgl-bench-'));
chmodSync(work, 0o777);

function run(cmd, args, env = {}, opts = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { env: { PATH: process.env.PATH, LC_ALL: 'C.UTF-8', PGSSLMODE: 'disable', ...env }, stdio: ['ignore', opts.discard ? 'ignore' : 'pipe', 'pipe'], cwd: work });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ out, err, ms: performance.now() - started }) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(0, 2000)}`))));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// --- the server, pgbench tables -----------------------------------------------------------------
const server = await startPostgres({ seed: 'demo' });
const su = { PGPASSWORD: server.superuserPassword };
await run(`${BIN}/pgbench`, ['-i', '-s', '1', '-q', '-h', server.host, '-p', String(server.port), '-U', 'postgres', server.database], su);
await run(`${BIN}/psql`, ['-X', '-q', '-h', server.host, '-p', String(server.port), '-U', 'postgres', '-d', server.database, '-c', `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${server.user}; ANALYZE`], su);

// --- pgbouncer ----------------------------------------------------------------------------------
async function startPgbouncer() {
  const dir = join(work, 'pgbouncer');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  writeFileSync(join(dir, 'userlist.txt'), `"${server.user}" "${server.password}"\n`);
  // Session pooling: pgbouncer 1.18 cannot carry protocol-level prepared statements (-M prepared)
  // across transaction pooling.
  writeFileSync(join(dir, 'pgbouncer.ini'), `[databases]
${server.database} = host=${server.host} port=${server.port} dbname=${server.database}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = ${join(dir, 'userlist.txt')}
pool_mode = session
max_client_conn = 100
default_pool_size = 20
logfile = ${join(dir, 'pgbouncer.log')}
pidfile = ${join(dir, 'pgbouncer.pid')}
ignore_startup_parameters = extra_float_digits
`);
  if (isRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const [cmd, args] = isRoot ? ['runuser', ['-u', 'postgres', '--', '/usr/sbin/pgbouncer', join(dir, 'pgbouncer.ini')]] : ['/usr/sbin/pgbouncer', [join(dir, 'pgbouncer.ini')]];
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  for (let i = 0; i < 100; i++) {
    try {
      await run(`${BIN}/psql`, ['-X', '-q', '-h', '127.0.0.1', '-p', String(port), '-U', server.user, '-d', server.database, '-c', 'SELECT 1'], { PGPASSWORD: server.password });
      break;
    } catch (e) {
      if (i === 99) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const pid = Number(readFileSync(join(dir, 'pgbouncer.pid'), 'utf8'));
  // utime + stime (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms).
  const cpuUs = () => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  };
  return { port, cpuUs, stop: () => child.kill('SIGTERM'), version: execFileSync('/usr/sbin/pgbouncer', ['--version'], { encoding: 'utf8' }).split('\n')[0] };
}

// --- Gatehouse's listener in a child process ----------------------------------------------------
async function startListener(tag, script = 'listener-child.mjs') {
  const env = { ...process.env, GATEHOUSE_BENCH_TARGET: JSON.stringify({ host: server.host, port: server.port, database: server.database, user: server.user, password: server.password }) };
  const prof = process.env.PGL_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PGL_BENCH_PROFILE}`, `--cpu-prof-name=listener-${tag}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...(script === 'listener-child.mjs' ? prof : []), `${root}bench/pg-listener/${script}`], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const replies = [];
  let waiting = null;
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (waiting) {
        const w = waiting;
        waiting = null;
        w(msg);
      } else replies.push(msg);
    }
  });
  const next = () => (replies.length > 0 ? Promise.resolve(replies.shift()) : new Promise((r) => (waiting = r)));
  const info = await next();
  return {
    ...info,
    rss: () => {
      child.stdin.write('rss\n');
      return next();
    },
    stop: () => new Promise((r) => {
      child.on('close', r);
      child.stdin.end();
    }),
  };
}

// --- pgbench -------------------------------------------------------------------------------------
async function pgbench(target, mode, clients, label) {
  const dir = join(work, `log-${label}-${mode}-${clients}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  const args = ['-n', '-S', '-M', mode, '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(SECONDS),
    '--log', `--log-prefix=${join(dir, 'tx')}`, '-h', target.host, '-p', String(target.port), '-U', target.user, target.database];
  const cpuBefore = await target.cpuUs?.();
  const { out } = await run(`${BIN}/pgbench`, args, { PGPASSWORD: target.password });
  const cpuAfter = await target.cpuUs?.();
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1] ?? NaN);
  const transactions = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1] ?? NaN);
  const failed = Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0);
  if (failed > 0) throw new Error(`pgbench (${label}, ${mode}) had ${failed} failed transactions`);
  // Per-transaction log lines: client_id transaction_no latency_us script_no epoch epoch_us.
  const lat = [];
  for (const f of readdirSync(dir)) for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) if (line) lat.push(Number(line.split(' ')[2]));
  rmSync(dir, { recursive: true, force: true });
  lat.sort((a, b) => a - b);
  const cpuPerTx = cpuBefore === undefined ? NaN : (cpuAfter - cpuBefore) / transactions;
  return { tps, p50: lat[Math.floor(lat.length / 2)], p99: lat[Math.floor(lat.length * 0.99)], cpuPerTx };
}

const sections = [];

if (ONLY === '' || ONLY === 'pgbench') {
  const bouncer = await startPgbouncer();
  const gate = await startListener('pgbench');
  const relay = await startListener('relay', 'relay-child.mjs');
  const targets = {
    direct: { host: server.host, port: server.port, user: server.user, password: server.password, database: server.database },
    pgbouncer: { host: '127.0.0.1', port: bouncer.port, user: server.user, password: server.password, database: server.database, cpuUs: bouncer.cpuUs },
    'node relay': { ...relay, cpuUs: async () => (await relay.rss()).cpuUs },
    gatehouse: { ...gate, cpuUs: async () => (await gate.rss()).cpuUs },
  };
  const cases = [['simple', 1], ['prepared', 1], ['simple', 10], ['prepared', 10]];
  const results = new Map();
  for (const [mode, clients] of cases) for (const name of Object.keys(targets)) await pgbench(targets[name], mode, clients, `warm-${name}`).catch((e) => Promise.reject(e));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [mode, clients] of cases) {
      for (const name of Object.keys(targets)) {
        const r = await pgbench(targets[name], mode, clients, name);
        log(`round ${round + 1} ${mode} c=${clients} ${name}: ${fmt(r.tps, 0)} tps, p50 ${fmt(r.p50, 0)} µs, proxy CPU ${fmt(r.cpuPerTx, 0)} µs/tx`);
        const key = `${mode}/${clients}/${name}`;
        results.set(key, [...(results.get(key) ?? []), r]);
      }
    }
  }
  await gate.stop();
  await relay.stop();
  bouncer.stop();
  // Ratios and added latency against the same round's direct run (the machine's load drifts
  // between rounds), then the median over rounds.
  const pick = (mode, clients, name) => {
    const rs = results.get(`${mode}/${clients}/${name}`);
    const ds = results.get(`${mode}/${clients}/direct`);
    return {
      tps: median(rs.map((r) => r.tps)),
      p50: median(rs.map((r) => r.p50)),
      ratio: median(rs.map((r, i) => r.tps / ds[i].tps)),
      added: median(rs.map((r, i) => r.p50 - ds[i].p50)),
      cpu: median(rs.map((r) => r.cpuPerTx)),
    };
  };
  const rows = [];
  const verdicts = [];
  for (const [mode, clients] of cases) {
    for (const name of Object.keys(targets)) {
      const r = pick(mode, clients, name);
      const first = name === 'direct' ? `-M ${mode}, ${clients} client${clients > 1 ? 's' : ''}` : '';
      const direct = name === 'direct';
      rows.push(`| ${first} | ${name} | ${fmt(r.tps, 0)} | ${fmt(r.ratio, 2)}× | ${fmt(r.p50, 0)} µs | ${direct ? '' : `+${fmt(r.added, 0)} µs`} | ${direct ? '' : `${fmt(r.cpu, 0)} µs`} |`);
    }
    const b = pick(mode, clients, 'pgbouncer');
    const g = pick(mode, clients, 'gatehouse');
    verdicts.push(`-M ${mode}, ${clients} client${clients > 1 ? 's' : ''}: TPS ratio ${fmt(g.ratio, 2)}× vs pgbouncer's ${fmt(b.ratio, 2)}× (${g.ratio >= b.ratio ? 'met' : 'missed'})` +
      (clients === 1 ? `; added p50 ${fmt(g.added, 0)} µs (${g.added <= 60 ? 'met' : 'missed'})` : ''));
  }
  sections.push([
    '## Local PostgreSQL port (pg-listener)',
    '',
    `Produced on ${new Date().toISOString().slice(0, 10)} by \`node bench/run.mjs --write pg-listener\` (also part of \`npm run bench\`); the bench is bench/pg-listener/pg-listener-bench.mjs.`,
    '',
    `\`pgbench -n -S\` (select-only, scale 1) for ${SECONDS} s per run, ${ROUNDS} rounds after a warm-up, against one`,
    'PostgreSQL 15 started by the bench: **direct**; through **pgbouncer** (' + bouncer.version + ', session pooling: 1.18 cannot carry',
    'protocol-level prepared statements in transaction pooling); through **Gatehouse**\'s listener with the guard and the support role\'s',
    'masking on, as `gatehouse connect` runs it (no recording), in a process of its own. For scale, **node relay** is a bare',
    'Node.js TCP relay (relay-child.mjs: no parsing, one write per read), the floor for any proxy written in Node here. Latency:',
    'p50 of pgbench\'s per-transaction log (`--log`), as seen by pgbench. Proxy CPU: the proxy process\'s user + system CPU',
    '(`process.cpuUsage`, /proc for pgbouncer) over the run ÷ transactions. Ratios and added p50 are taken against the same',
    'round\'s direct run; every figure is the median over the rounds. pgbench, the proxies and the server share 2 cores.',
    '',
    '| run | set-up | TPS | ÷ direct | p50 | added p50 | proxy CPU per transaction |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Targets: Gatehouse\'s TPS ratio to direct ≥ pgbouncer\'s; added p50 at 1 client ≤ 60 µs. This run:',
    '',
    ...verdicts.map((v) => `- ${v}`),
  ].join('\n'));
}

if (ONLY === '' || ONLY === 'rows') {
  const queries = [
    ['generated, 1M rows × 3 columns (no PII)', "SELECT g, md5(g::text) AS token, 'customer ' || g AS name FROM generate_series(1, 1000000) g"],
    ['demo customers × 100 (1M rows, PII-dense)', 'SELECT c.id, c.email, c.phone, c.ssn, c.date_of_birth, c.city FROM public.customers c CROSS JOIN generate_series(1, 100) k'],
    ['COPY of the PII-dense 1M rows, text format', 'COPY (SELECT c.id, c.email, c.phone, c.ssn, c.date_of_birth, c.city FROM public.customers c CROSS JOIN generate_series(1, 100) k) TO STDOUT'],
  ];
  const psqlTo = (t, sql) => run(`${BIN}/psql`, ['-X', '-q', '-h', t.host, '-p', String(t.port), '-U', t.user, '-d', t.database, '-c', sql], { PGPASSWORD: t.password }, { discard: true });
  const direct = { host: server.host, port: server.port, user: server.user, password: server.password, database: server.database };
  const rows = [];
  for (const [label, sql] of queries) {
    // A fresh listener per query, so its peak RSS belongs to that query alone.
    const gate = await startListener(`rows-${rows.length}`);
    const idle = await gate.rss();
    await psqlTo(direct, sql);
    const d = [];
    const g = [];
    for (let i = 0; i < 3; i++) {
      d.push((await psqlTo(direct, sql)).ms);
      g.push((await psqlTo(gate, sql)).ms);
    }
    const peak = await gate.rss();
    await gate.stop();
    log(`${label}: direct ${fmt(median(d), 0)} ms, Gatehouse ${fmt(median(g), 0)} ms, RSS ${fmt(idle.rss / 2 ** 20, 0)} → peak ${fmt(peak.maxRss / 2 ** 20, 0)} MiB`);
    rows.push(`| ${label} | ${fmt(median(d), 0)} ms | ${fmt(median(g), 0)} ms | ${fmt(median(g) / median(d), 2)}× | ${fmt(idle.rss / 2 ** 20, 0)} MiB | ${fmt(peak.maxRss / 2 ** 20, 0)} MiB |`);
  }
  sections.push([
    ...(ONLY === 'rows' ? ['## Local PostgreSQL port (pg-listener)', ''] : []),
    '`psql -X -q -c "<query>" > /dev/null`, wall time per run (median of 3, runs interleaved), direct vs through Gatehouse; psql',
    'itself holds the whole result (no FETCH_COUNT), so most of the time is psql\'s. The listener runs in a process of its own',
    '(a fresh one per query); RSS is its `process.memoryUsage().rss` when idle and its peak (`process.resourceUsage().maxRSS`) after the runs.',
    '',
    '| query | direct | Gatehouse | ratio | listener RSS idle | listener peak RSS |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n'));
}

await server.stop();
rmSync(work, { recursive: true, force: true });
process.stdout.write(`${sections.join('\n\n')}\n`);
