// A synthetic one-hour terminal session, recorded with the real TerminalRecorder (gateway-core
// dist) on a simulated clock: the shell typed at key by key with its echo, command output, log
// tails, a top-like full-screen program and an editor (alternate screen), builds with progress
// bars, large `cat`s, resizes, idle gaps, and the guard's markers (every command is an `allow`
// marker, some are blocked or held for approval), as terminal-session.ts records them.
//
// The clock is simulated but the keyframe model parses for real, asynchronously: the generator
// waits whenever the model falls behind (as an hour of wall time would let it catch up), so the
// model never gives up and keyframes are taken where a live session would take them.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const ESC = '\x1b';
const PROMPT = `${ESC}[01;32mada@prod-db-1${ESC}[00m:${ESC}[01;34m~/orders-api${ESC}[00m$ `;
const quietLogger = { info() {}, warn() {}, error() {}, debug() {}, child() { return quietLogger; } };

/** Deterministic PRNG (mulberry32), so every run records the same session. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Records the session into `dir`; returns the recording's paths and what went into it.
 * `recorderOptions` is passed through to createTerminalRecorder (keyframe settings for item 4).
 * `outputBytes`: about this much output over the session (42 MB makes a ~50 MB cast): whenever
 * the session falls behind that pace, the next phase is a large `cat`.
 */
