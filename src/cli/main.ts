// The `heapscope` command line: one program, one subcommand per file, all driving src/core.
import { Command } from 'commander';
import { HEAPSCOPE_VERSION } from '../core/version';
import { registerCheckCommand } from './check';
import { registerSnapshotCommands } from './snapshot';
import { registerPromCommand } from './prom';
import { registerMcpCommand } from './mcp';
import { exitCodes } from './exitCodes';
import { RELAUNCHED_ENV } from './hugePages';

/** Run by the launcher in a child of its own (launch.ts): ends when the launcher is gone. */
function endWithLauncher(): void {
  const launcher = Number(process.env[RELAUNCHED_ENV]);
  delete process.env[RELAUNCHED_ENV];
  if (!launcher) return;
  setInterval(() => {
    if (process.ppid !== launcher) process.exit(exitCodes.interrupted);
  }, 1000).unref();
}

async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('heapscope')
    .description('Find memory leaks in Node.js processes, from the terminal or CI.')
    .version(HEAPSCOPE_VERSION)
    .showHelpAfterError()
    .exitOverride();
  let result: number = exitCodes.ok;
  const setExit = (code: number) => {
    result = code;
  };
  registerCheckCommand(program, setExit);
  registerSnapshotCommands(program, setExit);
  registerPromCommand(program, setExit);
  registerMcpCommand(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const code = (error as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return exitCodes.ok;
    if (typeof code === 'string' && code.startsWith('commander.')) return exitCodes.usage;
    throw error;
  }
  return result;
}

endWithLauncher();
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`heapscope: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = exitCodes.usage;
  },
);
