// The player's own code, run in Node: renderer/src/features/sessions/{terminal-recording,
// replay-engine,recording-reader}.ts bundled with esbuild (they are pure TS and only type-import
// xterm), driving an @xterm/headless terminal with the player's options. Reads go through the
// real SessionReader (gateway-core's `sessions.read`) with a stand-in for the policy server's
// HTTP Range responses that reads the recording's files from disk.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sessions = join(root, 'renderer/src/features/sessions');

/** Bundles the player's modules for Node into `dir`; returns the module. */
export async function loadPlayerModules(dir) {
  const out = join(dir, 'player-node.mjs');
  const entry = [
    `export { TerminalRecording, lastAtOrBefore } from ${JSON.stringify(join(sessions, 'terminal-recording.ts'))};`,
    `export { ReplayEngine } from ${JSON.stringify(join(sessions, 'replay-engine.ts'))};`,
    `export { readPart, forEachLine } from ${JSON.stringify(join(sessions, 'recording-reader.ts'))};`,
  ].join('\n');
  execFileSync('npx', ['esbuild', '--bundle', '--platform=node', '--format=esm', '--loader=ts', `--outfile=${out}`, '--log-level=warning'], { cwd: root, input: entry });
  return import(pathToFileURL(out).href);
}

/** A SessionClient stand-in serving byte ranges of local files, as the policy server's Range responses do. */
function fileClient(files) {
  return {
    async read(_token, id, part, range) {
      const path = files[id]?.[part];
      if (!path) throw new Error(`no ${part} for ${id}`);
      const total = statSync(path).size;
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? total - 1, total - 1);
      if (start >= total) {
        const err = new Error('416');
        err.status = 416;
        throw err;
      }
      const bytes = Buffer.allocUnsafe(end - start + 1);
      const fd = openSync(path, 'r');
      try {
        readSync(fd, bytes, 0, bytes.length, start);
      } finally {
        closeSync(fd);
      }
      return { bytes, start, total, status: 'complete' };
    },
    async get(_token, id) {
      const f = files[id];
      return { status: 'complete', bodyBytes: statSync(f.body).size, indexBytes: statSync(f.index).size };
    },
  };
}

/** `bridge.invoke('sessions.read', …)` as the renderer sees it, answered by gateway-core's SessionReader. */
export async function fileBridge(files) {
  const { SessionReader } = await import(pathToFileURL(join(root, 'gateway-core/dist/sessions/session-reader.js')).href);
  const reader = new SessionReader(fileClient(files), async () => 'bench-token');
  return {
    reader,
    async invoke(method, input) {
      if (method !== 'sessions.read') throw new Error(`unexpected bridge call ${method}`);
      try {
        return { ok: await reader.read(input.sessionId, input.part, input.offset, input.maxBytes) };
      } catch (e) {
        return { error: { code: 'unavailable', message: String(e?.message ?? e) } };
      }
    },
  };
}

/**
 * Opens a recording as use-recording.ts does: body and index read at once, chunk by chunk,
 * each chunk parsed line by line in time slices. Returns the recording, the time to the first
 * parsed body chunk (the seek bar is live over it) and to everything parsed (seekable anywhere).
 */
export async function openRecording(player, bridge, sessionId) {
  const signal = new AbortController().signal;
  const started = performance.now();
  const recording = new player.TerminalRecording();
  const engine = new player.ReplayEngine(recording);
  let firstMs = null;
  const body = player.readPart(
    bridge,
    sessionId,
    'body',
    async (text) => {
      await player.forEachLine(text, (line) => recording.addBodyLine(line), signal);
      engine.refresh();
      firstMs ??= performance.now() - started;
    },
    signal,
  );
  const index = player.readPart(bridge, sessionId, 'index', (text) => player.forEachLine(text, (line) => recording.addIndexLine(line), signal), signal);
  await Promise.all([body, index]);
  engine.refresh();
  return { recording, engine, firstMs, loadMs: performance.now() - started };
}

/** Resolves when the engine's current seek has reached a drained screen, with its own figure. */
export function seekDone(engine) {
  return new Promise((resolve) => {
    const check = () => {
      const s = engine.snapshot;
      if (!s.seeking) {
        stop();
        resolve(s.lastSeekMs);
      }
    };
    const stop = engine.subscribe(check);
    check();
  });
}

/**
 * Seeks the engine to each position (seconds on its idle-capped timeline) in a headless xterm
 * made like the player's; returns the time of each seek in ms (until the engine's writes drained).
 * `forceKeyframe`: every seek starts from its keyframe, never from the screen the engine has.
 */
export async function seekAll(engine, positions, Terminal, forceKeyframe = false) {
  const h = engine.recording.header;
  const term = new Terminal({ cols: h?.width ?? 80, rows: h?.height ?? 24, scrollback: 1000, allowProposedApi: true });
  engine.attach(term);
  await seekDone(engine);
  const times = [];
  for (const p of positions) {
    // `applied` is the engine's private "last event on screen"; past the end, no target is a short step forward.
    if (forceKeyframe) engine.applied = Number.MAX_SAFE_INTEGER;
    const t0 = performance.now();
    engine.seek(p);
    await seekDone(engine);
    times.push(performance.now() - t0);
  }
  engine.detach();
  term.dispose();
  return times;
}
