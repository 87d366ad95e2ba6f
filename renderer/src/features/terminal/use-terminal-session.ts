import { useSyncExternalStore } from 'react';
import type { BridgeEventPayload, BridgeResult, GatehouseBridge, GuardNotice, TerminalState } from '@gatehouse/gateway-core/contract';
import { terminalEventRouter, type TerminalEvent } from './terminal-events';

/** Where a session's masked output goes: the tab's xterm. */
export interface OutputSink {
  write(data: string): void;
  /** A local, dimmed line (reconnect separators); never sent to the host. */
  notice(text: string): void;
}

/** The backend's states plus 'opening': the `terminal.open` call has not answered yet. */
export type SessionPhase = TerminalState | 'opening';

export interface SessionSnapshot {
  phase: SessionPhase;
  terminalId: string | null;
  /** Why the session ended or was refused (host message or bridge error). */
  message: string | null;
  exitCode: number | null;
  /** The latest guard decision, until the user dismisses it. */
  notice: GuardNotice | null;
  /** Fingerprint the host asks the user to trust (phase 'host-key-unknown'). */
  fingerprint: string | null;
}

const INITIAL: SessionSnapshot = { phase: 'opening', terminalId: null, message: null, exitCode: null, notice: null, fingerprint: null };

/**
 * One tab's brokered shell: opens it, routes its events, and reopens it on Reconnect. Kept out
 * of React so that the xterm wrapper and the bridge talk without re-renders in between; React
 * reads `snapshot` through `subscribe` (useSyncExternalStore).
 */
export class TerminalSession {
  private state: SessionSnapshot = INITIAL;
  private readonly watchers = new Set<() => void>();
  private release: (() => void) | null = null;
  private size = { cols: 80, rows: 24 };
  /** Increments on each open, so that a late reply of an abandoned open is ignored. */
  private generation = 0;
  private disposed = false;
  /**
   * Set between an accepted host key and the host's next progress report. The host resumes the
   * waiting handshake on accept; should it instead end that attempt, the trust is recorded
   * anyway, so one fresh open connects without asking again.
   */
  private awaitingResume = false;

  private sink: OutputSink | null = null;

  constructor(
    private readonly bridge: GatehouseBridge,
    readonly connectionId: string,
  ) {}

  /** The tab's xterm, once it exists; output is only requested after this (see `open`). */
  attach(sink: OutputSink): void {
    this.sink = sink;
  }

  /** False until the first `open`: the pane opens once its xterm has a real size. */
  get started(): boolean {
    return this.generation > 0;
  }

  get snapshot(): SessionSnapshot {
    return this.state;
  }

  subscribe = (watcher: () => void): (() => void) => {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  };

