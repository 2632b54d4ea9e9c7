// A virtualised tree table: fixed-height rows, only the visible ones in the DOM (a list of 100k rows
// costs the ~50 on screen), children loaded a page at a time when a row is expanded, keyboard
// navigation (arrows, Home/End, PageUp/PageDown, Enter) and sortable column headers. Cells are built
// with textContent only: names come from the snapshot and are never parsed as HTML. In a narrow
// editor the figure columns give way to the Name column (columnFit.ts); each row's tooltip keeps
// every column's value.
import { el } from '../dom';
import { hiddenColumns } from './columnFit';

export interface Column<T> {
  title: string;
  /** CSS class of the column's cells (widths live in the stylesheet). */
  className: string;
  /** Sort key sent to onSort when the header is clicked; no key: not sortable. */
  sort?: string;
  /**
   * Names the column's cells (data-column) so that the table can hide it when narrow. The Name
   * column (the first) has none.
   */
  id?: string;
  /** Hidden in increasing order as the table narrows (columnFit.ts); undefined: never hidden. */
  hideOrder?: number;
  render(item: T, depth: number): string | Node;
}

export interface TreeSource<T> {
  /** A page of the children of `parent` (undefined: the top level) from `offset`. */
  load(parent: T | undefined, offset: number): Promise<{ items: T[]; total: number }>;
  expandable(item: T): boolean;
}

interface Entry<T> {
  item: T;
  depth: number;
  parent: Entry<T> | undefined;
  expanded: boolean;
  children: Array<Entry<T>> | undefined;
  total: number;
  loading: boolean;
}

type FlatRow<T> =
  | { kind: 'item'; entry: Entry<T> }
  | { kind: 'more'; parent: Entry<T> | undefined; shown: number; total: number; depth: number }
  | { kind: 'loading'; depth: number };

/** A row on screen and what it was drawn from: kept while those stay the same. */
interface DrawnRow<T> {
  element: HTMLElement;
  item: T;
  expanded: boolean;
  selected: boolean;
  index: number;
}

export const ROW_HEIGHT = 22;
const OVERSCAN = 8;

export class TreeList<T> {
  readonly element = el('div', 'tree-list');
  private readonly header = el('div', 'tree-header');
  private readonly scroller = el('div', 'tree-scroller');
  private readonly spacer = el('div', 'tree-spacer');
  private readonly rowsHost = el('div', 'tree-rows');
  private readonly empty = el('div', 'tree-empty');
  private roots: Array<Entry<T>> = [];
  private rootTotal = 0;
  private flat: Array<FlatRow<T>> = [];
  private selected = -1;
  private frame = 0;
  /** The item rows in the DOM, by entry (rows of a page, of a "more" or "loading" line are not kept). */
  private drawn = new Map<Entry<T>, DrawnRow<T>>();
  private generation = 0;
  sortKey = '';
  descending = true;
  onSelect: (item: T | undefined) => void = () => {};
  onActivate: (item: T) => void = () => {};
  onSort: (key: string, descending: boolean) => void = () => {};
  onKey: (key: string, item: T) => boolean = () => false;
  /** Whether a column's sort key can be chosen now (a column still being computed cannot). */
  canSort: (key: string) => boolean = () => true;
  /** Widths of the figure columns' header cells, read once each (the stylesheet fixes them). */
  private readonly columnWidths = new Map<string, number>();
  /** The columns hidden to fit the width, and whether the user asked to see them all instead. */
  private hidden: string[] = [];
  private showAll = false;
  private readonly hiddenNote = el('span', 'hidden-columns');

