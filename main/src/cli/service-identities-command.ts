import type { Command } from 'commander';

export function registerServiceIdentitiesCommand(_program: Command): void {}
