/**
 * Where `gatehouse connect` records its client sessions: as the app does (one hash-chained SQL
 * recording per client connection: statements, decisions, masked rows), in a spool of its own,
 * `<dataDir>/connect/recordings/spool`.
 *
 * Its own spool, not the app's: an uploader takes the unsealed files it finds at start for a
 * crashed session's, so the app starting while `connect` runs would upload this process's live
 * recordings as finished ones (the MCP server keeps its own spool for the same reason).
 *
 * Upload (live while a session runs, then sealed; a recording leaves the spool once the server
 * has verified it), to the first of:
 * - the connections file's policy server, when connect acts as the person whose token it holds
 *   (connect-identity.ts);
 * - the demo app's policy server, when the app runs in the same data folder (demo identities'
 *   tokens from its issuer).
 * Otherwise recordings stay in the spool, and the next `gatehouse connect` that has a policy
 * server uploads them first (an uploader takes what it finds in its spool at start).
 */
import { join } from 'node:path';
import { DemoIdentityProvider, Recordings, startRecordingUpload, type IdentityProvider, type Logger, type RecordingUploader } from '@gatehouse/gateway-core';
import { runningDemoApp } from '../host/running-demo-app.js';

export interface ConnectRecording {
  recordings: Recordings;
  /** One line for the user: where the recordings go. */
  where: string;
  /** Uploads what the closed sessions left (bounded by `drainMs`), then stops. */
  close(): Promise<void>;
}

export interface ConnectRecordingOptions {
  dataDir: string;
  identity: IdentityProvider;
  /** The policy server the identity's own token is for (connect-identity.ts), if any. */
  policyServerUrl: string | null;
  /** The connections file's policy server when there is no token for it (to say so). */
  configuredServer?: string;
  logger: Logger;
  drainMs?: number;
}

export async function startConnectRecording(o: ConnectRecordingOptions): Promise<ConnectRecording> {
  const recordings = new Recordings({ dir: join(o.dataDir, 'connect', 'recordings') }, o.logger);
  const spool = recordings.spool.dir;
  let target: { url: string; identity: IdentityProvider; where: string } | null = null;
  if (o.policyServerUrl) {
    target = { url: o.policyServerUrl, identity: o.identity, where: `the policy server (${o.policyServerUrl})` };
  } else if (o.identity.kind === 'demo') {
    const app = await runningDemoApp(o.dataDir);
    const id = o.identity.current()?.id;
    if (app && id) target = { url: app.url, identity: new DemoIdentityProvider(id, app.issuer), where: `the demo app's policy server (${app.url})` };
  }
  if (!target) {
    const why = o.configuredServer
      ? `set GATEHOUSE_TOKEN to your access token for ${o.configuredServer} to act as yourself and have them uploaded there`
      : 'no policy server is running in this data folder; start the demo app here and the next `gatehouse connect` uploads them';
    return { recordings, where: `recordings: kept in ${spool} (${why})`, close: async () => undefined };
  }
  const upload: RecordingUploader = startRecordingUpload({ recordings, identity: target.identity, logger: o.logger, policyServerUrl: target.url });
  return {
    recordings,
    where: `recordings: uploaded to ${target.where}, spooled in ${spool} until it has verified them`,
    async close() {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, o.drainMs ?? 15_000)));
      try {
        // A last pass for the sessions just sealed; what does not make it stays spooled for next time.
        await Promise.race([upload.drain(), bound]);
      } finally {
        clearTimeout(timer);
        await upload.close();
      }
    },
  };
}
