import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EncryptedSecretStore, KeyFileCipher, LayeredSecretStore, openSecretStore } from '../../src/secrets/index.js';
import { InMemorySecretStore } from '../../src/connections/secret-resolver.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'gh-secrets-'));

describe('stored secrets', () => {
  it('round-trips a secret, and the file holds no plaintext', async () => {
    const dir = fresh();
    const store = openSecretStore(dir);
    store.set('prod-db', 'correct horse battery staple');
    expect(await openSecretStore(dir).get('prod-db')).toBe('correct horse battery staple');
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).not.toContain('horse');
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(store.names()).toEqual(['prod-db']);
    expect(store.delete('prod-db')).toBe(true);
    expect(await store.get('prod-db')).toBeUndefined();
  });

  it('refuses a key file others can read', async () => {
    const dir = fresh();
    openSecretStore(dir).set('a', 'value-1234');
    chmodSync(join(dir, 'secret.key'), 0o644);
    await expect(openSecretStore(dir).get('a')).rejects.toThrow(/readable by others.*chmod 600/);
  });

  it('detects a tampered value and a foreign key, without revealing anything', async () => {
    const dir = fresh();
    openSecretStore(dir).set('a', 'value-1234');
    const file = join(dir, 'secrets.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { secrets: Record<string, string> };
    const sealed = Buffer.from(doc.secrets.a ?? '', 'base64');
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 1;
    doc.secrets.a = sealed.toString('base64');
    writeFileSync(file, JSON.stringify(doc));
    await expect(openSecretStore(dir).get('a')).rejects.toThrow(/cannot be decrypted/);

    const other = fresh();
    openSecretStore(other).set('b', 'value-5678');
    const stranger = new EncryptedSecretStore(join(other, 'secrets.json'), new KeyFileCipher(join(fresh(), 'secret.key')));
    await expect(stranger.get('b')).rejects.toThrow(/cannot be decrypted/);
  });

  it('reports a damaged store file instead of treating it as empty', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'secrets.json'), '{"version": 1, "secrets": 3');
    await expect(openSecretStore(dir).get('a')).rejects.toThrow(/damaged/);
    expect(() => openSecretStore(dir).set('a', 'value-1234')).toThrow(/damaged/);
  });

  it('looks in the demo’s memory first, then the sealed store', async () => {
    const dir = fresh();
    const sealed = openSecretStore(dir);
    sealed.set('shared', 'from-disk-1');
    sealed.set('disk-only', 'from-disk-2');
    const memory = new InMemorySecretStore();
    memory.set('shared', 'from-memory');
    const layered = new LayeredSecretStore([memory, sealed]);
    expect(await layered.get('shared')).toBe('from-memory');
    expect(await layered.get('disk-only')).toBe('from-disk-2');
    expect(await layered.get('missing')).toBeUndefined();
  });
});
