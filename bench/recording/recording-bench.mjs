// Terminal recording benchmarks (issue 6), in one run:
//   1. Seek into a synthetic one-hour terminal recording made by the real TerminalRecorder
//      (synthetic-session.mjs), with the player's own ReplayEngine: in Node on @xterm/headless,
//      and in Chromium on @xterm/xterm (player-node.mjs, player-chromium.mjs). Target ≤ 200 ms.
//   2. (bench/ssh/ssh-bench.mjs: recording on vs off for the 100 MB `cat` through the terminal.)
//   3. Player load time: body and index read in chunks through `sessions.read` and parsed as
//      use-recording.ts does.
//   4. Keyframe size: the same session recorded with keyframes as they were (1000 scrollback
//      lines, every 5 s) beside the current ones, side by side in the same run.
// Run: npx tsc -b && node bench/recording/recording-bench.mjs
//   BENCH_REC_SECONDS (3600), BENCH_REC_SEEKS (100 random targets per variant in Node, 60 in
//   Chromium), BENCH_REC_LOADS (5 opens per variant in Node, 3 in Chromium), BENCH_REC_BROWSER=0
//   skips Chromium.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fileBridge, loadPlayerModules, openRecording, seekAll } from './player-node.mjs';
import { startChromiumPlayer } from './player-chromium.mjs';
import { recordSyntheticSession } from './synthetic-session.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SECONDS = Number(process.env.BENCH_REC_SECONDS ?? 3600);
const SEEKS = Number(process.env.BENCH_REC_SEEKS ?? 100);
const LOADS = Number(process.env.BENCH_REC_LOADS ?? 5);
const BROWSER = process.env.BENCH_REC_BROWSER !== '0';

// The engine cancels animation frames when detached; Node has none.
globalThis.requestAnimationFrame ??= (f) => setTimeout(() => f(performance.now()), 16);
globalThis.cancelAnimationFrame ??= (id) => clearTimeout(id);

const core = await import(pathToFileURL(join(root, 'gateway-core/dist/index.js')).href);
const { default: xtermHeadless } = await import('@xterm/headless');
const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-rec-'));

