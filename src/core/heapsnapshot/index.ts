// Public surface of the heap snapshot engine (owned by the heap snapshot work). Placeholder bodies.
import type { Holder } from '../types';

/** A group of objects that grew between snapshots, with what holds them. */
export interface GrowthHolder {
  /** Constructor / node name of the growing objects (e.g. 'Object', 'Buffer', 'Error', 'closure name'). */
  constructorName: string;
  /** Objects of this group new in the later snapshot and still alive in the last one. */
  addedCount: number;
  addedBytes: number;
  holder: Holder;
}

export interface GrowthHolderOptions {
  /** Script source lookup, to find where a holder variable or property is declared. */
  getScriptSource?: (scriptIdOrUrl: string) => Promise<string | undefined>;
  limit?: number;
}

/** Compares snapshots of one process (oldest first) and names what holds the objects that grew. */
export async function findGrowthHolders(
  snapshotFiles: readonly string[],
  _options: GrowthHolderOptions = {},
): Promise<GrowthHolder[]> {
  void snapshotFiles;
  return [];
}
