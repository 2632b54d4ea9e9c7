// Heap snapshot tools: summary by constructor, a comparison of two or three snapshots (with what
// holds the growth), and the retainer paths of a constructor's largest objects or of one object.
// They read .heapsnapshot files in the snapshot worker; a whole snapshot never reaches the model.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { HeapscopeError } from '../errors';
import { diffSnapshotFiles, findRetainers, summarizeSnapshotFile, describeFrame } from '../heapsnapshot';
import { formatBytes } from '../leak';
import { compactHolder, fitToBudget, sourceLink } from './budget';
import { asInput, optionalInteger, optionalString, optionalStringArray, requiredString } from './input';
import { defineTool, type AgentToolContext } from './tool';

const SUMMARY = 'heapscope_snapshot_summary';
const COMPARE = 'heapscope_snapshot_compare';
const RETAINERS = 'heapscope_retainers';

async function snapshotFile(file: string, tool: string, context: AgentToolContext): Promise<string> {
  const resolved = path.resolve(context.projectRoot ?? process.cwd(), file);
  if (!resolved.endsWith('.heapsnapshot'))
    throw new HeapscopeError('usage', `${tool}: "${file}" is not a .heapsnapshot file.`);
  const info = await stat(resolved).catch(() => undefined);
  if (!info?.isFile()) throw new HeapscopeError('usage', `${tool}: no file ${resolved}.`);
  return resolved;
}

const fileProperty = {
  type: 'string',
  description: 'A .heapsnapshot file (absolute, or relative to the workspace).',
};

export const snapshotSummaryTool = defineTool<{ file: string; top: number }>({
  name: SUMMARY,
  title: 'Summarise a heap snapshot',
  description:
    'Summarise a .heapsnapshot file: object count and size by constructor (count, shallow and retained bytes, ' +
    'as in Chrome DevTools), largest retained first, with the retainer path of the biggest program objects. ' +
    'Use it to see what fills a heap; to see what grows, compare two snapshots with heapscope_snapshot_compare.',
  inputSchema: {
    type: 'object',
    properties: {
      file: fileProperty,
      top: { type: 'integer', minimum: 1, maximum: 50, description: 'Constructors to return (default 15).' },
    },
    required: ['file'],
  },
  touchesProcess: false,
  readOnly: true,
  parse(input) {
    const i = asInput(SUMMARY, input);
    return {
      file: requiredString(i, 'file', SUMMARY),
      top: optionalInteger(i, 'top', SUMMARY, { min: 1, max: 50 }) ?? 15,
    };
  },
  async run({ file, top }, context) {
    const resolved = await snapshotFile(file, SUMMARY, context);
    const result = await summarizeSnapshotFile(resolved, top, { largest: 3, signal: context.signal });
    const data = {
      file: resolved,
      nodeCount: result.nodeCount,
      totalBytes: result.totalBytes,
      constructors: result.constructors.map(({ name, count, shallowBytes, retainedBytes }) => ({
        name,
        count,
        shallowBytes,
        retainedBytes,
      })),
      largest: (result.largest ?? []).map((o) => ({
        className: o.className,
        id: o.id,
        retainedBytes: o.retainedBytes,
        ...(o.location ? { location: sourceLink(o.location.url, o.location.line, o.location.column) } : {}),
        path: o.paths[0]?.text.slice(-6) ?? [],
      })),
    };
    const first = result.constructors[0];
    const summary =
      `${path.basename(resolved)}: ${formatBytes(result.totalBytes)} in ${result.nodeCount} objects` +
      (first
        ? `; largest retained: ${first.name} (${formatBytes(first.retainedBytes)}, ${first.count} objects)`
        : '') +
      '.';
    return { summary, data: fitToBudget(data, context.budgetChars) };
  },
});

