/** Recordings leave the spool for the policy server: the shared API and the resumable uploader. */
export * from './sessions-api.js';
export { SessionClient, UploadOffsetMismatch, type SessionTransport, type SessionClientOptions } from './session-client.js';
export { RecordingUploader, type RecordingUploaderOptions, type RecordingUploadStatus } from './recording-uploader.js';
export { startRecordingUpload } from './start-recording-upload.js';
