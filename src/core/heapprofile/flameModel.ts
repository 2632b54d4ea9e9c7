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
import { sourceMapProfile, type FrameResolver, type MappedOrigins } from './sourceMapped';

export interface FlameModel {
  graph: FlameGraph;
  /** The biggest allocators by function, at most `tableRows`. */
  functions: FunctionTotal[];
  /**
   * Which generated frame each original source came from: the host keeps it to find a source's
   * embedded text again on a click; the webview never receives it.
   */
  origins: MappedOrigins;
}

export async function flameModel(
  text: string,
  fileName: string,
  resolveFrame: FrameResolver,
  tableRows = 500,
): Promise<FlameModel> {
  const profile = parseHeapProfile(text, fileName);
  const origins = await sourceMapProfile(profile, resolveFrame);
  const graph = flameGraph(profile);
  return { graph, functions: functionTotals(graph).slice(0, tableRows), origins };
}
