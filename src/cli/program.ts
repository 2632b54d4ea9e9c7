// The `heapscope` program around its commands: name, version, exit codes for usage errors, and the
// end of a process the launcher relaunched (launch.ts). main.ts registers every command,
// analyseMain.ts those that analyse snapshot files.
import { Command } from 'commander';
import { HEAPSCOPE_VERSION } from '../core/version';
import { exitCodes } from './exitCodes';
import { RELAUNCHED_ENV } from './hugePages';

export type RegisterCommands = (program: Command, setExit: (code: number) => void) => void;

/** Run by the launcher in a child of its own: ends when the launcher is gone. */
function endWithLauncher(): void {
  const launcher = Number(process.env[RELAUNCHED_ENV]);
  delete process.env[RELAUNCHED_ENV];
  if (!launcher) return;
  setInterval(() => {
    if (process.ppid !== launcher) process.exit(exitCodes.interrupted);
  }, 1000).unref();
}

async function run(argv: string[], register: RegisterCommands): Promise<number> {
  const program = new Command();
  program
    .name('heapscope')
    .description('Find memory leaks in Node.js processes, from the terminal or CI.')
    .version(HEAPSCOPE_VERSION)
    .showHelpAfterError()
    .exitOverride();
  let result: number = exitCodes.ok;
  register(program, (code) => {
    result = code;
  });
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

/** Runs the command line of this process with these commands; sets the exit code. */
export function runProgram(register: RegisterCommands): void {
  endWithLauncher();
  run(process.argv, register).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`heapscope: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = exitCodes.usage;
    },
  );
}
