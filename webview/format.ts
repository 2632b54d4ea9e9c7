// What only the live view needs beyond src/shared/format.ts (axis ticks, short file names). Pure, so
// unit-tested without a browser. Figures themselves are formatted by the shared module.

export { formatBytes, formatConfidence, formatMinutes, formatRate } from '../src/shared/format';

/**
 * Ticks for a byte axis: multiples of 1, 2 or 5 times a power of 1024 (…, 256 KB, 512 KB, 1 MB, …) so
 * the labels are round in the unit they are shown in. Returns the values of the ticks in [min, max].
 */
export function byteTicks(min: number, max: number, maxTicks: number): number[] {
  if (!(max > min) || maxTicks < 1) return [min];
  const span = max - min;
  const raw = span / maxTicks;
  const power = Math.pow(1024, Math.max(0, Math.floor(Math.log(Math.max(raw, 1)) / Math.log(1024))));
  const scaled = raw / power;
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1024];
  const step = (steps.find((s) => s >= scaled) ?? 1024) * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(v);
  return ticks;
}

/** Short file name for a script URL: "file:///a/b/server.js" -> "server.js". */
export function shortFile(url: string): string {
  if (!url) return '(unknown)';
  const clean = url.replace(/[?#].*$/, '');
  const parts = clean.split(/[\\/]/);
  return parts[parts.length - 1] || clean;
}
