// Loads a snapshot for the explorer (parse, dominators, distances, retainers index) and answers its
// queries: the same code runs in the explorer's worker thread and, for tests, on the calling thread.
import { HeapscopeError } from '../../errors';
import { idIndex, type IdIndex } from '../diff';
import { parseSnapshotFile } from '../parser';
import { HeapSnapshot } from '../snapshot';
import type { TaskContext } from '../tasks';
import { SnapshotExplorer } from './explorer';
import { provisionalTable } from './provisional';
import type { ExplorerAnswer, ExplorerQuery, ProvisionalTable, RetainerTree } from './types';

/**
 * `onProvisional`: given the class table as soon as the file is parsed (counts and shallow sizes),
 * before the analysis that the retained sizes need.
 */
export async function openExplorer(
  file: string,
  ctx: TaskContext = {},
  onProvisional?: (table: ProvisionalTable) => void,
): Promise<SnapshotExplorer> {
  const t0 = performance.now();
  const raw = await parseSnapshotFile(file, {
    signal: ctx.signal,
    onProgress: (readBytes, totalBytes) =>
      ctx.onProgress?.({ phase: 'reading', file, readBytes, totalBytes }),
    keepHelper: true,
  });
  const t1 = performance.now();
  const parsed = new HeapSnapshot(raw);
  if (onProvisional)
    onProvisional(provisionalTable(parsed, { file, fileBytes: raw.fileBytes, parseMs: Math.round(t1 - t0) }));
  const snapshot = parsed.analyse({ onPhase: (phase) => ctx.onProgress?.({ phase, file }) });
  ctx.onProgress?.({ phase: 'indexing', file });
  // The retainers index is built after the first table is on screen (see worker.ts), or by the
  // first query that needs it.
  const explorer = new SnapshotExplorer(snapshot, {
    file,
    fileBytes: raw.fileBytes,
    parseMs: Math.round(t1 - t0),
    analyseMs: Math.round(performance.now() - t1),
  });
  return explorer;
}

/** Reads the ids of an earlier snapshot for a comparison (the graph itself is dropped). */
export async function loadIdIndex(file: string, ctx: TaskContext = {}): Promise<IdIndex> {
  const raw = await parseSnapshotFile(file, {
    signal: ctx.signal,
    onProgress: (readBytes, totalBytes) =>
      ctx.onProgress?.({ phase: 'reading', file, readBytes, totalBytes }),
  });
  return idIndex(new HeapSnapshot(raw));
}

/** Answers one query of the explorer. */
export async function answerQuery<Q extends ExplorerQuery>(
  explorer: SnapshotExplorer,
  query: Q,
  ctx: TaskContext = {},
): Promise<ExplorerAnswer<Q>> {
  return (await dispatch(explorer, query, ctx)) as ExplorerAnswer<Q>;
}

async function dispatch(
  explorer: SnapshotExplorer,
  query: ExplorerQuery,
  ctx: TaskContext,
): Promise<unknown> {
  switch (query.kind) {
    case 'info':
      return explorer.info();
    case 'classes':
      return explorer.classRows(query.sort, query.descending, query.filter);
    case 'objects':
      return explorer.objects(query.classIndex, query.sort, query.offset, query.limit);
    case 'object':
      return explorer.object(query.ordinal);
    case 'findId':
      return explorer.findId(query.id);
    case 'find': {
      const found = explorer.find(query.id, query.limit);
      return found && { row: found.row, tree: await declareTree(explorer, found.tree) };
    }
    case 'searchStrings':
      return explorer.searchStrings(query.text, query.limit);
    case 'retainers': {
      const page = explorer.retainers(query.ordinal, query.offset, query.limit);
      await explorer.declareVariables(page.rows);
      return page;
    }
    case 'retainerPath': {
      const path = explorer.retainerPath(query.ordinal);
      await explorer.declareVariables(path);
      return path;
    }
    case 'retainerTree':
      return declareTree(explorer, explorer.retainerTree(query.ordinal, query.limit));
    case 'dominated':
      return explorer.dominated(query.ordinal, query.offset, query.limit);
    case 'largestHeldVia':
      return explorer.largestHeldVia(query.className, query.via);
    case 'subtree':
      return explorer.subtree(query.ordinal, query.limit);
    case 'ignore':
      return query.tree === undefined
        ? explorer.setIgnored(query.ordinal, query.ignored)
        : {
            ...explorer.setIgnored(query.ordinal, query.ignored),
            tree: await declareTree(explorer, explorer.retainerTree(query.tree)),
          };
    case 'compare':
      return explorer.compare(
        (file) => loadIdIndex(file, ctx),
        query.baseFile,
        query.middleFile,
        query.holders ?? 0,
      );
    default:
      throw new HeapscopeError('usage', `Unknown explorer query ${JSON.stringify(query).slice(0, 80)}.`);
  }
}

/** A retainer tree with its closure variables' declarations. */
async function declareTree(explorer: SnapshotExplorer, tree: RetainerTree): Promise<RetainerTree> {
  await explorer.declareVariables([
    ...tree.top.rows,
    ...tree.path,
    ...tree.children.flatMap((page) => page?.rows ?? []),
  ]);
  return tree;
}
