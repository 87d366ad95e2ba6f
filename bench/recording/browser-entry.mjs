/* global document, window, requestAnimationFrame */
// Bundled by player-chromium.mjs for a page in Chromium: the player's own modules and the real
// @xterm/xterm (DOM renderer, TerminalReplay's options), without React. `sessions.read` goes
// to the bench's HTTP server as JSON, as the browser shell's bridge sends it over its socket.
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { forEachLine, readPart } from '../../renderer/src/features/sessions/recording-reader.ts';
import { ReplayEngine } from '../../renderer/src/features/sessions/replay-engine.ts';
import { TerminalRecording } from '../../renderer/src/features/sessions/terminal-recording.ts';

const FONT_FAMILY = "ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";

const bridge = {
  async invoke(method, input) {
    const res = await fetch('/bridge', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method, input }) });
    return res.json();
  },
};

const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));

function seekDone(engine) {
  return new Promise((resolve) => {
    const check = () => {
      if (!engine.snapshot.seeking) {
        stop();
        resolve();
      }
    };
    const stop = engine.subscribe(check);
    check();
  });
}

let current = null;

/**
 * Opens a recording as SessionPlayer does: the terminal is created and attached at once (the
 * header is not known yet), body and index are read together, the engine refreshed per chunk.
 */
window.benchOpen = async (sessionId) => {
  if (current) {
    current.engine.dispose();
    current.term.dispose();
    current.host.remove();
  }
  const host = document.createElement('div');
  document.body.append(host);
  const signal = new AbortController().signal;
  const started = performance.now();
  const recording = new TerminalRecording();
  const engine = new ReplayEngine(recording);
  const term = new Terminal({ cols: 80, rows: 24, scrollback: 1000, fontFamily: FONT_FAMILY, fontSize: 13, lineHeight: 1.15, disableStdin: true, cursorBlink: false });
  term.open(host);
  engine.attach(term);
  current = { engine, term, host };
  let firstMs = null;
  const body = readPart(
    bridge,
    sessionId,
    'body',
    async (text) => {
      await forEachLine(text, (line) => recording.addBodyLine(line), signal);
      engine.refresh();
      firstMs ??= performance.now() - started;
    },
    signal,
  );
  const index = readPart(bridge, sessionId, 'index', (text) => forEachLine(text, (line) => recording.addIndexLine(line), signal), signal);
  await Promise.all([body, index]);
  engine.refresh();
  const loadMs = performance.now() - started;
  return { firstMs, loadMs, events: recording.length, keyframes: recording.keyframes.length, duration: engine.snapshot.duration };
};

/**
 * Seeks to each position; per seek, ms until the engine's writes drained (its `lastSeekMs`) and
 * until the next painted frame. `forceKeyframe` makes every seek start from its keyframe.
 */
window.benchSeek = async (positions, forceKeyframe) => {
  const { engine } = current;
  const out = [];
  for (const p of positions) {
    await frame();
    // `applied` is the engine's private "last event on screen"; past the end, no seek counts as a short step forward.
    if (forceKeyframe) engine.applied = Number.MAX_SAFE_INTEGER;
    const t0 = performance.now();
    engine.seek(p);
    await seekDone(engine);
    const drained = performance.now() - t0;
    await frame();
    out.push([drained, performance.now() - t0]);
  }
  return out;
};
