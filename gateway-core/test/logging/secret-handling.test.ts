import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InMemorySecretStore, SecretResolver } from '../../src/connections/secret-resolver.js';
import { createLogger } from '../../src/logging/logger.js';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';

describe('secrets stay out of logs and errors', () => {
  it('resolves env, file and stored references, and errors name only the reference', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-secret-'));
    writeFileSync(join(dir, 'pw'), 'from-file-secret\n');
    const store = new InMemorySecretStore();
    store.set('vault', 'stored-secret-value');
    const resolver = new SecretResolver(store, new SecretScrubber(), { DB_PW: 'env-secret-value' });
    expect(await resolver.resolve('env:DB_PW')).toBe('env-secret-value');
    expect(await resolver.resolve(`file:${join(dir, 'pw')}`)).toBe('from-file-secret');
    expect(await resolver.resolve('stored:vault')).toBe('stored-secret-value');
    await expect(resolver.resolve('env:MISSING')).rejects.toThrow('environment variable MISSING is not set');
    await expect(resolver.resolve('file:/nonexistent/pw')).rejects.toThrow(/cannot read file \(ENOENT\)/);
    await expect(resolver.resolve('stored:nope')).rejects.toThrow(/no stored secret/);
  });

  it('scrubs every resolved secret from log lines, wherever it appears', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-log-'));
    const file = join(dir, 'gatehouse.log');
    const scrubber = new SecretScrubber();
    const resolver = new SecretResolver(new InMemorySecretStore(), scrubber, { DB_PW: 'Sup3r-Secret-PW' });
    const secret = await resolver.resolve('env:DB_PW');
    const logger = createLogger({ file, scrubber });
    logger.error({ err: new Error(`password authentication failed for "Sup3r-Secret-PW"`) }, 'connect failed');
    logger.info({ password: 'another-one-xyz', nested: { token: 'tok-abc-123' } }, `dsn postgres://u:${secret}@h/db`);
    (logger as unknown as { flush(cb: () => void): void }).flush(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('connect failed');
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain('Sup3r-Secret-PW');
    expect(text).not.toContain('another-one-xyz');
    expect(text).not.toContain('tok-abc-123');
  });
});
