import type { ConnectionStatus, ConnectionSummary, ConnectionType } from '../contract/bridge-contract.js';
import type { ConnectionConfig } from './connection-config.js';

type StatusListener = (summaries: ConnectionSummary[]) => void;

/** What the UI may show about a connection before its target exists (the demo while it seeds). */
export interface PendingConnection {
  id: string;
  name: string;
  type: ConnectionType;
  description?: string;
}

interface Entry {
  info: PendingConnection;
  config: ConnectionConfig | undefined;
  status: ConnectionStatus;
  detail?: string;
}

/** The configured connections and their live status; the only place the UI's list comes from. */
export class ConnectionRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<StatusListener>();

  constructor(configs: readonly ConnectionConfig[], pending: readonly PendingConnection[] = []) {
    for (const c of configs) this.entries.set(c.id, { info: infoOf(c), config: c, status: 'unknown' });
    for (const p of pending) this.entries.set(p.id, { info: p, config: undefined, status: 'starting' });
  }

  get(id: string): ConnectionConfig | undefined {
    return this.entries.get(id)?.config;
  }

  list(): ConnectionSummary[] {
    return [...this.entries.values()].map(({ info, config, status, detail }) => ({
      id: info.id,
      name: info.name,
      type: info.type,
      status,
      target: config ? targetOf(config) : 'starting…',
      ...(info.description ? { description: info.description } : {}),
      ...(detail ? { statusDetail: detail } : {}),
    }));
  }

  /** Gives a pending connection its real target, once that target is up. */
  attach(config: ConnectionConfig, status: ConnectionStatus = 'ready'): void {
    const entry = this.entries.get(config.id);
    if (!entry) throw new Error(`no connection ${config.id} to attach`);
    this.entries.set(config.id, { info: infoOf(config), config, status });
    this.changed();
  }

  setStatus(id: string, status: ConnectionStatus, detail?: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.set(id, { info: entry.info, config: entry.config, status, ...(detail === undefined ? {} : { detail }) });
    this.changed();
  }

  onChange(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    const summaries = this.list();
    for (const l of this.listeners) l(summaries);
  }
}

function infoOf(c: ConnectionConfig): PendingConnection {
  return { id: c.id, name: c.name, type: c.type, ...(c.description ? { description: c.description } : {}) };
}

function targetOf(c: ConnectionConfig): string {
  return c.type === 'postgres' ? `${c.host}:${c.port}/${c.database}` : `${c.user}@${c.host}:${c.port}`;
}
