// The two SSH servers every terminal test runs against: a real OpenSSH sshd, and the demo's
// embedded target (started alone, without the demo database it does not need).
import { startSshd } from '../../../test-support/sshd/sshd-server.js';
import { startDemoSsh } from '../../src/demo/ssh-target.js';
import type { TargetInfo } from './harness.js';

export interface SshTarget extends TargetInfo {
  /** A directory on the target the shell can cd into and the test can write to. */
  dir: string;
  stop(): Promise<void>;
}

export const SSH_TARGETS: Array<[string, () => Promise<SshTarget>]> = [
  [
    'OpenSSH sshd',
    async () => {
      const s = await startSshd();
      return { ...s, dir: s.homeDir };
    },
  ],
  [
    'demo embedded target',
    async () => {
      const demo = await startDemoSsh();
      const { host, port, username, privateKey, hostKeyFingerprint, workDir } = demo.info;
      return { host, port, user: username, privateKey, hostKeyFingerprint, dir: workDir, stop: () => demo.stop() };
    },
  ],
];
