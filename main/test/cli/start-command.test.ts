import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerStartCommand, runStartCommand } from '../../src/cli/start-command.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-start-'));

function captureStderr(): { text(): string } {
  let text = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += chunk.toString();
    return true;
  });
  return { text: () => text };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('gatehouse start', () => {
  it('registers `start` with --config, --port, --data-dir and --no-open', () => {
    const program = new Command('gatehouse');
    registerStartCommand(program);
    const start = program.commands.find((c) => c.name() === 'start');
    expect(start?.options.map((o) => o.long)).toEqual(['--config', '--port', '--data-dir', '--no-open']);
  });

  it('needs a config file', async () => {
    const err = captureStderr();
    vi.stubEnv('GATEHOUSE_CONFIG', '');
    expect(await runStartCommand({ open: false })).toBe(2);
    expect(err.text()).toContain('start needs a connections file');
    vi.unstubAllEnvs();
  });

  it('refuses a config without signIn, and reports a bad one with its line', async () => {
    const noSignIn = join(dir, 'no-sign-in.yaml');
    writeFileSync(noSignIn, 'connections: []\n');
    const err = captureStderr();
    expect(await runStartCommand({ config: noSignIn, open: false })).toBe(2);
    expect(err.text()).toContain('configured mode needs a signIn block');

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'signIn:\n  issuer: http://sso.example.com\n  clientId: gatehouse\nconnections: []\n');
    expect(await runStartCommand({ config: bad, open: false })).toBe(2);
    expect(err.text()).toMatch(/bad\.yaml:2: signIn\.issuer: must be an https URL/);
  });
});
