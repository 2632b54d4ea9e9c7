// The order and filter of the class table: one function for the worker (the `classes` query) and
// the webview, which keeps the table it was sent and sorts and filters it itself (a few ms for
// thousands of classes, where each round trip through the host costs ~100 ms in code-server).
// Plain TypeScript (types only from the engine): it is bundled into the webview too.
import type { ClassRow, ClassSort } from '../core/heapsnapshot/queries/types';

/** The rows whose name contains `filter` (case-insensitive), sorted; ties: largest retained first. */
export function orderClassRows(
  all: readonly ClassRow[],
  sort: ClassSort = 'retained',
  descending = sort !== 'name',
  filter = '',
): ClassRow[] {
  const needle = filter.trim().toLowerCase();
  const rows = needle ? all.filter((c) => c.name.toLowerCase().includes(needle)) : all.slice();
  const key: (c: ClassRow) => number | string =
    sort === 'name'
      ? (c) => c.name
      : sort === 'distance'
        ? (c) => (c.distance < 0 ? Number.MAX_SAFE_INTEGER : c.distance)
        : sort === 'count'
          ? (c) => c.count
          : sort === 'shallow'
            ? (c) => c.shallowBytes
            : (c) => c.retainedBytes;
  const sign = descending ? -1 : 1;
  // Names are compared by code unit, not localeCompare: on a table of 100k classes of one size
  // nearly every comparison comes down to the name, and localeCompare made the sort take seconds.
  rows.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return (
      sign * order || b.retainedBytes - a.retainedBytes || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    );
  });
  return rows;
}
