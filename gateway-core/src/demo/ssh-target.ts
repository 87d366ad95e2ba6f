// The demo SSH target: an in-process ssh2 server on loopback that runs a real bash in a pty, in a
// throwaway directory. Keys are generated per start, so nothing persistent can leak and a stale
// client config cannot connect to a later run.
import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn as spawnPty, type IPty } from '@lydell/node-pty';
import ssh2 from 'ssh2';
import type { Connection, ParsedKey, PseudoTtyInfo, ServerChannel, Session } from 'ssh2';
import { writeSampleFiles } from './sample-files.js';
import type { DemoLogger } from './types.js';

const { Server, utils } = ssh2;

export interface DemoSshInfo {
  host: '127.0.0.1';
  port: number;
  username: string;
  /** OpenSSH-format private key for the client. */
  privateKey: string;
  /** "SHA256:<base64, no padding>" exactly as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
  workDir: string;
}

export interface DemoSsh {
  info: DemoSshInfo;
  stop(): Promise<void>;
}

const USERNAME = 'demo';
const SHELL = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';

/** OpenSSH's fingerprint: SHA-256 of the public key blob, base64 without padding. */
export function sshFingerprint(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '')}`;
}

function parsePublic(openSshPublic: string): ParsedKey {
  const key = utils.parseKey(openSshPublic);
  if (key instanceof Error || Array.isArray(key)) throw new Error('could not parse generated key');
  return key;
}

/**
 * ssh2 1.17's generateKeyPairSync('ed25519') drops a leading zero byte of the key about 1 time in
 * 250, producing keys that neither ssh2 nor OpenSSH can parse. Regenerate until both halves parse.
 */
function generateEd25519(): { private: string; public: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519');
    const pub = utils.parseKey(pair.public);
    const priv = utils.parseKey(pair.private);
    if (!(pub instanceof Error) && !(priv instanceof Error)) return pair;
  }
  throw new Error('could not generate a valid ed25519 key pair');
}

/**
 * A minimal, explicit environment: the shell must not inherit the host process's environment,
 * which in the app holds tokens and the like.
 */
function shellEnv(workDir: string, term: string): Record<string, string> {
  return {
    HOME: workDir,
    USER: USERNAME,
    LOGNAME: USERNAME,
    SHELL,
    PATH: '/usr/local/bin:/usr/bin:/bin',
    TERM: term,
    LANG: 'C.UTF-8',
    // Plain (no colour escapes) so tests and the line guard can match the prompt literally; a
    // literal '$' rather than '\\$', which would print '#' whenever the app itself runs as root.
    PS1: 'demo@prod-db-01:\\w$ ',
    // History would otherwise land in the work dir and show up in `ls -a`.
    HISTFILE: '/dev/null',
  };
}

export async function startDemoSsh(opts: { logger?: DemoLogger } = {}): Promise<DemoSsh> {
  const { logger } = opts;
  const workDir = await mkdtemp(join(tmpdir(), 'gatehouse-demo-ssh-'));
  await writeSampleFiles(workDir);

  const hostKeys = generateEd25519();
  const clientKeys = generateEd25519();
  const hostPublic = parsePublic(hostKeys.public);
  const allowed = parsePublic(clientKeys.public);
  const allowedBlob = allowed.getPublicSSH();

  const connections = new Set<Connection>();
  const ptys = new Set<IPty>();
  const children = new Set<ChildProcess>();

  const server = new Server({ hostKeys: [hostKeys.private] }, (client) => {
    connections.add(client);
    client.on('close', () => connections.delete(client));
    client.on('error', (err) => logger?.info({ err: err.message }, 'demo ssh: client error'));
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || ctx.username !== USERNAME) return ctx.reject(['publickey']);
      const data = ctx.key.data;
      const keyMatches =
        ctx.key.algo === allowed.type && data.length === allowedBlob.length && timingSafeEqual(data, allowedBlob);
      if (!keyMatches) return ctx.reject(['publickey']);
      // Without a signature the client is only asking whether the key would be accepted.
      if (!ctx.signature || !ctx.blob) return ctx.accept();
      if (allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['publickey']);
      ctx.accept();
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        handleSession(acceptSession(), workDir, ptys, children);
      });
    });
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      if (addr === null || typeof addr === 'string') reject(new Error('no TCP address'));
      else resolve(addr.port);
    });
  }).catch(async (err: unknown) => {
    await rm(workDir, { recursive: true, force: true });
    throw err;
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await Promise.all([...ptys].map(terminatePty));
      await Promise.all([...children].map((c) => killSession(c.pid)));
      for (const c of connections) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(workDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  return {
    info: {
      host: '127.0.0.1',
      port,
      username: USERNAME,
      privateKey: clientKeys.private,
      hostKeyFingerprint: sshFingerprint(hostPublic.getPublicSSH()),
      workDir,
    },
    stop,
  };
}

function killPty(p: IPty, signal = 'SIGHUP'): void {
  try {
    p.kill(signal); // SIGHUP is what a real sshd sends when the session goes away
  } catch {
    // already exited
  }
}

/**
 * Hang up the shell, and if it (or a job that ignores SIGHUP) is still there shortly after, kill
 * its whole process group: stop() must leave no stray processes behind.
 */
async function terminatePty(p: IPty): Promise<void> {
  const exited = new Promise<boolean>((resolve) => p.onExit(() => resolve(true)));
  killPty(p);
  const done = await Promise.race([exited, new Promise<boolean>((r) => setTimeout(() => r(false), 500))]);
  if (!done) killPty(p, 'SIGKILL');
  await killSession(p.pid);
}

/**
 * SIGKILLs every process still in the session led by `sid` (the pty's shell, or a detached exec
 * child). Job-control shells put background jobs in their own process groups, so killing the
 * group is not enough; the session is what a shell's descendants share. Linux only (/proc).
 */
async function killSession(sid: number | undefined): Promise<void> {
  if (sid === undefined || process.platform !== 'linux') return;
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // Fields after "(comm)": state ppid pgrp session ...; comm itself may contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) === sid) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // the process went away while we looked
    }
  }
}

function handleSession(session: Session, workDir: string, ptys: Set<IPty>, children: Set<ChildProcess>): void {
  let ptyInfo: PseudoTtyInfo | undefined;
  let term: IPty | undefined;

  session.on('pty', (accept, _reject, info) => {
    ptyInfo = info;
    accept?.();
  });
  session.on('window-change', (accept, _reject, info) => {
    if (ptyInfo) ptyInfo = { ...ptyInfo, cols: info.cols, rows: info.rows };
    if (term && info.cols > 0 && info.rows > 0) term.resize(info.cols, info.rows);
    accept?.();
  });
  // Environment requests are refused, as OpenSSH does without AcceptEnv: the client must not be
  // able to inject LD_PRELOAD or the like.
  session.on('env', (_accept, reject) => reject?.());

  const runInPty = (channel: ServerChannel, args: string[], info: PseudoTtyInfo): void => {
    const p = spawnPty(SHELL, args, {
      name: info.term || 'xterm-256color',
      cols: info.cols || 80,
      rows: info.rows || 24,
      cwd: workDir,
      env: shellEnv(workDir, info.term || 'xterm-256color'),
    });
    term = p;
    ptys.add(p);
    p.onData((d) => channel.write(d));
    channel.on('data', (d: Buffer) => p.write(d.toString('utf8')));
    p.onExit(({ exitCode, signal }) => {
      ptys.delete(p);
      // node-pty can report the exit just before the last output is delivered; let it drain.
      setTimeout(() => {
        if (signal) channel.exit(signalName(signal), false, '');
        else channel.exit(exitCode);
        channel.end();
      }, 30);
    });
    channel.on('close', () => killPty(p));
  };

  session.on('shell', (accept) => {
    const channel = accept();
    if (!ptyInfo) {
      // A shell without a pty (e.g. `ssh -T`): run bash reading commands from stdin.
      runChild(channel, ['--noprofile', '--norc', '-s'], workDir, children);
      return;
    }
    runInPty(channel, ['--noprofile', '--norc', '-i'], ptyInfo);
  });

  session.on('exec', (accept, _reject, info) => {
    const channel = accept();
    if (ptyInfo) runInPty(channel, ['--noprofile', '--norc', '-c', info.command], ptyInfo);
    else runChild(channel, ['--noprofile', '--norc', '-c', info.command], workDir, children);
  });
}

function runChild(channel: ServerChannel, args: string[], workDir: string, children: Set<ChildProcess>): void {
  // detached: the command leads its own session, so stop() can find and kill all it started.
  const child = spawnChild(SHELL, args, { cwd: workDir, env: shellEnv(workDir, 'dumb'), stdio: 'pipe', detached: true });
  children.add(child);
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr, { end: false });
  channel.pipe(child.stdin);
  child.stdin.on('error', () => undefined); // EPIPE when the command ignores its input
  child.on('error', (err) => {
    channel.stderr.write(`${err.message}\n`);
  });
  child.on('close', (code, signal) => {
    children.delete(child);
    if (signal) channel.exit(signal.replace(/^SIG/, ''), false, '');
    else channel.exit(code ?? 255);
    channel.end();
  });
  channel.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGHUP');
  });
}

function signalName(signal: number): string {
  const names: Record<number, string> = { 1: 'HUP', 2: 'INT', 9: 'KILL', 15: 'TERM' };
  return names[signal] ?? 'KILL';
}
