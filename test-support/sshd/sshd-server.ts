// A real OpenSSH sshd on a random loopback port, for tests and benchmarks. Everything it needs
// (host key, client key, authorized_keys, config, pid file, a throwaway home) lives in one temp
// dir that stop() removes. The login user is whoever runs the tests (root in CI).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const SSHD_BINARY = process.env.GATEHOUSE_SSHD ?? '/usr/sbin/sshd';

export interface SshdServer {
  host: '127.0.0.1';
  port: number;
  user: string;
  /** OpenSSH-format private key of the authorized client key. */
  privateKey: string;
  privateKeyPath: string;
  /** "SHA256:…" exactly as `ssh-keygen -lf` prints it for the host key. */
  hostKeyFingerprint: string;
  /** A throwaway directory the tests may fill and `cd` into (the login itself lands in $HOME). */
  homeDir: string;
  stop(): Promise<void>;
}

export interface StartSshdOptions {
  /** Extra sshd_config lines. */
  extraConfig?: string[];
  /** Fixed port (to restart a server on the same port); default: a free one. */
  port?: number;
  /** Reuse this host key file (to restart with the same identity); default: a new one. */
  hostKeyPath?: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port}: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGTERMs the direct children of `pid` (Linux /proc). */
async function killChildren(pid: number): Promise<void> {
  let entries: string[];
  try {
    entries = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  } catch {
    return;
  }
  for (const e of entries) {
    try {
      const stat = await readFile(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) process.kill(Number(e), 'SIGTERM');
    } catch {
      // gone already
    }
  }
}

export async function startSshd(options: StartSshdOptions = {}): Promise<SshdServer> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-sshd-'));
  const user = userInfo().username;
  const hostKey = options.hostKeyPath ?? join(dir, 'host_ed25519');
  const clientKey = join(dir, 'client_ed25519');
  const homeDir = join(dir, 'home');
  await mkdir(homeDir);
  if (!options.hostKeyPath) await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'gatehouse-test-host', '-f', hostKey]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'gatehouse-test-client', '-f', clientKey]);
  const authorized = join(dir, 'authorized_keys');
  await writeFile(authorized, await readFile(`${clientKey}.pub`, 'utf8'));
  await chmod(authorized, 0o600);
  const fp = (await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`])).stdout.split(' ')[1] ?? '';
  const port = options.port ?? (await freePort());
  const cfg = join(dir, 'sshd_config');
  await writeFile(
    cfg,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      // root in CI: key-only root login, as production boxes usually allow it.
      ...(user === 'root' ? ['PermitRootLogin prohibit-password'] : []),
      'PrintMotd no',
      'PrintLastLog no',
      'LogLevel ERROR',
      // No MaxStartups throttling: tests open many sessions in a burst.
      'MaxStartups 100',
      'MaxSessions 50',
      // The session's HOME is the throwaway folder, so bash reads no rc files of the machine's
      // user: on our CI image root's .bashrc runs `pyenv rehash`, whose lock a killed session
      // leaves behind, and every later login then hangs on it.
      `SetEnv HOME=${homeDir}`,
      ...(options.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true });
  await run(SSHD_BINARY, ['-t', '-f', cfg]);

  const child = spawn(SSHD_BINARY, ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errText = '';
  child.stderr?.on('data', (d: Buffer) => {
    errText = (errText + d.toString()).slice(-4000);
  });
  // A crashed test run must not leave sshd or its files behind.
  const onExit = (): void => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  try {
    await waitForPort(port, child, () => errText);
  } catch (err) {
    onExit();
    process.removeListener('exit', onExit);
    throw err;
  }

  let stopped: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port,
    user,
    privateKey: await readFile(clientKey, 'utf8'),
    privateKeyPath: clientKey,
    hostKeyFingerprint: fp,
    homeDir,
    stop: () => {
      stopped ??= (async () => {
        process.removeListener('exit', onExit);
        // The per-connection sshd processes outlive the listener (they setsid), so a stopped
        // server would keep serving open sessions; end them first, as a host going down does.
        if (child.pid !== undefined) await killChildren(child.pid);
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
          if (child.exitCode === null) child.kill('SIGKILL');
        }
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
