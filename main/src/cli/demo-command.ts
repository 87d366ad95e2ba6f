// `gatehouse demo` (the default command, and `npm start`): its shape only. The implementation
// (demo-run.ts) is loaded when the command runs; see gatehouse.ts for why.
import { Option, type Command } from 'commander';
import { parsePortOption } from './cli-options.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo', { isDefault: true })
    .description('Run the offline demo: embedded database, SSH target and both identities (same as npm start)')
    .option('--port <port>', 'browser shell port (default: a free port)', parsePortOption)
    .option('--data-dir <dir>', 'where Gatehouse keeps its state (default: the user app-data folder)')
    .option('--reset-demo', 'rebuild the demo database from scratch')
    .option('--config <file>', 'also offer the connections in this file')
    .option('--no-open', 'do not open a Chromium window')
    .addOption(new Option('--shell <shell>', 'which shell to run').choices(['auto', 'electron', 'browser']).default('auto'))
    .action(async (opts: { port?: number; dataDir?: string; resetDemo?: boolean; open: boolean; shell: 'auto' | 'electron' | 'browser'; config?: string }) => {
      const { runDemoCommand } = await import('./demo-run.js');
      process.exitCode = await runDemoCommand(opts);
    });
}