/** The same session (same seed) recorded with each keyframe setting. */
const VARIANTS = [
  { id: 'before', label: 'keyframes as before: 1000 scrollback lines, every 5 s', options: { keyframeScrollback: 1000, keyframeMaxOutput: 0 } },
  { id: 'now', label: 'now (defaults): 200 scrollback lines, every 5 s or 1 MiB of output', options: {} },
  { id: 'screen', label: 'visible screen only, every 5 s or 1 MiB', options: { keyframeScrollback: 0 } },
];

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
};
const ms = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 1 : 0)} ms`);
const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
const trio = (xs) => `${ms(pct(xs, 0.5))} / ${ms(pct(xs, 0.95))} / ${ms(pct(xs, 1))}`;
const duo = (xs) => `${ms(pct(xs, 0.5))} / ${ms(pct(xs, 0.95))}`;
function rng(seed) {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

try {
  // --- the recordings ---
  const files = {};
  const made = {};
  for (const v of VARIANTS) {
    const r = await recordSyntheticSession(core, { dir: work, name: `${v.id}.cast`, seconds: SECONDS, recorderOptions: v.options });
    files[v.id] = { body: r.path, index: r.indexPath };
    made[v.id] = { ...r, body: statSync(r.path).size, index: statSync(r.indexPath).size };
    console.error(`recorded ${v.id}: body ${mb(made[v.id].body)}, index ${mb(made[v.id].index)}`);
  }
  const bridge = await fileBridge(files);
  const player = await loadPlayerModules(work);

  // --- Node: load, then seeks (interleaved by variant so that load on the machine hits all alike) ---
  const node = Object.fromEntries(VARIANTS.map((v) => [v.id, { first: [], load: [], seek: [], kfSeek: [], worst: [] }]));
  const facts = {};
  for (let round = 0; round < LOADS; round++) {
    for (const v of VARIANTS) {
      globalThis.gc?.();
      const o = await openRecording(player, bridge, v.id);
      node[v.id].first.push(o.firstMs);
      node[v.id].load.push(o.loadMs);
      if (round > 0) continue;
      facts[v.id] = describe(o.recording, player);
    }
  }
  const rounds = 2;
  for (let round = 0; round < rounds; round++) {
    for (const v of VARIANTS) {
      const o = await openRecording(player, bridge, v.id);
      const random = rng(7 + round);
      const targets = Array.from({ length: Math.ceil(SEEKS / rounds) }, () => random() * o.engine.snapshot.duration);
      // As a user clicking along the seek bar: one engine, one seek after another.
      node[v.id].seek.push(...(await seekAll(o.engine, targets, xtermHeadless.Terminal)));
      // Every seek from its keyframe (the engine otherwise steps forward from the screen it has).
      node[v.id].kfSeek.push(...(await seekAll(o.engine, targets, xtermHeadless.Terminal, true)));
      node[v.id].worst.push(...(await seekAll(o.engine, [facts[v.id].worstPosition], xtermHeadless.Terminal, true)));
    }
  }

  // --- Chromium ---
  let browser = null;
  if (BROWSER) {
    const chrome = await startChromiumPlayer(join(work, 'web'), bridge);
    browser = { version: await chrome.version() };
    try {
      for (const v of VARIANTS) browser[v.id] = { first: [], load: [], seek: [], kfSeek: [], worst: [] };
      const browserLoads = Math.max(1, Math.min(LOADS, 3));
      for (let round = 0; round < browserLoads; round++) {
        for (const v of VARIANTS) {
          const b = browser[v.id];
          const o = await chrome.open(v.id);
          b.first.push(o.firstMs);
          b.load.push(o.loadMs);
          if (round > 0) continue;
          const random = rng(11);
          const targets = Array.from({ length: Math.min(SEEKS, 60) }, () => random() * o.duration);
          b.seek.push(...(await chrome.seek(targets, false)).map((x) => x[1]));
          b.kfSeek.push(...(await chrome.seek(targets, true)).map((x) => x[1]));
          b.worst.push(...(await chrome.seek([facts[v.id].worstPosition, facts[v.id].worstPosition], true)).map((x) => x[1]));
        }
      }
    } finally {
      await chrome.close();
    }
  }
  print(made, facts, node, browser);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** Keyframe facts of a loaded recording, and the seek that replays the most output. */
function describe(recording, player) {
  const kfs = recording.keyframes;
  const ct = recording.timeline(2);
  // The worst seek lands just before a keyframe's time (or at the end): the engine then replays
  // everything from the keyframe before. Events sharing a time are drawn together, as the engine does.
  const candidates = [...kfs.slice(1).map((k) => ct[k.seq - 1] - 1e-7), ct[ct.length - 1]];
  let worst = { bytes: 0, position: 0 };
  for (const position of candidates) {
    const j = player.lastAtOrBefore(ct, position);
    const kf = recording.keyframeFor(j);
    let bytes = 0;
    for (let i = kf ? kf.seq : 0; i <= j; i++) if (recording.codes[i] === 'o') bytes += recording.data[i].length;
    if (bytes > worst.bytes) worst = { bytes, position };
  }
  const screens = kfs.map((k) => k.screen.length);
  return {
    events: recording.length,
    duration: recording.duration,
    cappedDuration: ct[ct.length - 1],
    markers: recording.markers.length,
    keyframes: kfs.length,
    screenP50: pct(screens, 0.5),
    screenMax: pct(screens, 1),
    worstBytes: worst.bytes,
    worstPosition: worst.position,
  };
}

function print(made, facts, node, browser) {
  const b = made.before;
  const f = facts.before;
  const cols = VARIANTS.map((v) => v.id);
  const row = (name, fn) => `| ${name} | ${cols.map((id) => fn(id)).join(' | ')} |`;
  const out = [];
  out.push(`## Session recording (${new Date().toISOString().slice(0, 10)})`, '');
  out.push(
    `A synthetic one-hour terminal session (${(b.seconds / 60).toFixed(0)} min of recorded time; ${f.events} events: ${b.counts.o} output, ${b.counts.m} markers, ${b.counts.r} resizes; ` +
      `${mb(b.outBytes)} of output: shell commands typed key by key, log tails, a top-like full-screen program, an editor, builds, ` +
      `large \`cat\`s, idle gaps) recorded by the real TerminalRecorder on a simulated clock (\`bench/recording/synthetic-session.mjs\`), ` +
      'once per keyframe setting, the same session each time. The player is its own code (`replay-engine.ts`, `terminal-recording.ts`, ' +
      '`recording-reader.ts`, bundled with esbuild) reading through gateway-core\'s SessionReader (`sessions.read`, 2 MiB chunks) from files on ' +
      'disk instead of the policy server: in Node on @xterm/headless, and in Chromium ' +
      `${browser ? `${browser.version} ` : ''}(headless, Playwright) on @xterm/xterm with TerminalReplay's options and its DOM renderer, without React. ` +
      `Seeks: ${SEEKS} random targets on the seek bar's timeline (idle gaps capped at 2 s: ${f.cappedDuration.toFixed(0)} s), p50 / p95 / max, until the ` +
      "engine's writes are parsed (Node) or the next animation frame after that (Chromium). Target ≤ 200 ms.",
    );
  out.push('');
  out.push(`| figure | ${VARIANTS.map((v) => v.label).join(' | ')} |`);
  out.push(`|---|${cols.map(() => '---').join('|')}|`);
  out.push(row('recording body (.cast)', (id) => mb(made[id].body)));
  out.push(row('index (.index.jsonl)', (id) => `${mb(made[id].index)} (${(made[id].index / made[id].body).toFixed(2)}× body)`));
  out.push(row('keyframes (serialised screen p50 / max)', (id) => `${facts[id].keyframes} (${(facts[id].screenP50 / 1e3).toFixed(0)} / ${(facts[id].screenMax / 1e3).toFixed(0)} kB)`));
  out.push(row('most output replayed after a keyframe', (id) => mb(facts[id].worstBytes)));
  out.push(row('recorder: serialising keyframes, per recorded hour', (id) => ms((made[id].serializeMs * 3600) / made[id].seconds)));
  out.push(row('**seek, Node: nearest keyframe, then replay** (p50 / p95 / max)', (id) => trio(node[id].kfSeek)));
  out.push(row('seek, Node: worst case (the longest replay after a keyframe)', (id) => ms(Math.min(...node[id].worst))));
  out.push(row('seek, Node: one engine, seek after seek (p50 / p95 / max)', (id) => trio(node[id].seek)));
  if (browser) {
    out.push(row('**seek, Chromium: nearest keyframe, then replay, drawn** (p50 / p95 / max)', (id) => (browser[id] ? trio(browser[id].kfSeek) : '')));
    out.push(row('seek, Chromium: worst case', (id) => (browser[id] ? ms(Math.min(...browser[id].worst)) : '')));
    out.push(row('seek, Chromium: one engine, seek after seek (p50 / p95 / max)', (id) => (browser[id] ? trio(browser[id].seek) : '')));
  }
  out.push(row(`load, Node: first chunk parsed (p50 / p95 of ${LOADS})`, (id) => duo(node[id].first)));
  out.push(row(`**load, Node: all parsed, seekable anywhere** (p50 / p95 of ${LOADS})`, (id) => `${duo(node[id].load)} (${(pct(node[id].load, 0.5) / pct(node.before.load, 0.5)).toFixed(2)}×)`));
  if (browser) {
    out.push(row('load, Chromium: first chunk parsed (p50)', (id) => (browser[id] ? ms(pct(browser[id].first, 0.5)) : '')));
    out.push(row('**load, Chromium: all parsed, seekable anywhere** (p50)', (id) => (browser[id] ? `${ms(pct(browser[id].load, 0.5))} (${(pct(browser[id].load, 0.5) / pct(browser.before.load, 0.5)).toFixed(2)}×)` : '')));
  }
  out.push('');
  out.push(
    'Keyframes (gateway-core/src/recording/keyframes.ts) now carry 200 scrollback lines (KEYFRAME_SERIALIZED_SCROLLBACK) rather than the ' +
      "model's 1000, and are also taken after 1 MiB of output within the 5 s interval (KEYFRAME_MAX_OUTPUT), so that a seek into a burst " +
      'replays at most about 1 MiB; the format is unchanged (older recordings read and verify as before). The first column records the ' +
      'same session with the former settings, the last with no scrollback at all, for comparison. ' +
      '"Nearest keyframe, then replay": each target drawn from its keyframe, as the engine draws a jump back or far ahead ' +
      "(reset its terminal, write the keyframe's screen and the events up to the target, drained). " +
      'Worst case: the target just before the keyframe that follows the most output (best of the runs). ' +
      '"One engine, seek after seek": the same targets one after another on one engine, which steps forward from the screen it has when ' +
      'the target is at most 2000 events ahead (FORWARD_STEP_EVENTS in replay-engine.ts) instead of using the keyframe. ' +
      'Load: from the first `sessions.read` to body and index parsed (the player\'s "Loaded in"); after the first 2 MiB chunk the seek bar ' +
      'is live over what it holds. Command: `node bench/run.mjs recording`.',
  );
  console.log(out.join('\n'));
}
