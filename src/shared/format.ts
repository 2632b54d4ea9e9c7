// The one place figures become text, for every face: the CLI, the extension (CodeLens, status bar,
// notifications) and the webview bundle. Pure, so unit-tested without an editor or a browser.
//
// Units are explicit and the same everywhere: bytes in binary multiples with IEC names (KiB, MiB,
// GiB: a "MB" beside a "MiB" for the same figure reads as two figures), rates per minute, durations
// in one rule ("45 min", "3.4 h", "2.1 days").

const IEC_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> "1.5 KiB"; 150 MiB -> "150 MiB"; negative values keep their sign; non-finite -> "–". */
export function formatBytes(bytes: number, digits?: number): string {
  if (!Number.isFinite(bytes)) return '–';
  const negative = bytes < 0;
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < IEC_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const places = digits ?? (unit === 0 || value >= 100 ? 0 : 1);
  return `${negative ? '-' : ''}${value.toFixed(places)} ${IEC_UNITS[unit]}`;
}

/** "+2.1 MiB/min", "-300 KiB/min", "±0 B/min"; non-finite -> "–". */
export function formatRate(bytesPerMinute: number): string {
  if (!Number.isFinite(bytesPerMinute)) return '–';
  const sign = bytesPerMinute > 0 ? '+' : bytesPerMinute < 0 ? '-' : '±';
  return `${sign}${formatBytes(Math.abs(bytesPerMinute))}/min`;
}

/** A duration in minutes: "< 1 min", "45 min", "3.4 h", "2.1 days"; unknown or negative -> "–". */
export function formatMinutes(minutes: number | undefined): string {
  if (minutes === undefined || !Number.isFinite(minutes) || minutes < 0) return '–';
  if (minutes < 1) return '< 1 min';
  if (minutes < 120) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h`;
  return `${(minutes / 1440).toFixed(1)} days`;
}

/** A duration in seconds, by the same rule: "850 ms", "12 s", then as formatMinutes. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  return formatMinutes(seconds / 60);
}

/** 0.873 -> "87 %". */
export function formatConfidence(confidence: number): string {
  if (!Number.isFinite(confidence)) return '–';
  return `${Math.round(Math.min(1, Math.max(0, confidence)) * 100)} %`;
}
