import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { StoredSecretStore } from '../connections/secret-resolver.js';
import type { SecretCipher } from './secret-cipher.js';

const SecretName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'secret names are letters, digits, ".", "_" or "-"');

const StoreFile = z
  .object({
    version: z.literal(1),
    cipher: z.enum(['safe-storage', 'key-file']),
    secrets: z.record(SecretName, z.string().regex(/^[A-Za-z0-9+/]+=*$/)),
  })
  .strict();
type StoreFile = z.infer<typeof StoreFile>;

/**
 * `stored:NAME` secrets, sealed one by one with the cipher and kept in a JSON file under the
 * app-data folder. Names are visible (they appear in the connections file anyway); values never
 * are. Writes go to a temp file and are renamed, so a crash cannot leave half a store.
 */
export class EncryptedSecretStore implements StoredSecretStore {
  constructor(
    private readonly file: string,
    private readonly cipher: SecretCipher,
  ) {}

  async get(name: string): Promise<string | undefined> {
    const sealed = this.read().secrets[name];
    return sealed === undefined ? undefined : this.cipher.decrypt(Buffer.from(sealed, 'base64'));
  }

  set(name: string, value: string): void {
    SecretName.parse(name);
    if (value.length < 4) throw new GatehouseError('invalid_input', 'A secret must be at least 4 characters');
    const store = this.read();
    store.secrets[name] = this.cipher.encrypt(value).toString('base64');
    this.write(store);
  }

  delete(name: string): boolean {
    const store = this.read();
    if (!(name in store.secrets)) return false;
    delete store.secrets[name];
    this.write(store);
    return true;
  }

  names(): string[] {
    return Object.keys(this.read().secrets).sort();
  }

  private read(): StoreFile {
    if (!existsSync(this.file)) return { version: 1, cipher: this.cipher.kind, secrets: {} };
    let parsed: StoreFile;
    try {
      parsed = StoreFile.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch {
      throw new GatehouseError('invalid_input', `The secret store ${this.file} is damaged; nothing was read from it`);
    }
    if (parsed.cipher !== this.cipher.kind) {
      throw new GatehouseError(
        'unavailable',
        `The secret store ${this.file} was sealed by the ${parsed.cipher === 'safe-storage' ? 'desktop app (OS keychain)' : 'browser shell or CLI (key file)'}; store the secret again here`,
      );
    }
    return parsed;
  }

  private write(store: StoreFile): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

/** Looks in each store in turn: the demo's in-memory secrets first, then the user's sealed ones. */
export class LayeredSecretStore implements StoredSecretStore {
  constructor(private readonly layers: readonly StoredSecretStore[]) {}

  async get(name: string): Promise<string | undefined> {
    for (const layer of this.layers) {
      const value = await layer.get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  }
}
