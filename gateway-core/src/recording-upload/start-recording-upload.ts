/**
 * The uploader as createGateway wires it: on when a gateway both records and has a policy
 * server. Tokens come from the identity provider: the owner's own (`accessTokenFor`, which the
 * demo's provider offers), or the signed-in user's for their own recordings only.
 */
import type { IdentityProvider } from '../identity/identity-provider.js';
import type { Logger } from '../logging/logger.js';
import type { Recordings } from '../recording/recordings.js';
import { RecordingUploader, type RecordingUploaderOptions } from './recording-uploader.js';
import { SessionClient } from './session-client.js';

export interface StartRecordingUploadDeps {
  recordings: Recordings;
  identity: IdentityProvider;
  logger: Logger;
  /** The policy server's base URL (a promise while it starts). */
  policyServerUrl: string | Promise<string>;
}

export function startRecordingUpload(deps: StartRecordingUploadDeps, options: Partial<Omit<RecordingUploaderOptions, 'spoolDir' | 'transport' | 'logger' | 'spool'>> = {}): RecordingUploader {
  const tokenFor = deps.identity.accessTokenFor?.bind(deps.identity);
  const transport = new SessionClient({
    baseUrl: deps.policyServerUrl,
    accessToken: () => deps.identity.accessToken(),
    currentIdentity: () => deps.identity.current()?.id ?? null,
    ...(tokenFor ? { accessTokenFor: tokenFor } : {}),
  });
  const uploader = new RecordingUploader({ ...options, spoolDir: deps.recordings.spool.dir, spool: deps.recordings.spool, transport, logger: deps.logger });
  void uploader.start();
  // A new sign-in may unlock recordings that were waiting for their owner.
  const unsubscribe = deps.identity.onChange(() => uploader.kick());
  const close = uploader.close.bind(uploader);
  uploader.close = async () => {
    unsubscribe();
    await close();
  };
  return uploader;
}
