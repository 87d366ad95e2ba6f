import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm test preflight', () => {
  it('stops with one line naming what to install when Chromium is missing', () => {
    const r = spawnSync(process.execPath, ['scripts/test.mjs'], {
      cwd: new URL('..', import.meta.url).pathname,
      encoding: 'utf8',
      env: { ...process.env, GATEHOUSE_CHROMIUM: '/nonexistent/chromium' },
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('apt-get install -y chromium');
    expect(r.stdout).toBe('');
  });
});
