// Placeholder: the owning module replaces this file with the real subcommand(s).
import type { Command } from 'commander';

export function registerPromCommand(_program: Command, _setExit: (code: number) => void): void {}
