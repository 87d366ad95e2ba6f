import type { ConnectionStatus, ConnectionSummary } from '../contract/bridge-contract.js';
import type { ConnectionConfig } from './connection-config.js';

type StatusListener = (summaries: ConnectionSummary[]) => void;

/** The configured connections and their live status; the only place the UI's list comes from. */
export class ConnectionRegistry {
  private readonly status = new Map<string, { status: ConnectionStatus; detail?: string }>();
  private readonly listeners = new Set<StatusListener>();

  constructor(private readonly configs: readonly ConnectionConfig[]) {
    for (const c of configs) this.status.set(c.id, { status: 'unknown' });
  }

  get(id: string): ConnectionConfig | undefined {
    return this.configs.find((c) => c.id === id);
  }

  list(): ConnectionSummary[] {
    return this.configs.map((c) => {
      const s = this.status.get(c.id) ?? { status: 'unknown' as const };
      return {
        id: c.id,
        name: c.name,
        type: c.type,
        status: s.status,
        target: c.type === 'postgres' ? `${c.host}:${c.port}/${c.database}` : `${c.user}@${c.host}:${c.port}`,
        ...(c.description ? { description: c.description } : {}),
        ...(s.detail ? { statusDetail: s.detail } : {}),
      };
    });
  }

  setStatus(id: string, status: ConnectionStatus, detail?: string): void {
    if (!this.status.has(id)) return;
    this.status.set(id, detail === undefined ? { status } : { status, detail });
    const summaries = this.list();
    for (const l of this.listeners) l(summaries);
  }

  onChange(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
