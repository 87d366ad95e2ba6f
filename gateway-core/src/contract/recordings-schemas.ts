/**
 * The local recording spool on the bridge: how full it is and whether uploads are getting through,
 * so the UI can warn before sessions are refused for want of space (issue 6, "a clear warning").
 */
import { z } from 'zod';

export const RecordingStatus = z.object({
  /** null when this gateway records nothing. */
  spool: z
    .object({
      usedBytes: z.number().nonnegative(),
      maxBytes: z.number().positive(),
      /** nearly-full from 90 %, full from 100 %. */
      level: z.enum(['ok', 'nearly-full', 'full']),
      /** What a full spool means for new sessions. */
      whenFull: z.enum(['refuse', 'unrecorded']),
    })
    .nullable(),
  /** null without a policy server to upload to. */
  upload: z
    .object({
      state: z.enum(['idle', 'uploading', 'offline', 'stopped']),
      queued: z.number().int().nonnegative(),
      rejected: z.number().int().nonnegative(),
      lastError: z.string().nullable(),
    })
    .nullable(),
});
export type RecordingStatus = z.infer<typeof RecordingStatus>;

export const recordingsMethods = {
  'recordings.status': { input: z.object({}).strict(), output: RecordingStatus },
} as const;

export const recordingsEvents = {
  /** The spool's level or the upload state changed. */
  'recordings.changed': RecordingStatus,
} as const;