export async function recordSyntheticSession(core, { dir, name = 'session.cast', seconds = 3600, outputBytes = 42e6, seed = 1, cols = 160, rows = 48, recorderOptions = {} }) {
  mkdirSync(dir, { recursive: true });
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  let now = 0;
  const end = seconds * 1000;
  const rec = core.createTerminalRecorder({
    path: join(dir, name), sessionId: `bench-${seed}`, user: 'engineer', connectionId: 'prod-db-1', cols, rows,
    recordInput: false, masker: core.createMasker(core.loadPolicyFile().roles.support.masking), logger: quietLogger, now: () => now,
    ...recorderOptions,
  });
  let size = { cols, rows };
  let outBytes = 0;
  let serializeMs = 0;
  // Times each keyframe snapshot (the recorder's own cost) by wrapping the model's serialiser.
  const model = rec.keyframes;
  if (model?.serialize) {
    const serialize = model.serialize;
    model.serialize = (...args) => {
      const t0 = performance.now();
      const s = serialize(...args);
      serializeMs += performance.now() - t0;
      return s;
    };
  }
  const counts = { o: 0, r: 0, m: 0 };
  const byPhase = {};
  let phaseName = 'start';
  const timeByPhase = {};

  const out = async (data) => {
    rec.output(data);
    outBytes += data.length;
    byPhase[phaseName] = (byPhase[phaseName] ?? 0) + data.length;
    counts.o++;
    // The model's backlog is a private field of KeyframeModel; reading it here only paces the run.
    while ((model?.backlog ?? 0) > 1 << 20) await new Promise((res) => setTimeout(res, 2));
  };
  const wait = (ms) => (now += ms);
  const marker = (m) => (rec.marker(m), counts.m++);
  const resize = (c, rw) => {
    size = { cols: c, rows: rw };
    rec.resize(c, rw);
    counts.r++;
  };

  const colour = (code, s) => `${ESC}[${code}m${s}${ESC}[0m`;
  const logLine = (i) => {
    const level = pick(['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR']);
    const c = { INFO: '32', DEBUG: '90', WARN: '33', ERROR: '31' }[level];
    const ts = new Date(Date.UTC(2026, 10, 28, 8, 0, 0) + now).toISOString();
    return `${colour('90', ts)} ${colour(c, level.padEnd(5))} [${pick(['http', 'db', 'worker', 'auth', 'billing'])}] req=${(i * 7919 + int(0, 1e6)).toString(16)} ${pick(['GET', 'POST', 'PUT'])} /api/orders/${int(1, 99999)} ${pick([200, 200, 201, 404, 500])} ${int(1, 900)}ms user=c***@example.com\r\n`;
  };

  async function typeCommand(cmd) {
    for (const ch of cmd) {
      wait(int(60, 220));
      await out(ch);
    }
    wait(int(200, 900));
    marker({ type: 'guard', action: 'allow', command: cmd });
    await out('\r\n');
  }

  async function command() {
    await out(PROMPT);
    wait(int(800, 6000));
    const kind = pick(['ls', 'git', 'grep', 'kubectl', 'psql', 'blocked', 'approval']);
    if (kind === 'ls') {
      await typeCommand('ls -la --color=auto');
      let s = '';
      for (let i = 0, n = int(8, 60); i < n; i++) s += `drwxr-xr-x  2 ada ada  ${String(int(100, 99999)).padStart(6)} Nov 28 08:${String(int(0, 59)).padStart(2, '0')} ${colour('01;34', `dir-${i}`)}\r\n`;
      wait(int(5, 40));
      await out(s);
    } else if (kind === 'git') {
      await typeCommand('git log --oneline --graph -40');
      let s = '';
      for (let i = 0; i < 40; i++) s += `${colour('31', '*')} ${colour('33', (i * 2654435761).toString(16).slice(0, 7))} ${pick(['fix', 'feat', 'chore'])}: ${pick(['orders', 'billing', 'auth', 'retry'])} ${'change '.repeat(int(1, 6))}\r\n`;
      wait(int(20, 120));
      await out(s);
    } else if (kind === 'grep') {
      await typeCommand('grep -rn --color=always timeout src/');
      for (let b = 0, n = int(1, 6); b < n; b++) {
        let s = '';
        for (let i = 0, m = int(10, 80); i < m; i++) s += `${colour('35', `src/module-${int(1, 40)}.ts`)}:${colour('32', int(1, 900))}: const ${colour('01;31', 'timeout')} = ${int(100, 30000)}; // ${'retry budget '.repeat(int(1, 4))}\r\n`;
        wait(int(5, 60));
        await out(s);
      }
    } else if (kind === 'kubectl') {
      await typeCommand('kubectl get pods -n orders');
      let s = 'NAME                                READY   STATUS    RESTARTS   AGE\r\n';
      for (let i = 0, n = int(10, 45); i < n; i++) s += `orders-api-${(i * 99991).toString(36).padEnd(8, 'x')}-${int(10000, 99999)}   1/1     ${pick(['Running', 'Running', 'Pending', 'CrashLoopBackOff'])}   ${int(0, 9)}          ${int(1, 59)}m\r\n`;
      wait(int(300, 1500));
      await out(s);
    } else if (kind === 'psql') {
      await typeCommand("psql -c 'select count(*) from orders'");
      wait(int(100, 800));
      await out(` count\r\n-------\r\n ${int(1000, 999999)}\r\n(1 row)\r\n\r\n`);
    } else if (kind === 'blocked') {
      const cmd = pick(['rm -rf /var/lib/postgresql', 'systemctl stop postgresql', 'dd if=/dev/zero of=/dev/sda']);
      for (const ch of cmd) {
        wait(int(60, 220));
        await out(ch);
      }
      marker({ type: 'guard', action: 'block', rule: 'dangerous', reason: 'destroys data', command: cmd });
      await out(`\r\n${colour('31', `[Gatehouse] blocked: ${cmd} (rule dangerous: destroys data)`)}\r\n`);
    } else {
      const cmd = 'sudo systemctl restart orders-api';
      for (const ch of cmd) {
        wait(int(60, 220));
        await out(ch);
      }
      marker({ type: 'guard', action: 'hold', rule: 'privileged', reason: 'needs approval', command: cmd, heldId: `h-${int(1, 9999)}` });
      await out(`\r\n${colour('33', '[Gatehouse] held for approval: waiting for an approver')}\r\n`);
      wait(int(20000, 90000));
      marker({ type: 'approval', text: 'approved by admin' });
      await out(`${colour('32', '[Gatehouse] approved: running it now')}\r\n`);
    }
  }

  async function tail(ms) {
    await typeCommand('tail -f /var/log/orders/app.log');
    const stop = now + ms;
    for (let i = 0; now < stop; i++) {
      wait(int(80, 900));
      let s = '';
      for (let k = 0, n = r() < 0.1 ? int(40, 200) : int(10, 80); k < n; k++) s += logLine(i * 100 + k);
      await out(s);
    }
    await out('^C\r\n');
  }

  async function top(ms) {
    await typeCommand('top');
    await out(`${ESC}[?1049h${ESC}[?25l`);
    const stop = now + ms;
    for (let f = 0; now < stop; f++) {
      let s = `${ESC}[H${ESC}[2J${ESC}[1mtop - 08:${String(f % 60).padStart(2, '0')}:12 up 41 days, load average: ${r().toFixed(2)}, ${r().toFixed(2)}, ${r().toFixed(2)}${ESC}[0m${ESC}[K\r\n`;
      s += `Tasks: ${int(200, 300)} total, ${int(1, 9)} running   %Cpu(s): ${(r() * 100).toFixed(1)} us${ESC}[K\r\n\r\n`;
      s += `${ESC}[7m    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND${' '.repeat(Math.max(0, size.cols - 80))}${ESC}[0m\r\n`;
      for (let row = 4; row < size.rows - 1; row++) {
        s += `${ESC}[${row + 1};1H${String(int(1, 99999)).padStart(7)} ${pick(['postgres', 'ada', 'root', 'www-data'])}`.padEnd(20) + `  20   0 ${String(int(1e4, 9e6)).padStart(7)} ${String(int(1e3, 9e5)).padStart(6)}  ${(r() * 100).toFixed(1).padStart(5)} ${(r() * 10).toFixed(1).padStart(5)}   ${int(0, 99)}:${String(int(0, 59)).padStart(2, '0')}.${int(10, 99)} ${pick(['postgres: writer', 'node server.js', 'nginx: worker', 'sshd: ada'])}${ESC}[K`;
      }
      await out(s);
      wait(int(1000, 2000));
    }
    await out(`${ESC}[?25h${ESC}[?1049l`);
  }

  async function editor(ms) {
    await typeCommand('vim src/orders/retry.ts');
    await out(`${ESC}[?1049h${ESC}[H${ESC}[2J`);
    let s = '';
    for (let y = 1; y < size.rows; y++) s += `${ESC}[${y};1H${colour('33', String(y).padStart(4))} ${pick(['const', 'export function', 'return', '  if (', '//'])} ${'retryBudget '.repeat(int(0, 8))}`;
    await out(s);
    const stop = now + ms;
    while (now < stop) {
      wait(r() < 0.05 ? int(5000, 30000) : int(80, 400));
      const y = int(1, size.rows - 1);
      await out(`${ESC}[${y};6H${ESC}[K${'word '.repeat(int(0, 20))}${ESC}[${size.rows};1H-- INSERT --  ${y},${int(1, 80)}`);
    }
    await out(`${ESC}[?1049l`);
  }

  async function build(ms) {
    await typeCommand('npm run build');
    const stop = now + ms;
    for (let i = 0; now < stop; i++) {
      wait(int(20, 200));
      if (r() < 0.5) {
        const pct = i % 100;
        await out(`\r[${'#'.repeat(pct >> 2).padEnd(25)}] ${pct}% compiling src/module-${int(1, 400)}.ts`);
      } else {
        let s = '\r\n';
        for (let k = 0, n = int(5, 40); k < n; k++) s += `${colour('36', 'tsc')} src/module-${int(1, 400)}.ts → dist/module-${int(1, 400)}.js (${int(1, 90)} kB) ${colour('90', `${int(1, 300)} ms`)}\r\n`;
        await out(s);
      }
    }
    await out(`\r\n${colour('32', 'build finished')}\r\n`);
  }

  async function bigCat(bytes) {
    await typeCommand('cat /var/log/orders/app.log.1');
    for (let sent = 0, i = 0; sent < bytes; ) {
      let s = '';
      // A pty hands over at most 4 KiB a read: bulk output arrives as many ~4 KB events.
      while (s.length < 4000) s += logLine(i++);
      sent += s.length;
      wait(r() < 0.5 ? 0 : 1); // a bulk cat arrives at several MB/s
      await out(s);
    }
  }

  // The hour: phases drawn at random, with idle gaps and an occasional resize between them.
  const cat = [0, 'cat', () => bigCat(int(1000, 5000) * 1024)];
  const phases = [
    [20, 'command', () => command()],
    [2, 'tail', () => tail(int(30, 150) * 1000)],
    [1.5, 'top', () => top(int(30, 180) * 1000)],
    [1, 'editor', () => editor(int(30, 150) * 1000)],
    [1, 'build', () => build(int(20, 90) * 1000)],
  ];
  const total = phases.reduce((a, [w]) => a + w, 0);
  while (now < end) {
    let x = r() * total;
    const behind = outBytes < outputBytes * (now / end) - 2e6;
    const phase = behind ? cat : (phases.find(([w]) => (x -= w) < 0) ?? phases[0]);
    phaseName = phase[1];
    const t0 = now;
    await phase[2]();
    timeByPhase[phaseName] = (timeByPhase[phaseName] ?? 0) + Math.round((now - t0) / 1000);
    if (r() < 0.08) wait(int(10, 180) * 1000); // away from the keyboard
    if (r() < 0.04) {
      resize(pick([120, 160, 200]), pick([40, 48, 50]));
      await out(PROMPT);
    }
  }
  await rec.close();
  return { path: rec.path, indexPath: rec.indexPath, seconds: now / 1000, outBytes, byPhase, timeByPhase, counts, serializeMs };
}
