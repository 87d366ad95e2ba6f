// Test helpers: a gateway with one SSH connection, the events it emits, and a "user" that types.
import { connect, createServer } from 'node:net';
import type { ConnectionConfig } from '../../src/connections/connection-config.js';
import { InMemorySecretStore, SecretResolver } from '../../src/connections/secret-resolver.js';
import type { BridgeEventName, BridgeEventPayload } from '../../src/contract/bridge-contract.js';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { DemoIdentityProvider } from '../../src/identity/demo-identity-provider.js';
import type { Logger } from '../../src/logging/logger.js';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';
import { loadPolicyFile } from '../../src/policy/load-policy.js';
import { PolicyStore } from '../../src/policy/policy-store.js';
import type { TerminalHandlerOptions } from '../../src/ssh/terminal-handlers.js';

export interface TargetInfo {
  host: string;
  port: number;
  user: string;
  privateKey: string;
  hostKeyFingerprint: string;
}

export interface Recorded {
  event: BridgeEventName;
  payload: unknown;
}

export interface TestGateway {
  gateway: Gateway;
  events: Recorded[];
  /** Everything logged, as text (to prove no secret reaches a log). */
  logText: () => string;
  close(): Promise<void>;
}

export function sshConnection(id: string, t: TargetInfo, extra: Partial<Extract<ConnectionConfig, { type: 'ssh' }>> = {}): ConnectionConfig {
  return { id, name: id, type: 'ssh', host: t.host, port: t.port, user: t.user, auth: { method: 'key', privateKey: `stored:${id}-key` }, ...extra };
}

export function startTestGateway(targets: Array<{ config: ConnectionConfig; privateKey: string }>, terminal?: TerminalHandlerOptions, identity = 'engineer'): TestGateway {
  const store = new InMemorySecretStore();
  for (const t of targets) store.set(`${t.config.id}-key`, t.privateKey);
  const scrubber = new SecretScrubber();
  const lines: string[] = [];
  // A logger that records what it would write, so tests can search it for secrets.
  const record = (level: string) => (obj: unknown, msg?: string) => lines.push(`${level} ${JSON.stringify(obj, errReplacer)} ${msg ?? ''}`);
  const logger = { info: record('info'), warn: record('warn'), error: record('error'), debug: record('debug') } as unknown as Logger;
  const gateway = createGateway({
    appInfo: { version: 'test', mode: 'configured', shell: 'browser' },
    connections: targets.map((t) => t.config),
    identity: new DemoIdentityProvider(identity),
    secrets: new SecretResolver(store, scrubber),
    policy: new PolicyStore(loadPolicyFile()),
    logger,
    ...(terminal ? { terminal } : {}),
  });
  const events: Recorded[] = [];
  gateway.events.attach((event, payload) => events.push({ event, payload }));
  return { gateway, events, logText: () => lines.join('\n'), close: () => gateway.close() };
}

function errReplacer(_k: string, v: unknown): unknown {
  return v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v;
}

export async function until<T>(fn: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-B]|\x1b[=>]/g, '');

/** One open terminal, driven like a user at a keyboard. */
export class TestTerminal {
  private seen = 0;

  constructor(
    readonly t: TestGateway,
    readonly id: string,
  ) {}

  static async open(t: TestGateway, connectionId: string, size = { cols: 100, rows: 30 }): Promise<TestTerminal> {
    const r = await t.gateway.dispatcher.call('terminal.open', { connectionId, ...size, term: 'xterm-256color' });
    if (!('ok' in r)) throw new Error(`open failed: ${r.error.message}`);
    return new TestTerminal(t, r.ok.terminalId);
  }

  mine<E extends BridgeEventName>(event: E): Array<BridgeEventPayload<E>> {
    return this.t.events.filter((e) => e.event === event && (e.payload as { terminalId: string }).terminalId === this.id).map((e) => e.payload as BridgeEventPayload<E>);
  }

  /** All output so far, ANSI stripped. */
  output(): string {
    return stripAnsi(this.mine('terminal.output').map((p) => p.data).join('')).replace(/\r/g, '');
  }

  rawOutput(): string {
    return this.mine('terminal.output').map((p) => p.data).join('');
  }

  states(): string[] {
    return this.mine('terminal.state').map((s) => s.state);
  }

  async ready(): Promise<void> {
    await until(() => this.states().includes('connected') || this.states().includes('disconnected'), 'connected');
    if (!this.states().includes('connected')) throw new Error(`not connected: ${JSON.stringify(this.mine('terminal.state'))}`);
    await this.waitOutput(/[$#] $/, 'first prompt');
  }

  async type(data: string): Promise<void> {
    const r = await this.t.gateway.dispatcher.call('terminal.input', { terminalId: this.id, data });
    if (!('ok' in r)) throw new Error(r.error.message);
  }

  /** Waits for new output (since the last wait) matching `re`. */
  async waitOutput(re: RegExp, what = String(re), timeoutMs = 10_000): Promise<string> {
    const text = await until(() => {
      const out = this.output().slice(this.seen);
      return re.test(out) ? out : undefined;
    }, what, timeoutMs);
    this.seen = this.output().length;
    return text;
  }

  /** Types a command and Enter, and returns the output up to the next prompt. */
  async run(line: string, timeoutMs = 10_000): Promise<string> {
    await this.type(`${line}\r`);
    return this.waitOutput(/\n[^\n]*[$#] $/, `prompt after ${line}`, timeoutMs);
  }

  async close(): Promise<void> {
    await this.t.gateway.dispatcher.call('terminal.close', { terminalId: this.id });
  }
}

/**
 * A TCP relay that delays everything the server sends by `delayMs`: a slow link (or a busy
 * host), on which a key's echo comes back well after the broker's 50 ms quiet spell.
 */
export async function startSlowLink(port: number, delayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    client.on('data', (d: Buffer) => upstream.write(d));
    // Equal delays fire in order, so the stream stays intact.
    upstream.on('data', (d: Buffer) => void setTimeout(() => client.writable && client.write(d), delayMs));
    upstream.on('close', () => void setTimeout(() => client.destroy(), delayMs + 5));
    client.on('close', () => upstream.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
