// The explorer's tables, each a TreeList over queries to the worker: Summary (classes → objects),
// Retainers (edges up to a GC root, one level per expansion), Containment (the dominator tree) and
// Comparison (new, deleted and surviving objects per constructor).
import type {
  ClassRow,
  ClassSort,
  Comparison,
  ComparisonRow,
  ObjectRow,
  ObjectSort,
  RetainerRow,
  RetainerTree,
} from '../../src/shared/explorerProtocol';
import {
  bytes,
  count,
  distance,
  objectLabel,
  percent,
  signedBytes,
  signedCount,
  sourceLink,
  tag,
} from './cells';
import { orderClassRows } from '../../src/shared/classOrder';
import { ask } from './rpc';
import { TreeList, type Column } from './treeList';

export const PAGE = 100;

/** A cell whose value is still being computed. */
function computing(text: string): HTMLElement {
  const span = document.createElement('span');
  span.className = 'computing muted';
  span.textContent = text;
  return span;
}

// ---- Summary --------------------------------------------------------------------------------------

export type SummaryItem = { kind: 'class'; row: ClassRow } | { kind: 'object'; row: ObjectRow };

export class SummaryView {
  filter = '';
  sort: ClassSort = 'retained';
  descending = true;
  objectSort: ObjectSort = 'retained';
  readonly list: TreeList<SummaryItem>;
  /** Every class of the snapshot, as the worker sent them (the table orders them here). */
  private allClasses: Promise<ClassRow[]> | undefined;
  /**
   * The table is the provisional one (parsed, not analysed): retained sizes and distances are being
   * computed, so they show as such, cannot be sorted by, and classes do not expand yet.
   */
  provisional = false;
  private sortedWhileProvisional = false;

  constructor() {
    const columns: Array<Column<SummaryItem>> = [
      {
        title: 'Constructor',
        className: 'c-name',
        sort: 'name',
        render: (item) => {
          if (item.kind === 'object') return objectLabel(item.row);
          const span = document.createElement('span');
          span.className = 'name-parts';
          const name = document.createElement('span');
          name.className = 'label-text';
          name.textContent = item.row.name;
          const n = document.createElement('span');
          n.className = 'muted';
          span.append(name);
          n.textContent = ` ×${count(item.row.count)}`;
          span.append(n);
          return span;
        },
      },
      {
        title: 'Distance',
        className: 'c-num c-distance',
        sort: 'distance',
        id: 'distance',
        hideOrder: 1,
        render: (item) => (this.provisional ? computing('…') : distance(item.row.distance)),
      },
      {
        title: 'Count',
        className: 'c-num c-count',
        sort: 'count',
        id: 'count',
        hideOrder: 4,
        render: (item) => (item.kind === 'class' ? count(item.row.count) : ''),
      },
      {
        title: 'Shallow',
        className: 'c-num c-bytes',
        sort: 'shallow',
        id: 'shallow',
        hideOrder: 3,
        render: (item) => bytes(item.row.shallowBytes),
      },
      {
        title: 'Retained',
        className: 'c-num c-bytes',
        sort: 'retained',
        id: 'retained',
        render: (item) => (this.provisional ? computing('computing…') : bytes(item.row.retainedBytes)),
      },
      {
        // Of the retained size; of the shallow size while the retained sizes are computed.
        title: '% heap',
        className: 'c-num c-percent',
        id: 'percent',
        hideOrder: 2,
        render: (item) => percent(this.provisional ? item.row.shallowBytes : item.row.retainedBytes),
      },
      {
        title: 'Source',
        className: 'c-source',
        id: 'source',
        hideOrder: 5,
        render: (item) => sourceLink(item.kind === 'object' ? item.row.location : undefined),
      },
    ];
    this.list = new TreeList<SummaryItem>(
      columns,
      {
        load: async (parent, offset) => {
          if (!parent) {
            // Asked once: sorting and filtering then cost no round trip (see classOrder.ts).
            this.allClasses ??= ask({ kind: 'classes' }).catch((error: unknown) => {
              this.allClasses = undefined;
              throw error;
            });
            const rows = orderClassRows(await this.allClasses, this.sort, this.descending, this.filter);
            return { items: rows.map((row) => ({ kind: 'class' as const, row })), total: rows.length };
          }
          if (parent.kind !== 'class') return { items: [], total: 0 };
          const page = await ask({
            kind: 'objects',
            classIndex: parent.row.classIndex,
            sort: this.objectSort,
            offset,
            limit: PAGE,
          });
          return { items: page.rows.map((row) => ({ kind: 'object' as const, row })), total: page.total };
        },
        expandable: (item) => item.kind === 'class' && !this.provisional,
      },
      'summary',
      'No constructor matches the filter.',
    );
    this.list.setSort('retained', true);
    this.list.canSort = (key) => !this.provisional || (key !== 'retained' && key !== 'distance');
    this.list.onSort = (key, descending) => {
      if (this.provisional) this.sortedWhileProvisional = true;
      this.sort = key as ClassSort;
      this.descending = descending;
      // The objects under a class follow the same order where it means something for them.
      this.objectSort = key === 'shallow' || key === 'distance' ? key : 'retained';
      void this.list.reload();
    };
  }

