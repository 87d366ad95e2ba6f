import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GatehouseError } from '../bridge/gatehouse-error.js';

/**
 * Encrypts stored secrets at rest. The Electron host supplies one backed by the OS keychain
 * (safeStorage); the browser shell and the CLI use a key file readable only by the user.
 */
export interface SecretCipher {
  readonly kind: 'safe-storage' | 'key-file';
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
}

const VERSION = 1;

/** AES-256-GCM with a 32-byte key kept in a 0600 file. Layout: version | iv(12) | tag(16) | data. */
export class KeyFileCipher implements SecretCipher {
  readonly kind = 'key-file' as const;
  private loadedKey: Buffer | undefined;

  // The key is created on first use, so opening a store that is never written leaves no file.
  constructor(private readonly keyFile: string) {}

  private get key(): Buffer {
    this.loadedKey ??= loadOrCreateKey(this.keyFile);
    return this.loadedKey;
  }

  encrypt(plain: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), data]);
  }

  decrypt(sealed: Buffer): string {
    if (sealed.length < 29 || sealed[0] !== VERSION) throw new GatehouseError('invalid_input', 'A stored secret is damaged (unknown format)');
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 13));
    decipher.setAuthTag(sealed.subarray(13, 29));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
    } catch {
      throw new GatehouseError('invalid_input', 'A stored secret cannot be decrypted: it was changed, or sealed with another key');
    }
  }
}

function loadOrCreateKey(keyFile: string): Buffer {
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, randomBytes(32), { mode: 0o600, flag: 'wx' });
  }
  if (process.platform !== 'win32') {
    const mode = statSync(keyFile).mode & 0o777;
    // A key others can read protects nothing; refuse rather than quietly use it.
    if ((mode & 0o077) !== 0) {
      throw new GatehouseError('forbidden', `The secret key file ${keyFile} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
    }
  }
  const key = readFileSync(keyFile);
  if (key.length !== 32) throw new GatehouseError('invalid_input', `The secret key file ${keyFile} is damaged (expected 32 bytes)`);
  chmodSync(keyFile, 0o600);
  return key;
}
