import { useSyncExternalStore } from 'react';
import type { ReplayEngine, ReplayState } from './replay-engine';

/** The engine's playback state; re-renders at most ~10 times a second while playing. */
export function useReplayState(engine: ReplayEngine): ReplayState {
  return useSyncExternalStore(engine.subscribe, () => engine.snapshot);
}