  /** The class table before the analysis: largest shallow first, until the full one comes. */
  setProvisional(classes: ClassRow[]): void {
    this.provisional = true;
    this.allClasses = Promise.resolve(classes);
    this.sort = 'shallow';
    this.descending = true;
    this.list.setSort('shallow', true);
  }

  /**
   * The class table the host sent with the snapshot (the first table then needs no query). It
   * replaces the provisional one; the order the user chose (count, shallow,
   * name) stays, the provisional default (shallow) gives way to retained.
   */
  setFull(classes: ClassRow[]): void {
    this.allClasses = Promise.resolve(classes);
    if (!this.provisional) return;
    this.provisional = false;
    if (!this.sortedWhileProvisional) {
      this.sort = 'retained';
      this.descending = true;
      this.objectSort = 'retained';
      this.list.setSort('retained', true);
    } else this.list.refreshHeader();
  }

  setFilter(filter: string): Promise<void> {
    this.filter = filter;
    return this.list.reload();
  }

  /**
   * Expands the class named `name` (a suspect's "show objects"); with `largest`, selects its first
   * object (the largest retained), which shows that object's retainers (a holder's path).
   */
  async showClass(name: string, largest = false): Promise<boolean> {
    const found = await this.list.expandWhere(isClassNamed(name));
    if (found && largest) this.list.selectFirstChild(isClassNamed(name));
    return found;
  }

  /** Selects this object under its expanded class, if it is on the class's loaded pages. */
  selectObject(className: string, ordinal: number): boolean {
    return this.list.selectChild(
      isClassNamed(className),
      (item) => item.kind === 'object' && item.row.ordinal === ordinal,
    );
  }
}

function isClassNamed(name: string): (item: SummaryItem) => boolean {
  return (item) => item.kind === 'class' && item.row.name === name;
}

// ---- Retainers ------------------------------------------------------------------------------------

export class RetainersView {
  target: ObjectRow | undefined;
  readonly list: TreeList<RetainerRow>;
  onIgnoreChanged: () => void = () => {};

