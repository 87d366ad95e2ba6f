import type { ReplayEngine, ReplayState } from './replay-engine';
import { clock } from './session-format';

const STEP = 0.1;

/** The seek slider with a tick per marker (guard decisions, approvals, recording notes). */
export function SeekBar({ engine, state }: { engine: ReplayEngine; state: ReplayState }) {
  const { duration, position } = state;
  const markers = engine.recording.markers;
  return (
    <div className="seek-bar">
      <input
        type="range"
        aria-label="Seek"
        min={0}
        max={Math.max(duration, 0.1)}
        step={STEP}
        value={position}
        aria-valuetext={`${clock(engine.realTimeAt(position))} of ${clock(engine.recording.duration)}`}
        // The slider snaps to its step: within a step of the end means the very end (all events).
        onChange={(e) => {
          const v = Number(e.target.value);
          engine.seek(v >= duration - STEP ? duration : v);
        }}
      />
      <div className="seek-markers">
        {markers.map((m) => {
          const at = engine.markerPosition(m);
          const real = clock(m.t);
          return (
            <button
              key={m.event}
              type="button"
              className={`seek-marker ${m.kind}`}
              style={{ left: `${duration > 0 ? (at / duration) * 100 : 0}%` }}
              data-testid="replay-marker"
              data-kind={m.kind}
              data-time={m.t}
              title={`${real} · ${m.kind}: ${m.label}`}
              aria-label={`${m.kind} marker at ${real}: ${m.label}`}
              onClick={() => engine.seek(at)}
            />
          );
        })}
      </div>
    </div>
  );
}
