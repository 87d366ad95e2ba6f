/**
 * `gatehouse start --config FILE`: configured mode. The file's connections, OIDC sign-in from
 * its `signIn:` block (required here: without a signed-in user nobody could use anything), the
 * bundled default policy for now, and the browser shell (optionally in a Chromium app window).
 * The sign-in page opens in a new browser tab; the loopback redirect brings the user back.
 *
 * Only the command's shape is here; start-run.ts is loaded when it runs (see gatehouse.ts).
 */
import type { Command } from 'commander';
import { parsePortOption } from './cli-options.js';

export interface StartCommandOptions {
  config?: string;
  port?: number;
  dataDir?: string;
  open: boolean;
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Run Gatehouse with your connections and OIDC sign-in (configured mode) in the browser shell')
    .option('--config <file>', 'connections file with a signIn block (default: $GATEHOUSE_CONFIG)')
    .option('--port <port>', 'browser shell port (default: a free port)', parsePortOption)
    .option('--data-dir <dir>', 'where Gatehouse keeps its state (default: the user app-data folder)')
    .option('--no-open', 'do not open a Chromium window')
    .action(async (opts: StartCommandOptions) => {
      process.exitCode = await runStartCommand(opts);
    });
}

/** Loads the implementation only now; tests drive the command through here. */
export async function runStartCommand(opts: StartCommandOptions): Promise<number> {
  const impl = await import('./start-run.js');
  return impl.runStartCommand(opts);
}

