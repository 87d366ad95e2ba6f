// The spool's fill level reaches the UI over the bridge: `recordings.status`, and a
// `recordings.changed` event when it crosses 90 % and 100 % (the app shows a banner).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { DemoIdentityProvider } from '../../src/identity/demo-identity-provider.js';
import { InMemorySecretStore, SecretResolver } from '../../src/connections/secret-resolver.js';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';
import { PolicyStore } from '../../src/policy/policy-store.js';
import { loadPolicyFile } from '../../src/policy/load-policy.js';
import type { RecordingStatus } from '../../src/contract/recordings-schemas.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Gateway['logger'];
let dir: string;
let gateway: Gateway | undefined;

afterEach(async () => {
  await gateway?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function start(maxBytes: number, recorded = true): Gateway {
  dir = mkdtempSync(join(tmpdir(), 'gh-rec-status-'));
  return createGateway({
    appInfo: { version: '0', mode: 'configured', shell: 'browser' },
    connections: [],
    identity: new DemoIdentityProvider(),
    secrets: new SecretResolver(new InMemorySecretStore(), new SecretScrubber()),
    policy: new PolicyStore(loadPolicyFile()),
    logger: quiet,
    ...(recorded ? { recordings: { dir, maxBytes, flushIntervalMs: 10 } } : {}),
  });
}

async function status(g: Gateway): Promise<RecordingStatus> {
  const r = await g.dispatcher.dispatch('recordings.status', {});
  if (!('ok' in r)) throw new Error(JSON.stringify(r));
  return r.ok as RecordingStatus;
}

describe('recordings.status on the bridge', () => {
  it('reports the spool and announces it filling up, then full', async () => {
    gateway = start(4_000);
    expect(await status(gateway)).toMatchObject({ spool: { level: 'ok', maxBytes: 4_000, whenFull: 'refuse' }, upload: null });
    const seen: RecordingStatus[] = [];
    gateway.events.attach((name, payload) => {
      if (name === 'recordings.changed') seen.push(payload as RecordingStatus);
    });
    const recorders = [];
    for (let i = 0; i < 40 && (await status(gateway)).spool?.level !== 'full'; i++) {
      const rec = gateway.recordings!.sql({ sessionId: `s${i}`, user: 'engineer', connectionId: 'db' });
      recorders.push(rec);
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(seen.map((s) => s.spool?.level)).toEqual(['nearly-full', 'full']);
    expect((await status(gateway)).spool).toMatchObject({ level: 'full' });
    await Promise.all(recorders.map((r) => r?.close()));
  });

  it('says there is no spool when the gateway records nothing', async () => {
    gateway = start(0, false);
    expect(await status(gateway)).toEqual({ spool: null, upload: null });
  });
});
