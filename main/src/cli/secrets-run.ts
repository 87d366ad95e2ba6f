import { defaultAppDataDir, GatehouseError, openSecretStore } from '@gatehouse/gateway-core';

interface SecretsOptions {
  dataDir?: string;
}

/**
 * `gatehouse secrets set|list|delete`: manage `stored:NAME` secrets, sealed under the app-data
 * folder. The value is read from standard input, never from an argument (which would land in
 * shell history and the process list).
 */
export async function runSecretsCommand(action: 'set' | 'list' | 'delete', name: string | undefined, opts: SecretsOptions): Promise<number> {
  const store = openSecretStore(opts.dataDir ?? defaultAppDataDir());
  try {
    if (action === 'list') {
      for (const n of store.names()) process.stdout.write(`stored:${n}\n`);
      return 0;
    }
    if (!name) {
      process.stderr.write(`gatehouse secrets ${action}: give the secret's name\n`);
      return 2;
    }
    if (action === 'delete') {
      const removed = store.delete(name);
      process.stderr.write(removed ? `deleted stored:${name}\n` : `no stored secret named ${name}\n`);
      return removed ? 0 : 1;
    }
    const value = await readValue(name);
    store.set(name, value);
    process.stderr.write(`stored:${name} saved; refer to it as secret: stored:${name}\n`);
    return 0;
  } catch (err) {
    if (err instanceof GatehouseError) {
      process.stderr.write(`gatehouse secrets: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function readValue(name: string): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    process.stderr.write(`Value for stored:${name} (input hidden): `);
    stdin.setRawMode(true);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin as AsyncIterable<Buffer>) {
    if (stdin.isTTY && (chunk.includes(0x0d) || chunk.includes(0x0a) || chunk.includes(0x03))) {
      if (chunk.includes(0x03)) throw new GatehouseError('invalid_input', 'cancelled');
      chunks.push(chunk.subarray(0, chunk.findIndex((b) => b === 0x0d || b === 0x0a)));
      break;
    }
    chunks.push(chunk);
  }
  if (stdin.isTTY) {
    stdin.setRawMode(false);
    process.stderr.write('\n');
  }
  // A trailing newline from `echo` or a file is not part of the secret.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
