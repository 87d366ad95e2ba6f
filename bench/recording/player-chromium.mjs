/* global window */
// The player in Chromium (Playwright, /usr/bin/chromium as in e2e): browser-entry.mjs bundled
// with esbuild, served with a `/bridge` endpoint that answers `sessions.read` through
// gateway-core's SessionReader (fileBridge), as JSON like the browser shell's bridge socket.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/player.css">
<style>body{margin:0;background:#111;color:#ddd}</style></head><body><script type="module" src="/player.js"></script></body></html>`;

/** Starts the page and browser; returns { open, seek, close }. */
export async function startChromiumPlayer(buildDir, bridge) {
  execFileSync('npx', ['esbuild', join(root, 'bench/recording/browser-entry.mjs'), '--bundle', '--format=esm', '--platform=browser', '--loader:.ts=ts', `--outdir=${buildDir}`, '--entry-names=player', '--log-level=warning'], { cwd: root });
  const assets = { '/player.js': ['text/javascript', readFileSync(join(buildDir, 'player.js'))], '/player.css': ['text/css', readFileSync(join(buildDir, 'player.css'))], '/': ['text/html', PAGE] };
  const server = createServer(async (req, res) => {
    if (req.method === 'POST' && req.url === '/bridge') {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const { method, input } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const answer = await bridge.invoke(method, input);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      return;
    }
    const asset = assets[req.url];
    if (!asset) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': asset[0] }).end(asset[1]);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { chromium } = await import('playwright');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => typeof window.benchOpen === 'function');
  const check = () => {
    if (errors.length) throw new Error(`player page error: ${errors.join('; ')}`);
  };
  return {
    async open(sessionId) {
      const r = await page.evaluate((id) => window.benchOpen(id), sessionId);
      check();
      return r;
    },
    async seek(positions, forceKeyframe) {
      const r = await page.evaluate(([p, f]) => window.benchSeek(p, f), [positions, forceKeyframe]);
      check();
      return r;
    },
    async version() {
      return browser.version();
    },
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
