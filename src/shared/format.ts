// Byte figures as the VS Code face shows them (CodeLens, status bar, live view): binary multiples with
// the short unit names VS Code's own memory readouts use ("1.5 MB"). One implementation for the
// extension host and the webview bundle; pure, so unit-tested without an editor or a browser. (The CLI
// prints IEC names, "MiB", through formatBytes in src/core/leak.)

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 -> "1.5 KB"; negative values keep their sign; non-finite -> "–". */
export function formatBytes(bytes: number, digits?: number): string {
  if (!Number.isFinite(bytes)) return '–';
  const negative = bytes < 0;
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const places = digits ?? (unit === 0 || value >= 100 ? 0 : 1);
  return `${negative ? '-' : ''}${value.toFixed(places)} ${UNITS[unit]}`;
}

/** "+2.1 MB/min", "-300 KB/min", "±0 B/min"; non-finite -> "–". */
export function formatRate(bytesPerMinute: number): string {
  if (!Number.isFinite(bytesPerMinute)) return '–';
  const sign = bytesPerMinute > 0 ? '+' : bytesPerMinute < 0 ? '-' : '±';
  return `${sign}${formatBytes(Math.abs(bytesPerMinute))}/min`;
}
