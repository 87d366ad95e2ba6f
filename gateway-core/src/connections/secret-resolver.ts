import { readFile } from 'node:fs/promises';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { SecretScrubber } from '../logging/secret-scrubber.js';

/** Where `stored:NAME` secrets live: encrypted on disk in the app, in memory for the demo. */
export interface StoredSecretStore {
  get(name: string): Promise<string | undefined>;
}

export class InMemorySecretStore implements StoredSecretStore {
  private readonly values = new Map<string, string>();
  set(name: string, value: string): void {
    this.values.set(name, value);
  }
  async get(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }
}

/**
 * Turns a secret reference into its value, inside gateway-core only. Every value resolved is
 * handed to the scrubber first, so that no later log line or error can carry it.
 * Errors name the reference, never the value.
 */
export class SecretResolver {
  constructor(
    private readonly stored: StoredSecretStore,
    private readonly scrubber: SecretScrubber,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async resolve(ref: string): Promise<string> {
    const value = await this.lookup(ref);
    this.scrubber.remember(value);
    return value;
  }

  /** Any secret resolved so far, replaced in `text` (for error text from a library, before it is shown). */
  scrub(text: string): string {
    return this.scrubber.scrub(text);
  }

  private async lookup(ref: string): Promise<string> {
    const colon = ref.indexOf(':');
    const scheme = ref.slice(0, colon);
    const name = ref.slice(colon + 1);
    if (scheme === 'env') {
      const value = this.env[name];
      if (value === undefined || value === '') throw new GatehouseError('not_found', `Secret ${ref}: environment variable ${name} is not set`);
      return value;
    }
    if (scheme === 'file') {
      try {
        return (await readFile(name, 'utf8')).replace(/\r?\n$/, '');
      } catch (err) {
        throw new GatehouseError('not_found', `Secret ${ref}: cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    if (scheme === 'stored') {
      const value = await this.stored.get(name);
      if (value === undefined) throw new GatehouseError('not_found', `Secret ${ref}: no stored secret with that name`);
      return value;
    }
    throw new GatehouseError('invalid_input', `Secret reference "${ref.slice(0, 40)}" has an unknown scheme`);
  }
}