  constructor(
    private readonly columns: Array<Column<T>>,
    private readonly source: TreeSource<T>,
    readonly name: string,
    emptyText = 'Nothing to show.',
  ) {
    this.element.dataset.list = name;
    this.empty.textContent = emptyText;
    this.scroller.tabIndex = 0;
    this.scroller.setAttribute('role', 'treegrid');
    this.scroller.setAttribute('aria-label', name);
    this.scroller.append(this.spacer, this.rowsHost);
    this.element.append(this.header, this.scroller, this.empty);
    this.hiddenNote.tabIndex = 0;
    this.hiddenNote.setAttribute('role', 'button');
    this.hiddenNote.hidden = true;
    const toggleAll = (): void => {
      this.showAll = !this.showAll;
      this.fit();
    };
    this.hiddenNote.addEventListener('click', (e) => {
      e.stopPropagation();
      toggleAll();
    });
    this.hiddenNote.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      e.stopPropagation();
      toggleAll();
    });
    this.renderHeader();
    this.scroller.addEventListener('scroll', () => this.schedule());
    this.scroller.addEventListener('keydown', (e) => this.keydown(e));
    // Drawn at once (in the frame that laid the list out): a list shown again (another tab, the
    // retainers pane) has its rows in that same frame rather than the next.
    new ResizeObserver(() => this.render()).observe(this.scroller);
    // One attribute on the root per width change; the stylesheet hides the cells (no row is touched).
    new ResizeObserver(() => this.fit()).observe(this.element);
  }

  /** Hides the figure columns the width cannot hold next to a readable Name column. */
  private fit(): void {
    const width = this.element.clientWidth;
    if (width === 0) return;
    for (const cell of this.header.children) {
      const id = (cell as HTMLElement).dataset.column;
      const measured = (cell as HTMLElement).offsetWidth;
      if (id && measured > 0 && !this.columnWidths.has(id)) this.columnWidths.set(id, measured);
    }
    const fitted = this.columns.flatMap((c) =>
      c.id ? [{ id: c.id, width: this.columnWidths.get(c.id) ?? 0, hideOrder: c.hideOrder }] : [],
    );
    this.hidden = hiddenColumns(fitted, width);
    const hidden = this.showAll ? '' : this.hidden.join(' ');
    if (this.element.dataset.hidden !== hidden) {
      this.element.dataset.hidden = hidden;
      // Only the header and the rows on screen: rows drawn later are built hidden (renderRow).
      for (const cell of this.element.querySelectorAll<HTMLElement>('.cell[data-column]'))
        cell.classList.toggle('col-hidden', this.isHidden(cell.dataset.column!));
    }
    this.describeHidden();
  }

  /** Whether the width hides column `id` now (the user may have asked to see them all). */
  private isHidden(id: string): boolean {
    return !this.showAll && this.hidden.includes(id);
  }

  /** The header's note: which columns the width hides and where their values are. */
  private describeHidden(): void {
    const note = this.hiddenNote;
    note.hidden = this.hidden.length === 0;
    if (note.hidden) {
      note.textContent = '';
      return;
    }
    const titles = this.hidden.map((id) => {
      const column = this.columns.find((c) => c.id === id);
      return column?.title || id;
    });
    const label = this.showAll
      ? `All columns shown (${titles.join(', ')} do not fit this width): Enter or click to fit the width again.`
      : `Hidden at this width: ${titles.join(', ')}. Their values are in each row's tooltip; Enter or click shows all columns.`;
    note.textContent = this.showAll ? '⇤ fit' : `+${this.hidden.length}`;
    note.title = label;
    note.setAttribute('aria-label', label);
  }

  private renderHeader(): void {
    this.header.replaceChildren(
      ...this.columns.map((c) => {
        const cell = el('div', `cell ${c.className}`, c.title);
        if (c.id) {
          cell.dataset.column = c.id;
          cell.classList.toggle('col-hidden', this.isHidden(c.id));
        } else if (c === this.columns[0]) cell.append(this.hiddenNote);
        if (c.sort && !this.canSort(c.sort)) {
          cell.classList.add('sort-disabled');
          cell.title = 'Computing: sortable once the analysis is done';
          cell.setAttribute('aria-disabled', 'true');
        } else if (c.sort) {
          cell.classList.add('sortable');
          if (c.sort === this.sortKey) cell.classList.add(this.descending ? 'sorted-desc' : 'sorted-asc');
          cell.tabIndex = 0;
          const sort = (): void => {
            const descending = c.sort === this.sortKey ? !this.descending : c.sort !== 'name';
            this.sortKey = c.sort!;
            this.descending = descending;
            this.renderHeader();
            this.onSort(this.sortKey, descending);
          };
          cell.addEventListener('click', sort);
          cell.addEventListener('keydown', (e) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              sort();
            }
          });
        }
        return cell;
      }),
    );
  }

  /** Draws the header again (after canSort changed). */
  refreshHeader(): void {
    this.renderHeader();
  }

  setSort(key: string, descending: boolean): void {
    this.sortKey = key;
    this.descending = descending;
    this.renderHeader();
  }

  /** Loads the top level again (a new sort, a new filter, another object). */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    this.roots = [];
    this.rootTotal = 0;
    this.selected = -1;
    this.flatten();
    this.flat = [{ kind: 'loading', depth: 0 }];
    this.schedule();
    const page = await this.source.load(undefined, 0);
    if (generation !== this.generation) return;
    this.roots = page.items.map((item) => this.entry(item, 0, undefined));
    this.rootTotal = page.total;
    this.scroller.scrollTop = 0;
    this.flatten();
    this.onSelect(undefined);
  }

  private entry(item: T, depth: number, parent: Entry<T> | undefined): Entry<T> {
    return { item, depth, parent, expanded: false, children: undefined, total: 0, loading: false };
  }

  get rowCount(): number {
    return this.flat.length;
  }

  /** Items of the top level loaded so far. */
  get topItems(): T[] {
    return this.roots.map((r) => r.item);
  }

  private flatten(): void {
    const flat: Array<FlatRow<T>> = [];
    const walk = (
      entries: Array<Entry<T>>,
      parent: Entry<T> | undefined,
      total: number,
      depth: number,
    ): void => {
      for (const entry of entries) {
        flat.push({ kind: 'item', entry });
        if (entry.expanded) {
          if (entry.children) walk(entry.children, entry, entry.total, depth + 1);
          if (entry.loading) flat.push({ kind: 'loading', depth: depth + 1 });
        }
      }
      if (entries.length < total) flat.push({ kind: 'more', parent, shown: entries.length, total, depth });
    };
    walk(this.roots, undefined, this.rootTotal, 0);
    this.flat = flat;
    this.spacer.style.height = `${flat.length * ROW_HEIGHT}px`;
    this.empty.hidden = flat.length > 0;
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /**
   * Renders the rows in view now (tests and the bench read the DOM right after). A row whose item,
   * state and selection are unchanged keeps its element (moved if its index changed): selecting a
   * row redraws two rows, a page loaded below the view none, so the page's style and layout work
   * stays with what changed.
   */
  render(): void {
    // Drawn now: the frame already asked for would draw the same rows again.
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    // A list not on screen (another tab, a hidden pane) has no height: it is drawn when shown (the
    // ResizeObserver), not now.
    const height = this.scroller.clientHeight;
    if (height === 0 && this.scroller.clientWidth === 0) return;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(
      this.flat.length,
      Math.ceil((this.scroller.scrollTop + height) / ROW_HEIGHT) + OVERSCAN,
    );
    const drawn = new Map<Entry<T>, DrawnRow<T>>();
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const row = this.flat[i];
      if (row.kind !== 'item') {
        rows.push(this.renderRow(i));
        continue;
      }
      const { entry } = row;
      const selected = i === this.selected;
      let kept = this.drawn.get(entry);
      if (!kept || kept.item !== entry.item || kept.expanded !== entry.expanded || kept.selected !== selected)
        kept = { element: this.renderRow(i), item: entry.item, expanded: entry.expanded, selected, index: i };
      else if (kept.index !== i) {
        kept.index = i;
        this.place(kept.element, i);
      }
      drawn.set(entry, kept);
      rows.push(kept.element);
    }
    this.drawn = drawn;
    this.placeRows(rows);
  }

  /** Makes the rows host hold exactly `rows`, in order, moving and inserting as little as it can. */
  private placeRows(rows: HTMLElement[]): void {
    const host = this.rowsHost;
    const wanted = new Set(rows);
    for (const child of [...host.children]) if (!wanted.has(child as HTMLElement)) child.remove();
    let next = host.firstElementChild;
    for (const row of rows) {
      if (row === next) next = next.nextElementSibling;
      else host.insertBefore(row, next);
    }
  }

  private place(element: HTMLElement, index: number): void {
    element.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    element.dataset.index = String(index);
  }

  private renderRow(index: number): HTMLElement {
    const row = this.flat[index];
    const element = el('div', 'tree-row');
    this.place(element, index);
    element.setAttribute('role', 'row');
    if (row.kind === 'loading') {
      element.classList.add('loading');
      element.append(this.indent(row.depth), el('span', 'muted', 'Loading…'));
      return element;
    }
    if (row.kind === 'more') {
      element.classList.add('more');
      const remaining = row.total - row.shown;
      const link = el(
        'a',
        'more-link',
        `Show ${Math.min(100, remaining).toLocaleString('en-US')} more (${row.shown.toLocaleString('en-US')} of ${row.total.toLocaleString('en-US')} shown)`,
      );
      link.href = '#';
      link.addEventListener('click', (e) => {
        e.preventDefault();
        void this.loadMore(row.parent);
      });
      element.append(this.indent(row.depth), link);
      if (index === this.selected) element.classList.add('selected');
      return element;
    }
    const { entry } = row;
    const expandable = this.source.expandable(entry.item);
    element.setAttribute('aria-level', String(entry.depth + 1));
    if (expandable) element.setAttribute('aria-expanded', String(entry.expanded));
    if (index === this.selected) {
      element.classList.add('selected');
      element.setAttribute('aria-selected', 'true');
    }
    const tooltip: string[] = [];
    this.columns.forEach((column, c) => {
      const cell = el('div', `cell ${column.className}`);
      if (column.id) {
        cell.dataset.column = column.id;
        if (this.isHidden(column.id)) cell.classList.add('col-hidden');
      }
      if (c === 0) {
        cell.append(this.indent(entry.depth));
        const twisty = el('span', `twisty${expandable ? (entry.expanded ? ' open' : ' closed') : ''}`);
        twisty.addEventListener('click', (e) => {
          e.stopPropagation();
          if (expandable) void this.toggle(entry);
        });
        cell.append(twisty);
      }
      const content = column.render(entry.item, entry.depth);
      // The name shrinks with an ellipsis inside its cell (styles.css); a string gets a box for it.
      cell.append(
        typeof content === 'string' ? (c === 0 ? el('span', 'label-text', content) : content) : content,
      );
      element.append(cell);
      const text = (typeof content === 'string' ? content : (content.textContent ?? '')).trim();
      if (text && c === 0) tooltip.push(text);
      else if (text && column.title) tooltip.push(`${column.title}: ${text}`);
    });
    // The whole row in its tooltip: the full name and the columns the width may hide.
    element.title = tooltip.join('\n');
    // The row may move (rows above it opened or closed): its index is read when clicked.
    element.addEventListener('click', () => this.select(Number(element.dataset.index)));
    element.addEventListener('dblclick', () => {
      if (expandable) void this.toggle(entry);
      else this.onActivate(entry.item);
    });
    return element;
  }

  private indent(depth: number): HTMLElement {
    const span = el('span', 'indent');
    span.style.width = `${depth * 14}px`;
    return span;
  }

  /** Selects a row; `notify` false for selections the code makes (opening a path, a focus). */
  select(index: number, notify = true): void {
    if (index < 0 || index >= this.flat.length) return;
    this.selected = index;
    const row = this.flat[index];
    // Keep the selected row in view.
    const top = index * ROW_HEIGHT;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_HEIGHT > this.scroller.scrollTop + this.scroller.clientHeight)
      this.scroller.scrollTop = top + ROW_HEIGHT - this.scroller.clientHeight;
    this.render();
    if (notify) this.onSelect(row.kind === 'item' ? row.entry.item : undefined);
  }

  get selectedItem(): T | undefined {
    const row = this.flat[this.selected];
    return row?.kind === 'item' ? row.entry.item : undefined;
  }

  focus(): void {
    this.scroller.focus();
  }

  async toggle(entry: Entry<T>): Promise<void> {
    if (entry.expanded) {
      entry.expanded = false;
      this.flatten();
      return;
    }
    await this.expand(entry);
  }

  private async expand(entry: Entry<T>): Promise<void> {
    entry.expanded = true;
    if (entry.children) {
      this.flatten();
      return;
    }
    entry.loading = true;
    this.flatten();
    const generation = this.generation;
    try {
      const page = await this.source.load(entry.item, 0);
      if (generation !== this.generation) return;
      entry.children = page.items.map((item) => this.entry(item, entry.depth + 1, entry));
      entry.total = page.total;
    } finally {
      entry.loading = false;
      this.flatten();
    }
  }

  private async loadMore(parent: Entry<T> | undefined): Promise<void> {
    const shown = parent ? (parent.children?.length ?? 0) : this.roots.length;
    const generation = this.generation;
    const page = await this.source.load(parent?.item, shown);
    if (generation !== this.generation) return;
    const entries = page.items.map((item) => this.entry(item, parent ? parent.depth + 1 : 0, parent));
    if (parent) {
      parent.children = [...(parent.children ?? []), ...entries];
      parent.total = page.total;
    } else {
      this.roots = [...this.roots, ...entries];
      this.rootTotal = page.total;
    }
    this.flatten();
  }

  /**
   * Shows a top level and, below it, the rows whose items match each step opened with children
   * already loaded (one answer from the host rather than a round trip per level); the last row
   * found is selected. A step without children is found and selected, not opened.
   */
  showLoaded(
    top: { items: T[]; total: number },
    steps: Array<{ match: (item: T) => boolean; children: { items: T[]; total: number } | null }>,
  ): void {
    ++this.generation;
    this.roots = top.items.map((item) => this.entry(item, 0, undefined));
    this.rootTotal = top.total;
    this.selected = -1;
    this.scroller.scrollTop = 0;
    let level = this.roots;
    let last: Entry<T> | undefined;
    for (const step of steps) {
      const entry = level.find((e) => step.match(e.item));
      if (!entry) break;
      last = entry;
      if (!step.children || !this.source.expandable(entry.item)) break;
      entry.expanded = true;
      entry.children = step.children.items.map((item) => this.entry(item, entry.depth + 1, entry));
      entry.total = step.children.total;
      level = entry.children;
    }
    this.flatten();
    this.onSelect(undefined);
    if (last)
      this.select(
        this.flat.findIndex((r) => r.kind === 'item' && r.entry === last),
        false,
      );
  }

  /** Selects the first top-level row whose item matches and expands it. */
  async expandWhere(match: (item: T) => boolean): Promise<boolean> {
    const entry = this.roots.find((e) => match(e.item));
    if (!entry) return false;
    if (!entry.expanded) await this.expand(entry);
    this.select(
      this.flat.findIndex((r) => r.kind === 'item' && r.entry === entry),
      false,
    );
    return true;
  }

  /** Selects (and reports) the first child of the first top-level row whose item matches. */
  selectFirstChild(match: (item: T) => boolean): void {
    this.selectChild(match, () => true);
  }

  /** Selects (and reports) a loaded child of the first matching top-level row; false if none is. */
  selectChild(parent: (item: T) => boolean, child: (item: T) => boolean): boolean {
    const entry = this.roots.find((e) => parent(e.item))?.children?.find((e) => child(e.item));
    if (!entry) return false;
    this.select(this.flat.findIndex((r) => r.kind === 'item' && r.entry === entry));
    return true;
  }

  /** Replaces the item shown in a row (a retainer whose ignored flag changed). */
  refreshItems(update: (item: T) => T): void {
    const walk = (entries: Array<Entry<T>>): void => {
      for (const e of entries) {
        e.item = update(e.item);
        if (e.children) walk(e.children);
      }
    };
    walk(this.roots);
    this.render();
  }

  private keydown(e: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.scroller.clientHeight / ROW_HEIGHT) - 1);
    const row = this.flat[this.selected];
    const entry = row?.kind === 'item' ? row.entry : undefined;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        this.select(Math.min(this.flat.length - 1, this.selected + 1));
        break;
      case 'ArrowUp':
        this.select(Math.max(0, this.selected - 1));
        break;
      case 'PageDown':
        this.select(Math.min(this.flat.length - 1, this.selected + page));
        break;
      case 'PageUp':
        this.select(Math.max(0, this.selected - page));
        break;
      case 'Home':
        this.select(0);
        break;
      case 'End':
        this.select(this.flat.length - 1);
        break;
      case 'ArrowRight':
        if (entry && this.source.expandable(entry.item) && !entry.expanded) void this.expand(entry);
        else if (entry?.expanded) this.select(this.selected + 1);
        break;
      case 'ArrowLeft':
        if (entry?.expanded) void this.toggle(entry);
        else if (entry?.parent)
          this.select(this.flat.findIndex((r) => r.kind === 'item' && r.entry === entry.parent));
        break;
      case 'Enter':
        if (row?.kind === 'more') void this.loadMore(row.parent);
        else if (entry) this.onActivate(entry.item);
        break;
      default:
        handled = entry ? this.onKey(e.key, entry.item) : false;
    }
    if (handled) e.preventDefault();
  }
}
