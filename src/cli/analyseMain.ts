// `heapscope summary | diff | retainers` alone (dist/cliAnalyse.js): the launcher runs these
// commands from this bundle, a tenth of the whole command line's, so that their start-up reads and
// compiles only what they use (launch.ts).
import { registerSnapshotAnalysisCommands } from './snapshotAnalysis';
import { runProgram } from './program';

runProgram(registerSnapshotAnalysisCommands);