  constructor() {
    const columns: Array<Column<RetainerRow>> = [
      {
        title: 'Object',
        className: 'c-name',
        render: (item) => {
          const span = document.createElement('span');
          span.className = item.weak ? 'name-parts weak' : 'name-parts';
          const edge = document.createElement('span');
          edge.className = `edge edge-${item.edgeType}`;
          edge.textContent = item.edgeLabel;
          const within = document.createElement('span');
          within.className = 'edge-in';
          within.textContent = ' in ';
          span.append(edge, within, objectLabel(item.holder));
          if (item.weak) span.append(tag('weak'));
          if (item.ignored) span.append(tag('ignored'));
          return span;
        },
      },
      {
        title: 'Distance',
        className: 'c-num c-distance',
        id: 'distance',
        hideOrder: 1,
        render: (item) => distance(item.holder.distance),
      },
      {
        title: 'Shallow',
        className: 'c-num c-bytes',
        id: 'shallow',
        hideOrder: 2,
        render: (item) => bytes(item.holder.shallowBytes),
      },
      {
        title: 'Retained',
        className: 'c-num c-bytes',
        id: 'retained',
        hideOrder: 4,
        render: (item) => bytes(item.holder.retainedBytes),
      },
      {
        title: 'Source',
        className: 'c-source',
        id: 'source',
        hideOrder: 5,
        // A closure variable's own line, rather than the function whose context holds it.
        render: (item) => sourceLink(item.declaration ?? item.holder.location),
      },
      {
        title: '',
        className: 'c-action',
        // Key i does the same on the selected row.
        id: 'ignore',
        hideOrder: 3,
        render: (item) => {
          const link = document.createElement('a');
          link.href = '#';
          link.className = 'ignore-link';
          link.textContent = item.ignored ? 'restore' : 'ignore';
          link.title = item.ignored
            ? 'Count this retainer again'
            : 'Ignore this retainer: distances are computed as if it held nothing (key i)';
          link.addEventListener('click', (e) => {
            e.preventDefault();
            e.stopPropagation();
            void this.toggleIgnored(item);
          });
          return link;
        },
      },
    ];
    this.list = new TreeList<RetainerRow>(
      columns,
      {
        load: async (parent, offset) => {
          const ordinal = parent ? parent.holder.ordinal : this.target?.ordinal;
          if (ordinal === undefined) return { items: [], total: 0 };
          const page = await ask({ kind: 'retainers', ordinal, offset, limit: PAGE });
          return { items: page.rows, total: page.total };
        },
        expandable: (item) => item.holder.distance > 0 && !item.ignored,
      },
      'retainers',
      'Select an object to see what retains it.',
    );
    this.list.onKey = (key, item) => {
      if (key !== 'i') return false;
      void this.toggleIgnored(item);
      return true;
    };
  }

  /**
   * Shows the retainers of `target` and opens the shortest path to a GC root; with `tree`, the one
   * that came with the object (a find by @id), without asking again.
   */
  async show(target: ObjectRow, tree?: RetainerTree): Promise<void> {
    this.target = target;
    tree ??= await ask({ kind: 'retainerTree', ordinal: target.ordinal, limit: PAGE });
    if (this.target === target) this.showTree(tree);
  }

  private showTree(tree: RetainerTree): void {
    this.list.showLoaded(
      { items: tree.top.rows, total: tree.top.total },
      tree.path.map((step, i) => ({
        match: (item: RetainerRow) =>
          item.holder.ordinal === step.holder.ordinal && item.edgeName === step.edgeName,
        children: tree.children[i] ? { items: tree.children[i].rows, total: tree.children[i].total } : null,
      })),
    );
  }

  async toggleIgnored(item: RetainerRow): Promise<void> {
    const target = this.target;
    // Distances changed: the tree, shortest path first, comes with the answer (one round trip).
    const { ignored, tree } = await ask({
      kind: 'ignore',
      ordinal: item.holder.ordinal,
      ignored: !item.ignored,
      ...(target ? { tree: target.ordinal } : {}),
    });
    // The tree's rows carry the new flags: drawn once, not refreshed and then replaced.
    if (target && tree && this.target === target) this.showTree(tree);
    else {
      const set = new Set(ignored);
      this.list.refreshItems((row) => ({ ...row, ignored: set.has(row.holder.ordinal) }));
    }
    this.onIgnoreChanged();
  }
}

// ---- Containment ----------------------------------------------------------------------------------

export class ContainmentView {
  readonly list: TreeList<ObjectRow>;
  /** The object whose dominator subtree is shown (the GC root by default). */
  rootOrdinal = 0;

