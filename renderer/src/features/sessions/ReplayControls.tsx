import { useState } from 'react';
import type { ReplayEngine, ReplayState } from './replay-engine';
import { clock } from './session-format';

const SPEEDS = [0.5, 1, 2, 4, 8];
const IDLE_CAPS: Array<{ value: number; label: string }> = [
  { value: 0.5, label: '0.5 s' },
  { value: 1, label: '1 s' },
  { value: 2, label: '2 s' },
  { value: 5, label: '5 s' },
  { value: Infinity, label: 'off' },
];

/**
 * Play/pause, markers, speed, idle compression, the clock and copy, for one replay; and for a
 * session still live, "Go live" (back to following the newest output after looking back).
 */
export function ReplayControls({ engine, state, onCopy, live }: { engine: ReplayEngine; state: ReplayState; onCopy: () => Promise<string>; live: boolean }) {
  const [copied, setCopied] = useState<string | null>(null);
  const prev = engine.adjacentMarker(-1);
  const next = engine.adjacentMarker(1);
  const go = (m: typeof next): void => {
    if (m) engine.seek(engine.markerPosition(m));
  };
  const copy = async (): Promise<void> => {
    setCopied(await onCopy());
    setTimeout(() => setCopied(null), 1800);
  };
  return (
    <div className="replay-controls" role="toolbar" aria-label="Replay controls">
      {state.playing || state.following ? (
        <button type="button" className="session-button primary" aria-label="Pause" onClick={() => engine.pause()}>
          ❚❚ Pause
        </button>
      ) : (
        <button type="button" className="session-button primary" aria-label="Play" onClick={() => engine.play()}>
          ▶ Play
        </button>
      )}
      {live && (
        <button type="button" className="session-button live-button" aria-label="Go live" disabled={state.following} onClick={() => engine.follow()} title="Follow the newest output again">
          ● Go live
        </button>
      )}
      <button type="button" className="session-button" aria-label="Previous marker" disabled={!prev} onClick={() => go(prev)} title={prev?.label}>
        ‹ Marker
      </button>
      <button type="button" className="session-button" aria-label="Next marker" disabled={!next} onClick={() => go(next)} title={next?.label}>
        Marker ›
      </button>
      <label className="replay-select">
        Speed
        <select aria-label="Speed" value={state.speed} onChange={(e) => engine.setSpeed(Number(e.target.value))}>
          {SPEEDS.map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
      </label>
      <label className="replay-select" title="Idle gaps longer than this are shortened to it">
        Idle limit
        <select aria-label="Idle time limit" value={String(state.idleCap)} onChange={(e) => engine.setIdleCap(Number(e.target.value))}>
          {IDLE_CAPS.map((c) => (
            <option key={c.label} value={String(c.value)}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <span className="replay-time" data-testid="replay-time" data-seeking={state.seeking} aria-live="off">
        {clock(engine.realTimeAt(state.position))} / {clock(engine.recording.duration)}
      </span>
      {state.lastSeekMs !== null && (
        <span className="session-meta" data-testid="replay-seek-ms" title="Time the last seek took to draw">
          seek {state.lastSeekMs} ms
        </span>
      )}
      <button type="button" className="session-button" onClick={() => void copy()} title="Copy the selection, or the whole screen when nothing is selected">
        Copy
      </button>
      <span className="session-meta" role="status">
        {copied}
      </span>
    </div>
  );
}
