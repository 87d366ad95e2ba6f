// SSH shell broker: guarded, masked terminals and exec on ssh2.
export { createTerminalHandlers, type TerminalHandlers, type TerminalHandlerOptions } from './terminal-handlers.js';
export { execGuarded, ExecAborted, type GuardedExecOptions, type GuardedExecResult } from './ssh-exec.js';
export { InMemoryKnownHosts, JsonFileKnownHosts, fingerprintOf, hostKeyId, type KnownHostsStore } from './known-hosts.js';
export { SshConnectError, type HostKeyFailure } from './ssh-connect.js';
export { judgeEnter, judgeText, type LineVerdict } from './line-guard.js';
