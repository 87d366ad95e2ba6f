/** Session recording: asciicast v2 (terminal) and JSONL (SQL, agent tool calls), hash-chained, spooled locally. */
export * from './recording-format.js';
export { RecordingWriter, type RecordingWriterOptions, type StopReason } from './recording-writer.js';
export { RecordingSpool, DEFAULT_SPOOL_MAX_BYTES, RECORDING_EXTENSIONS, type RecordingKind, type SpoolOptions, type SpoolStatus, type SpoolWarning, type SpoolAccount } from './spool.js';
export { createTerminalRecorder, type TerminalRecorder, type TerminalRecorderOptions } from './terminal-recorder.js';
export { createSqlRecorder, NOT_RECORDED, type RunRecording, type SqlRecorder, type SqlRecorderOptions, type SqlDecision as SqlRecordedDecision } from './sql-recorder.js';
export { createAgentCallRecorder, DEFAULT_MAX_OUTPUT_CHARS, type AgentCallRecorder, type AgentCallRecorderOptions } from './agent-recorder.js';
export { KeyframeModel, createReplayTerminal, drained, KEYFRAME_SCROLLBACK, type Snapshot } from './keyframes.js';
export { verifyRecording, verifyParsed, parseIndex, splitLines, type VerifyResult, type BreakReason } from './verify.js';
export { readRecording, RecordingInvalid, type RecordingContents } from './read-recording.js';
export { Recordings, type RecordingsOptions } from './recordings.js';
