// Non-interactive exec (`gatehouse ssh <connection> -c "<command>"`): the command is judged whole
// before any connection is made, output is masked like the terminal's, and the remote exit
// status is returned.
import type { SshConnectionConfig } from '../connections/connection-config.js';
import type { SecretResolver } from '../connections/secret-resolver.js';
import { MaskingError, createMasker, createStreamMasker, type StreamMasker } from '../masking/index.js';
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
  /**
   * The command's 'approve' decision was approved and its grant spent (agent tools): it may run.
   * A 'deny' never runs, approved or not.
   */
  approved?: boolean;
  /** Aborting closes the channel (a timeout, or the caller went away); the call then rejects. */
  signal?: AbortSignal;
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

/** The command was cut off by the caller's signal (its timeout); the output so far was delivered. */
export class ExecAborted extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : 'the command was stopped');
    this.name = 'ExecAborted';
  }
}

export async function execGuarded(o: GuardedExecOptions): Promise<GuardedExecResult> {
  // `bash -c` runs the whole string, so every unit in it is judged, and an unfinished one too.
  const decision = judgeText(o.command, [], o.role.shell);
  if (decision.action !== 'allow' && !(decision.action === 'approve' && o.approved)) return { decision, ran: false };
  o.signal?.throwIfAborted();
  const masker = createMasker(o.role.masking);
  // Empty strings (everything held back as a possible value start) are not passed on.
  const stdout = (s: string): void => void (s && o.stdout(s));
  const stderr = (s: string): void => void (s && o.stderr(s));
  // Fail closed: output that cannot be masked is dropped, the command is cut off and the call
  // rejects (a throw inside ssh2's socket handler would take the process down instead).
  let failed: MaskingError | ExecAborted | undefined;
  let cutOff = (): void => undefined;
  const fail = (e: unknown): void => {
    failed ??= e instanceof MaskingError ? e : new MaskingError('exec output masking failed');
    cutOff();
  };
  const out = createStreamMasker(masker, { onData: stdout, onError: fail });
  const err = createStreamMasker(masker, { onData: stderr, onError: fail });
  const { client } = await connectSsh(o.config, { secrets: o.secrets, knownHosts: o.knownHosts });
  try {
    return await new Promise<GuardedExecResult>((resolve, reject) => {
      client.exec(o.command, (e, channel) => {
        if (e) return reject(e);
        let exitCode: number | undefined;
        let signal: string | undefined;
        cutOff = () => void channel.close();
        const abort = (): void => {
          failed ??= new ExecAborted(o.signal?.reason);
          cutOff();
        };
        if (o.signal?.aborted) abort();
        else o.signal?.addEventListener('abort', abort, { once: true });
        channel.on('close', () => o.signal?.removeEventListener('abort', abort));
        const guard = (emit: (s: string) => void, m: StreamMasker, d: Buffer): void => {
          if (failed) return;
          let masked: string;
          try {
            masked = m.write(d);
          } catch (x) {
            return fail(x);
          }
          emit(masked);
        };
        channel.on('data', (d: Buffer) => guard(stdout, out, d));
        channel.stderr.on('data', (d: Buffer) => guard(stderr, err, d));
        channel.on('exit', (code: number | null, sig?: string) => {
          if (typeof code === 'number') exitCode = code;
          else if (sig) {
            signal = sig;
            exitCode = 128 + (SIGNALS[sig] ?? 15);
          }
        });
        channel.on('close', () => {
          // end() also stops the flush timers, so nothing is emitted after this.
          const rest = (m: StreamMasker): string => {
            try {
              return m.end();
            } catch (x) {
              fail(x);
              return '';
            }
          };
          const outRest = rest(out);
          const errRest = rest(err);
          if (failed) return reject(failed);
          stdout(outRest);
          stderr(errRest);
          resolve({ decision, ran: true, exitCode: exitCode ?? 255, ...(signal ? { signal } : {}) });
        });
      });
    });
  } finally {
    client.end();
  }
}
