import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository (or packaged app) root, from this compiled file at main/dist/host/. */
export function appRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url));
}

export function rendererDistDir(): string {
  return fileURLToPath(new URL('../../../renderer/dist/', import.meta.url)).replace(/\/$/, '');
}

export function readPackageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}
