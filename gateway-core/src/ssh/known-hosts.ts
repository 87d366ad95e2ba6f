// Trusted host keys for connections without a pinned fingerprint (trust on first use). The file
// form is JSON under the app-data folder; it is written whole, through a temp file and a rename,
// so a crash never leaves half a trust store.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

export interface KnownHostsStore {
  /** The trusted fingerprint for `host:port`, if any. */
  get(hostPort: string): Promise<string | undefined>;
  set(hostPort: string, fingerprint: string): Promise<void>;
}

export class InMemoryKnownHosts implements KnownHostsStore {
  private readonly map = new Map<string, string>();
  async get(hostPort: string): Promise<string | undefined> {
    return this.map.get(hostPort);
  }
  async set(hostPort: string, fingerprint: string): Promise<void> {
    this.map.set(hostPort, fingerprint);
  }
}

const FileShape = z.object({
  version: z.literal(1),
  hosts: z.record(z.string(), z.object({ fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/), addedAt: z.string() })),
});
type FileShape = z.infer<typeof FileShape>;

export class JsonFileKnownHosts implements KnownHostsStore {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {}

  async get(hostPort: string): Promise<string | undefined> {
    return (await this.load()).hosts[hostPort]?.fingerprint;
  }

  set(hostPort: string, fingerprint: string): Promise<void> {
    // Serialised: two tabs accepting keys at once must not lose one of the writes.
    const next = this.chain.then(async () => {
      const doc = await this.load();
      doc.hosts[hostPort] = { fingerprint, addedAt: new Date().toISOString() };
      await mkdir(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, this.path);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<FileShape> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, hosts: {} };
      throw err;
    }
    const parsed = FileShape.safeParse(JSON.parse(text));
    // A damaged trust store must not silently become "trust nothing" (every host would prompt as
    // new, inviting a blind accept); refuse until it is repaired or removed.
    if (!parsed.success) throw new Error(`known-hosts file ${this.path} is invalid`);
    return parsed.data;
  }
}

/** OpenSSH's fingerprint of a public key blob: "SHA256:" + unpadded base64 of its SHA-256. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

export const hostKeyId = (host: string, port: number): string => `${host}:${port}`;
