// The `heapscope` command line: one program, one subcommand per file, all driving src/core.
import { registerCheckCommand } from './check';
import { registerSnapshotCommands } from './snapshot';
import { registerPromCommand } from './prom';
import { registerMcpCommand } from './mcp';
import { runProgram } from './program';

runProgram((program, setExit) => {
  registerCheckCommand(program, setExit);
  registerSnapshotCommands(program, setExit);
  registerPromCommand(program, setExit);
  registerMcpCommand(program);
});
