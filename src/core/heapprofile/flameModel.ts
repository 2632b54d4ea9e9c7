// What the flame graph view shows of a `.heapprofile`: the profile parsed, its frames moved to the
// user's code through source maps, laid out by stack, and the by-function table. The flame editor
// sends exactly this to its webview, for a file from disk and for a live session's file alike.
import {
  flameGraph,
  functionTotals,
  parseHeapProfile,
  type FlameGraph,
  type FunctionTotal,
} from './flameGraph';
import { sourceMapProfile, type FrameResolver } from './sourceMapped';

export interface FlameModel {
  graph: FlameGraph;
  /** The biggest allocators by function, at most `tableRows`. */
  functions: FunctionTotal[];
}

export async function flameModel(
  text: string,
  fileName: string,
  resolveFrame: FrameResolver,
  tableRows = 500,
): Promise<FlameModel> {
  const profile = parseHeapProfile(text, fileName);
  await sourceMapProfile(profile, resolveFrame);
  const graph = flameGraph(profile);
  return { graph, functions: functionTotals(graph).slice(0, tableRows) };
}