export const snapshotCompareTool = defineTool<{ files: string[]; top: number; holders: number }>({
  name: COMPARE,
  title: 'Compare heap snapshots',
  description:
    'Compare two or three .heapsnapshot files of the same process (oldest first) by object id: what was ' +
    'allocated and not freed, by constructor, and what holds the objects that grew (variable, property or ' +
    'closure, with its source line). With three snapshots: objects allocated between the first two and still ' +
    'alive in the third, the usual way to isolate a leak.',
  inputSchema: {
    type: 'object',
    properties: {
      files: {
        type: 'array',
        items: { type: 'string' },
        minItems: 2,
        maxItems: 3,
        description: 'Two or three .heapsnapshot files, oldest first.',
      },
      top: { type: 'integer', minimum: 1, maximum: 50, description: 'Constructors to return (default 10).' },
      holders: {
        type: 'integer',
        minimum: 0,
        maximum: 10,
        description: 'Growing groups to name a holder for (default 3; 0: none).',
      },
    },
    required: ['files'],
  },
  touchesProcess: false,
  readOnly: true,
  parse(input) {
    const i = asInput(COMPARE, input);
    const files = optionalStringArray(i, 'files', COMPARE, { min: 2, max: 3 });
    if (!files)
      throw new HeapscopeError(
        'usage',
        `${COMPARE}: "files" (two or three .heapsnapshot files) is required.`,
      );
    return {
      files,
      top: optionalInteger(i, 'top', COMPARE, { min: 1, max: 50 }) ?? 10,
      holders: optionalInteger(i, 'holders', COMPARE, { min: 0, max: 10 }) ?? 3,
    };
  },
  async run({ files, top, holders }, context) {
    const resolved = await Promise.all(files.map((f) => snapshotFile(f, COMPARE, context)));
    const result = await diffSnapshotFiles(resolved, top, { holders, signal: context.signal });
    const d = result.diff;
    const data: Record<string, unknown> = {
      files: resolved,
      newCount: d.newCount,
      newBytes: d.newBytes,
      freedCount: d.freedCount,
      freedBytes: d.freedBytes,
      constructors: d.constructors.map((c) => ({
        name: c.name,
        newCount: c.newCount,
        freedCount: c.freedCount,
        countDelta: c.countDelta,
        bytesDelta: c.bytesDelta,
      })),
    };
    if (result.allocatedBetween)
      data.allocatedBetween = {
        total: result.allocatedBetween.total,
        bytes: result.allocatedBetween.bytes,
        constructors: result.allocatedBetween.constructors,
      };
    if (result.holders)
      data.holders = result.holders.map((g) => ({
        constructorName: g.constructorName,
        addedCount: g.addedCount,
        addedBytes: g.addedBytes,
        holder: compactHolder(g.holder),
      }));
    if (result.allocationSites)
      data.allocationSites = result.allocationSites.map((s) => ({
        count: s.count,
        bytes: s.bytes,
        frames: s.frames.slice(0, 4).map((f) => describeFrame(f)),
      }));
    const grew = result.holders?.[0];
    const summary =
      `${d.newCount} new objects (${formatBytes(d.newBytes)}), ${d.freedCount} freed (${formatBytes(d.freedBytes)})` +
      (grew
        ? `; ${grew.constructorName} ×${grew.addedCount} (${formatBytes(grew.addedBytes)}) held by ${grew.holder.kind} ${grew.holder.name}` +
          (grew.holder.location
            ? ` at ${sourceLink(grew.holder.location.url, grew.holder.location.line, grew.holder.location.column)}`
            : '')
        : '') +
      '.';
    return { summary, data: fitToBudget(data, context.budgetChars) };
  },
});

export const retainersTool = defineTool<{
  file: string;
  constructorName?: string;
  id?: number;
  objects: number;
}>({
  name: RETAINERS,
  title: 'Show what retains objects',
  description:
    'Show the retainer paths (from a GC root down to the object: which variable, property, closure or ' +
    'listener keeps it alive) of the largest objects of a constructor, or of one object by its snapshot id ' +
    '(@N), in a .heapsnapshot file. Use it after a summary or comparison named a constructor that grows.',
  inputSchema: {
    type: 'object',
    properties: {
      file: fileProperty,
      constructorName: {
        type: 'string',
        description: 'Constructor or closure name, e.g. "Session" or "Buffer".',
      },
      id: { type: 'integer', minimum: 1, description: 'Snapshot id of one object (@N in DevTools).' },
      objects: { type: 'integer', minimum: 1, maximum: 10, description: 'Objects to show (default 3).' },
    },
    required: ['file'],
  },
  touchesProcess: false,
  readOnly: true,
  parse(input) {
    const i = asInput(RETAINERS, input);
    const constructorName = optionalString(i, 'constructorName', RETAINERS);
    const id = optionalInteger(i, 'id', RETAINERS, { min: 1, max: Number.MAX_SAFE_INTEGER });
    if ((constructorName === undefined) === (id === undefined))
      throw new HeapscopeError('usage', `${RETAINERS}: give exactly one of "constructorName" or "id".`);
    return {
      file: requiredString(i, 'file', RETAINERS),
      constructorName,
      id,
      objects: optionalInteger(i, 'objects', RETAINERS, { min: 1, max: 10 }) ?? 3,
    };
  },
  async run({ file, constructorName, id, objects }, context) {
    const resolved = await snapshotFile(file, RETAINERS, context);
    const result = await findRetainers(
      resolved,
      { constructorName, id, objects, paths: 2 },
      { signal: context.signal },
    );
    const data = {
      file: resolved,
      matched: result.matched,
      objects: result.objects.map((o) => ({
        className: o.className,
        id: o.id,
        selfBytes: o.selfBytes,
        retainedBytes: o.retainedBytes,
        distance: o.distance,
        ...(o.location ? { location: sourceLink(o.location.url, o.location.line, o.location.column) } : {}),
        paths: o.paths.map((p) => p.text),
        ...(o.allocationStack?.length
          ? { allocatedAt: o.allocationStack.slice(0, 4).map((f) => describeFrame(f)) }
          : {}),
      })),
    };
    const first = result.objects[0];
    const summary = first
      ? `${result.matched} object(s) matched; the largest, ${first.className} @${first.id} (${formatBytes(first.retainedBytes)} retained), is held through: ${first.paths[0]?.text.slice(-2).join(' ← ') ?? 'no path from a GC root'}.`
      : `No object matched ${constructorName ?? `@${id}`}.`;
    return { summary, data: fitToBudget(data, context.budgetChars) };
  },
});
