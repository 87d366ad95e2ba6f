// `gatehouse doctor`: its shape only; doctor-run.ts is loaded when it runs (see gatehouse.ts).
import type { Command } from 'commander';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('Check what this machine has for Gatehouse and its tests, and what to install')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { runDoctorCommand } = await import('./doctor-run.js');
      process.exitCode = await runDoctorCommand(opts);
    });
}