  constructor() {
    const columns: Array<Column<ObjectRow>> = [
      { title: 'Object', className: 'c-name', render: (row) => objectLabel(row) },
      {
        title: 'Distance',
        className: 'c-num c-distance',
        id: 'distance',
        hideOrder: 1,
        render: (row) => distance(row.distance),
      },
      {
        title: 'Shallow',
        className: 'c-num c-bytes',
        id: 'shallow',
        hideOrder: 3,
        render: (row) => bytes(row.shallowBytes),
      },
      {
        title: 'Retained',
        className: 'c-num c-bytes',
        id: 'retained',
        render: (row) => bytes(row.retainedBytes),
      },
      {
        title: '% heap',
        className: 'c-num c-percent',
        id: 'percent',
        hideOrder: 2,
        render: (row) => percent(row.retainedBytes),
      },
      {
        title: 'Source',
        className: 'c-source',
        id: 'source',
        hideOrder: 4,
        render: (row) => sourceLink(row.location),
      },
    ];
    this.list = new TreeList<ObjectRow>(
      columns,
      {
        load: async (parent, offset) => {
          if (!parent) {
            const row = await ask({ kind: 'object', ordinal: this.rootOrdinal });
            return { items: [row], total: 1 };
          }
          const page = await ask({ kind: 'dominated', ordinal: parent.ordinal, offset, limit: PAGE });
          return { items: page.rows, total: page.total };
        },
        expandable: (row) => row.dominatedCount > 0,
      },
      'containment',
    );
  }

  /** "What does this object keep alive": its dominator subtree. */
  async showFrom(ordinal: number): Promise<void> {
    this.rootOrdinal = ordinal;
    // The object and its first children in one answer: one message each way.
    const { root, children } = await ask({ kind: 'subtree', ordinal, limit: PAGE });
    if (this.rootOrdinal !== ordinal) return;
    this.list.showLoaded({ items: [root], total: 1 }, [
      { match: () => true, children: { items: children.rows, total: children.total } },
    ]);
  }
}

// ---- Comparison -----------------------------------------------------------------------------------

export class ComparisonView {
  readonly list: TreeList<ComparisonRow>;
  comparison: Comparison | undefined;
  private sort = 'bytesDelta';
  private descending = true;

  constructor() {
    const num = (
      title: string,
      sort: keyof ComparisonRow,
      render: (r: ComparisonRow) => string,
      hideOrder?: number,
    ): Column<ComparisonRow> => ({
      title,
      className: 'c-num c-bytes',
      sort,
      id: sort,
      ...(hideOrder !== undefined ? { hideOrder } : {}),
      render,
    });
    const columns: Array<Column<ComparisonRow>> = [
      { title: 'Constructor', className: 'c-name', sort: 'name', render: (r) => r.name },
      // Narrow: what was added and the size it costs stay; what survived and was freed go first.
      num('# New', 'newCount', (r) => count(r.newCount), 5),
      num('# Deleted', 'deletedCount', (r) => count(r.deletedCount), 3),
      num('# Delta', 'countDelta', (r) => signedCount(r.countDelta), 6),
      num('Alloc. size', 'newBytes', (r) => bytes(r.newBytes), 4),
      num('Freed size', 'deletedBytes', (r) => bytes(r.deletedBytes), 2),
      num('Size delta', 'bytesDelta', (r) => signedBytes(r.bytesDelta)),
      num('# Surviving', 'survivingCount', (r) => count(r.survivingCount), 1),
    ];
    this.list = new TreeList<ComparisonRow>(
      columns,
      {
        load: async (parent) => {
          if (parent || !this.comparison) return { items: [], total: 0 };
          const key = this.sort as keyof ComparisonRow;
          const sign = this.descending ? -1 : 1;
          const rows = this.comparison.rows
            .filter((r) => r.newCount || r.deletedCount)
            .sort((a, b) => {
              const x = a[key];
              const y = b[key];
              return sign * (x < y ? -1 : x > y ? 1 : 0) || b.bytesDelta - a.bytesDelta;
            });
          return { items: rows, total: rows.length };
        },
        expandable: () => false,
      },
      'comparison',
      'Compare with an earlier snapshot of the same process to see what was allocated and freed.',
    );
    this.list.setSort('bytesDelta', true);
    this.list.onSort = (key, descending) => {
      this.sort = key;
      this.descending = descending;
      void this.list.reload();
    };
  }

  async show(comparison: Comparison): Promise<void> {
    this.comparison = comparison;
    await this.list.reload();
  }
}
