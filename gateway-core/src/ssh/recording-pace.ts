import type { ClientChannel } from 'ssh2';
import type { TerminalRecorder } from '../recording/terminal-recorder.js';

/** Unparsed recording output (chars) at which reading from the shell pauses, and where it resumes. */
const BACKLOG_HIGH = 2 * 1024 * 1024;
const BACKLOG_LOW = 512 * 1024;

/**
 * Paces a shell to its recording. A bulk `cat` arrives faster than the recording's keyframe model
 * parses it; past its limit the model gives up, and the rest of the recording has no keyframe to
 * seek from. While the model is behind, reads from the shell stop: ssh2 stops opening its window
 * and the server waits, as it would for a slow terminal.
 */
export class RecordingPace {
  private paused = false;

  constructor(
    private readonly recorder: TerminalRecorder,
    private readonly closed: () => boolean,
  ) {}

  /** After output went to the recorder. */
  check(channel: ClientChannel | undefined): void {
    if (!channel || this.paused || this.recorder.outputBacklog <= BACKLOG_HIGH) return;
    this.paused = true;
    channel.pause();
    channel.stderr.pause();
    void this.recorder.outputDrained(BACKLOG_LOW).then(() => {
      this.paused = false;
      if (this.closed()) return;
      channel.resume();
      channel.stderr.resume();
    });
  }
}
