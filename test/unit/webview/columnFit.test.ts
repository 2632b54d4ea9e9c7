import { strict as assert } from 'node:assert';
import { hiddenColumns, nameNeeds, type FitColumn } from '../../../webview/explorer/columnFit';

// The Summary's columns as the stylesheet sizes them (styles.css) and the order views.ts gives.
const SUMMARY: FitColumn[] = [
  { id: 'distance', width: 80, hideOrder: 1 },
  { id: 'count', width: 80, hideOrder: 4 },
  { id: 'shallow', width: 96, hideOrder: 3 },
  { id: 'retained', width: 96 },
  { id: 'percent', width: 72, hideOrder: 2 },
  { id: 'source', width: 150, hideOrder: 5 },
];
const FIXED = SUMMARY.reduce((sum, c) => sum + c.width, 0);

function nameWidth(columns: FitColumn[], width: number): number {
  const hidden = new Set(hiddenColumns(columns, width));
  return width - columns.filter((c) => !hidden.has(c.id)).reduce((sum, c) => sum + c.width, 0);
}

describe('explorer column fit', () => {
  it('hides nothing while the Name column has enough', () => {
    assert.deepEqual(hiddenColumns(SUMMARY, 1200), []);
    assert.deepEqual(hiddenColumns(SUMMARY, FIXED + 320), []);
  });

  it('hides the least useful columns first as the table narrows', () => {
    assert.deepEqual(hiddenColumns(SUMMARY, FIXED + 319), ['distance']);
    assert.deepEqual(hiddenColumns(SUMMARY, 584), ['distance', 'percent', 'shallow']);
    assert.deepEqual(hiddenColumns(SUMMARY, 480), ['distance', 'percent', 'shallow', 'count']);
  });

  it('gives the Name column at least its share down to where only unhideable columns are left', () => {
    for (let width = 300; width <= 1600; width += 7) {
      const name = nameWidth(SUMMARY, width);
      const hidden = hiddenColumns(SUMMARY, width);
      if (hidden.length < 5) assert.ok(name >= nameNeeds(width), `${width} px: name ${name} px`);
      // Never more hidden than needed: showing the last hidden column again would be too much.
      if (hidden.length > 0) {
        const last = SUMMARY.find((c) => c.id === hidden.at(-1))!;
        assert.ok(name - last.width < nameNeeds(width), `${width} px: ${last.id} hidden without need`);
      }
    }
  });

  it('never hides a column without a hiding order', () => {
    assert.deepEqual(hiddenColumns(SUMMARY, 100), ['distance', 'percent', 'shallow', 'count', 'source']);
  });

  it('hides nothing in a table not laid out yet', () => {
    assert.deepEqual(hiddenColumns(SUMMARY, 0), []);
    assert.deepEqual(hiddenColumns(SUMMARY, Number.NaN), []);
  });

  it('needs 40 % of a narrow table and 320 px of a wide one', () => {
    assert.equal(nameNeeds(600), 240);
    assert.equal(nameNeeds(2000), 320);
  });
});
