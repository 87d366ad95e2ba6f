/**
 * `recordings.status` and the `recordings.changed` event: the spool's fill level and the upload
 * state, published when either changes (a warning as the spool fills, an upload freeing space).
 */
import type { BridgeHandlers } from '../bridge/bridge-dispatcher.js';
import type { BridgeEventHub } from '../bridge/bridge-events.js';
import type { RecordingStatus } from '../contract/recordings-schemas.js';
import type { Recordings } from '../recording/recordings.js';
import type { RecordingUploader } from './recording-uploader.js';

export function createRecordingStatus(
  recordings: Recordings | undefined,
  upload: RecordingUploader | undefined,
  events: BridgeEventHub,
): { handlers: Pick<BridgeHandlers, 'recordings.status'>; close(): void } {
  const current = (): RecordingStatus => {
    const spool = recordings?.status();
    const u = upload?.status();
    return {
      spool: spool ? { usedBytes: spool.usedBytes, maxBytes: spool.maxBytes, level: spool.level, whenFull: spool.whenFull } : null,
      upload: u ? { state: u.state, queued: u.queued, rejected: u.rejected, lastError: u.lastError?.message ?? null } : null,
    };
  };
  // Byte counts change on every write; only a change of level or upload state is news.
  const key = (r: RecordingStatus): string => JSON.stringify([r.spool?.level, r.upload]);
  let last = key(current());
  const publish = (): void => {
    const now = current();
    if (key(now) === last) return;
    last = key(now);
    events.emit('recordings.changed', now);
  };
  const unsubscribers = [recordings?.onWarning(() => publish()), upload?.onChange(() => publish())];
  return {
    handlers: { 'recordings.status': async () => current() },
    close() {
      for (const u of unsubscribers) u?.();
    },
  };
}
