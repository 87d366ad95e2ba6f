import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import { currentAppTheme, terminalTheme, watchAppTheme } from '../terminal/terminal-theme';
import { ReplayControls } from './ReplayControls';
import { ReplayEngine } from './replay-engine';
import { SeekBar } from './SeekBar';
import type { TerminalRecording } from './terminal-recording';
import { useReplayState } from './use-replay';

const FONT_FAMILY = "ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";

/** The visible rows of a terminal as plain text. */
function screenText(term: Terminal): string {
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < term.rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
  return lines.join('\n').replace(/\n+$/, '');
}

/**
 * An asciicast replay in a read-only xterm at the recorded size (not fitted: the screen is shown
 * as it was). The DOM renderer keeps the screen as text, so it can be selected, copied and read.
 *
 * `live`: the session is still running (use-recording appends as it is uploaded). The screen
 * follows the newest output from the start; seeking, playing or pausing looks back instead, and
 * "Go live" follows again. The xterm takes no input (disableStdin) and nothing here sends any:
 * watching never touches the session.
 */
export function TerminalReplay({ recording, version, loaded, live }: { recording: TerminalRecording; version: number; loaded: boolean; live: boolean }) {
  const engine = useMemo(() => new ReplayEngine(recording), [recording]);
  const state = useReplayState(engine);
  const hostRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const followedOnce = useRef(false);

  useEffect(() => engine.refresh(), [engine, version]);

  useEffect(() => {
    if (live && !followedOnce.current) {
      followedOnce.current = true;
      engine.follow();
    } else if (!live && engine.snapshot.following) {
      // It ended while followed: the screen stays at its end, and the replay controls take over.
      engine.pause();
    }
  }, [engine, live]);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const h = recording.header;
    const term = new Terminal({
      cols: h?.width ?? 80,
      rows: h?.height ?? 24,
      scrollback: 1000,
      fontFamily: FONT_FAMILY,
      fontSize: 13,
      lineHeight: 1.15,
      disableStdin: true,
      cursorBlink: false,
      theme: terminalTheme(currentAppTheme()),
    });
    term.open(host);
    termRef.current = term;
    engine.attach(term);
    const stopWatchingTheme = watchAppTheme((theme) => {
      term.options.theme = terminalTheme(theme);
    });
    return () => {
      stopWatchingTheme();
      engine.detach();
      term.dispose();
      termRef.current = null;
    };
  }, [engine, recording]);

  useEffect(() => () => engine.dispose(), [engine]);

  const copy = async (): Promise<string> => {
    const term = termRef.current;
    if (!term) return '';
    const text = term.getSelection() || screenText(term);
    try {
      await navigator.clipboard.writeText(text);
      return term.hasSelection() ? 'Copied the selection' : 'Copied the screen';
    } catch {
      return 'Copy failed: the clipboard is not available';
    }
  };

  // Space plays/pauses, arrows step 5 s, [ and ] jump between markers.
  const onKeyDown = (e: KeyboardEvent): void => {
    if ((e.target as HTMLElement).closest('select, input, button')) return;
    const step = { ArrowLeft: -5, ArrowRight: 5 }[e.key];
    if (e.key === ' ') {
      if (state.playing || state.following) engine.pause();
      else engine.play();
    } else if (step) engine.seek(state.position + step);
    else if (e.key === '[' || e.key === ']') {
      const m = engine.adjacentMarker(e.key === ']' ? 1 : -1);
      if (m) engine.seek(engine.markerPosition(m));
    } else return;
    e.preventDefault();
  };

  return (
    <div className="terminal-replay" onKeyDown={onKeyDown}>
      <div
        className="replay-screen"
        ref={hostRef}
        data-testid="replay-terminal"
        data-seeking={state.seeking}
        data-position={state.position.toFixed(3)}
        data-following={state.following}
        tabIndex={0}
        aria-label="Replay screen"
      />
      <SeekBar engine={engine} state={state} />
      <ReplayControls engine={engine} state={state} onCopy={copy} live={live} />
      {!loaded && <p className="session-meta">Still loading: seeking covers what has been read so far.</p>}
      {live && loaded && (
        <p className="session-meta" data-testid="live-follow-note">
          {state.following
            ? 'Watching live: new output appears a few seconds after it happens. Seeking or pausing looks back; “Go live” follows again.'
            : 'Looking back: the session goes on. “Go live” shows the newest output.'}
        </p>
      )}
      {recording.markers.length > 0 && (
        <details className="replay-marker-list">
          <summary>{recording.markers.length} markers</summary>
          <ol>
            {recording.markers.map((m) => (
              <li key={m.event}>
                <button type="button" className="link-like" onClick={() => engine.seek(engine.markerPosition(m))}>
                  {m.kind}: {m.label}
                </button>
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}