  private set(patch: Partial<SessionSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const w of this.watchers) w();
  }

  /** Opens a session at this size; a previous one in this tab is closed first (Reconnect). */
  async open(cols: number, rows: number): Promise<void> {
    if (this.disposed) return;
    this.size = { cols, rows };
    const generation = ++this.generation;
    const previous = this.state.terminalId;
    this.detach();
    if (previous) {
      void this.bridge.invoke('terminal.close', { terminalId: previous });
      this.sink?.notice('— reconnecting —');
    }
    this.awaitingResume = false;
    this.set({ ...INITIAL });
    const router = terminalEventRouter(this.bridge);
    router.prepare();
    const result = await this.bridge.invoke('terminal.open', { connectionId: this.connectionId, cols, rows, term: 'xterm-256color' });
    if (generation !== this.generation || this.disposed) {
      // Superseded while opening (tab closed, or Reconnect pressed again): do not leak the shell.
      if ('ok' in result) void this.bridge.invoke('terminal.close', { terminalId: result.ok.terminalId });
      return;
    }
    if ('error' in result) {
      this.set({ phase: 'disconnected', message: result.error.message });
      return;
    }
    const terminalId = result.ok.terminalId;
    // 'connecting' until the host says otherwise; a state event held by the router may follow at once.
    this.set({ phase: 'connecting', terminalId });
    this.release = router.claim(terminalId, (event) => this.onEvent(event));
    // The pane may have been resized while the open was in flight.
    if (this.size.cols !== cols || this.size.rows !== rows) this.resize(this.size.cols, this.size.rows);
  }

  private onEvent(event: TerminalEvent): void {
    switch (event.kind) {
      case 'output':
        this.sink?.write(event.payload.data);
        return;
      case 'guard':
        this.set({ notice: event.payload.notice });
        return;
      case 'state':
        this.onState(event.payload);
    }
  }

  private onState(p: BridgeEventPayload<'terminal.state'>): void {
    if (p.state === 'connecting' || p.state === 'connected') this.awaitingResume = false;
    if (p.state === 'disconnected' && this.awaitingResume) {
      this.awaitingResume = false;
      void this.open(this.size.cols, this.size.rows);
      return;
    }
    this.set({
      phase: p.state,
      message: p.message ?? null,
      exitCode: p.exitCode ?? null,
      fingerprint: p.state === 'host-key-unknown' ? (p.fingerprint ?? null) : null,
    });
    // A session that ended sends nothing more; stop routing so its id can be forgotten.
    if (p.state === 'disconnected') this.detach();
  }

  input(data: string): void {
    const { terminalId, phase } = this.state;
    // Keystrokes before the shell is up have nowhere sensible to go; xterm echoes nothing locally.
    if (!terminalId || (phase !== 'connected' && phase !== 'blocked')) return;
    void this.bridge.invoke('terminal.input', { terminalId, data }).then((r) => this.checkAlive(terminalId, r));
  }

  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    const { terminalId } = this.state;
    if (terminalId && this.state.phase !== 'disconnected') {
      void this.bridge.invoke('terminal.resize', { terminalId, cols, rows }).then((r) => this.checkAlive(terminalId, r));
    }
  }

  /**
   * A refused keystroke means this tab can no longer drive its shell: the host lost it
   * (not_found, e.g. after a host restart), the bridge is gone (unavailable), or another identity
   * is now signed in (forbidden: a shell acts only for whoever opened it). Show it as ended, with
   * Reconnect, rather than a terminal that silently swallows typing.
   */
  private checkAlive(terminalId: string, result: BridgeResult<unknown>): void {
    if (!('error' in result) || this.state.terminalId !== terminalId || this.state.phase === 'disconnected') return;
    if (result.error.code !== 'not_found' && result.error.code !== 'unavailable' && result.error.code !== 'forbidden') return;
    void this.bridge.invoke('terminal.close', { terminalId });
    this.detach();
    this.set({ phase: 'disconnected', message: result.error.message, exitCode: null });
  }

  dismissNotice(): void {
    this.set({ notice: null });
  }

  async acceptHostKey(): Promise<void> {
    const { fingerprint } = this.state;
    if (!fingerprint) return;
    this.awaitingResume = true;
    this.set({ fingerprint: null, phase: 'connecting' });
    const result = await this.bridge.invoke('terminal.acceptHostKey', { connectionId: this.connectionId, fingerprint });
    if ('error' in result || !result.ok.trusted) {
      this.awaitingResume = false;
      // The host would otherwise keep the handshake waiting for a trust that will not come.
      this.rejectHostKey('error' in result ? result.error.message : 'The host key was not trusted (it differs from the one configured for this connection).');
    }
  }

  rejectHostKey(message = 'The host key was not accepted, so the connection was not made.'): void {
    const { terminalId } = this.state;
    if (terminalId) void this.bridge.invoke('terminal.close', { terminalId });
    this.detach();
    this.set({ phase: 'disconnected', fingerprint: null, message });
  }

  private detach(): void {
    this.release?.();
    this.release = null;
  }

  /** Tab closed: end the remote shell and drop all routing. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.generation++;
    const { terminalId, phase } = this.state;
    this.detach();
    this.sink = null;
    this.watchers.clear();
    if (terminalId && phase !== 'disconnected') void this.bridge.invoke('terminal.close', { terminalId });
  }
}

/** React's view of a session: re-renders on each snapshot change. */
export function useSessionSnapshot(session: TerminalSession): SessionSnapshot {
  return useSyncExternalStore(session.subscribe, () => session.snapshot);
}

/** What a tab shows. The host reports 'blocked' after a refused line and 'connected' again once a line goes through. */
export type DisplayState = 'connecting' | 'connected' | 'disconnected' | 'blocked' | 'host-key-unknown';

export function displayState(s: SessionSnapshot): DisplayState {
  return s.phase === 'opening' ? 'connecting' : s.phase;
}

export const DISPLAY_LABEL: Record<DisplayState, string> = {
  connecting: 'Connecting',
  connected: 'Connected',
  disconnected: 'Disconnected',
  blocked: 'Blocked',
  'host-key-unknown': 'Verify host key',
};
