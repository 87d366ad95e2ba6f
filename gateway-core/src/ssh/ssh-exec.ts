// Non-interactive exec (`gatehouse ssh <connection> -c "<command>"`): the command is judged whole
// before any connection is made, output is masked like the terminal's, and the remote exit
// status is returned.
import type { SshConnectionConfig } from '../connections/connection-config.js';
import type { SecretResolver } from '../connections/secret-resolver.js';
import { createMasker, createStreamMasker } from '../masking/index.js';
import type { RolePolicy } from '../policy/policy-document.js';
import type { ShellDecision } from '../policy/shell/index.js';
import type { KnownHostsStore } from './known-hosts.js';
import { judgeText } from './line-guard.js';
import { connectSsh } from './ssh-connect.js';

export interface GuardedExecOptions {
  config: SshConnectionConfig;
  command: string;
  role: Pick<RolePolicy, 'shell' | 'masking'>;
  secrets: Pick<SecretResolver, 'resolve'>;
  knownHosts: KnownHostsStore;
  stdout: (masked: string) => void;
  stderr: (masked: string) => void;
}

export interface GuardedExecResult {
  decision: ShellDecision;
  /** False when the guard refused the command: nothing was sent, no connection was made. */
  ran: boolean;
  /** The remote exit status (128 + signal number when killed by a signal). */
  exitCode?: number;
  signal?: string;
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, PIPE: 13, TERM: 15 };

export async function execGuarded(o: GuardedExecOptions): Promise<GuardedExecResult> {
  // `bash -c` runs the whole string, so every unit in it is judged, and an unfinished one too.
  const decision = judgeText(o.command, [], o.role.shell);
  if (decision.action !== 'allow') return { decision, ran: false };
  const masker = createMasker(o.role.masking);
  const out = createStreamMasker(masker, { onData: o.stdout });
  const err = createStreamMasker(masker, { onData: o.stderr });
  const { client } = await connectSsh(o.config, { secrets: o.secrets, knownHosts: o.knownHosts });
  try {
    return await new Promise<GuardedExecResult>((resolve, reject) => {
      client.exec(o.command, (e, channel) => {
        if (e) return reject(e);
        let exitCode: number | undefined;
        let signal: string | undefined;
        channel.on('data', (d: Buffer) => o.stdout(out.write(d)));
        channel.stderr.on('data', (d: Buffer) => o.stderr(err.write(d)));
        channel.on('exit', (code: number | null, sig?: string) => {
          if (typeof code === 'number') exitCode = code;
          else if (sig) {
            signal = sig;
            exitCode = 128 + (SIGNALS[sig] ?? 15);
          }
        });
        channel.on('close', () => {
          o.stdout(out.end());
          o.stderr(err.end());
          resolve({ decision, ran: true, exitCode: exitCode ?? 255, ...(signal ? { signal } : {}) });
        });
      });
    });
  } finally {
    client.end();
  }
}
