// Which columns a table hides at a width: the Name column (constructor, edge, @id) is what users read
// and search, so the fixed-width figure columns give way to it, least useful first, until it has
// its share. Pure: the table measures its own width and its header cells once, and applies the
// answer as one attribute on its root (the stylesheet hides the cells), not row by row.

export interface FitColumn {
  id: string;
  /** The column's width in px (fixed by the stylesheet). */
  width: number;
  /** Hidden in increasing order as the table narrows; undefined: never hidden. */
  hideOrder?: number;
}

/** The Name column's share of the table it is given before any column is hidden. */
export const NAME_SHARE = 0.4;
/** Enough for most names with their @id: above this the Name column needs no larger share. */
export const NAME_ENOUGH_PX = 320;

/** The width the Name column needs in a table `tableWidth` px wide. */
export function nameNeeds(tableWidth: number): number {
  return Math.min(NAME_SHARE * tableWidth, NAME_ENOUGH_PX);
}

/**
 * The ids of the columns to hide so that the Name column gets what it needs, in hiding order. A
 * table with no width yet (not laid out) hides nothing.
 */
export function hiddenColumns(columns: FitColumn[], tableWidth: number): string[] {
  if (!(tableWidth > 0)) return [];
  const needed = nameNeeds(tableWidth);
  let others = columns.reduce((sum, c) => sum + c.width, 0);
  const hideable = columns
    .filter((c) => c.hideOrder !== undefined)
    .sort((a, b) => a.hideOrder! - b.hideOrder!);
  const hidden: string[] = [];
  for (const column of hideable) {
    if (tableWidth - others >= needed) break;
    hidden.push(column.id);
    others -= column.width;
  }
  return hidden;
}
