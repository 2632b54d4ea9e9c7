// The pure part of the Prometheus face (no vscode import, unit-tested): settings validated as they
// are read, custom windows parsed, edited PromQL turned back into a template for every container.
import { containerSelector, parseWindow } from '../../core/prometheus';
import type {
  PromContainerRef,
  PromCustomSeriesSetting,
  PromEndpointSetting,
} from '../../shared/prometheusTypes';

/** Endpoints from the setting; malformed entries are dropped, and any secret-looking field is ignored. */
export function sanitizeEndpoints(raw: unknown): PromEndpointSetting[] {
  if (!Array.isArray(raw)) return [];
  const out: PromEndpointSetting[] = [];
  for (const e of raw as Array<Record<string, unknown>>) {
    if (typeof e !== 'object' || e === null || typeof e.url !== 'string' || typeof e.name !== 'string')
      continue;
    const auth = e.auth === 'bearer' || e.auth === 'basic' ? e.auth : 'none';
    const item: PromEndpointSetting = { name: e.name, url: e.url, auth };
    if (typeof e.user === 'string') item.user = e.user;
    if (Array.isArray(e.headerNames))
      item.headerNames = e.headerNames.filter((h): h is string => typeof h === 'string');
    if (typeof e.verifyTls === 'boolean') item.verifyTls = e.verifyTls;
    if (typeof e.caFile === 'string') item.caFile = e.caFile;
    out.push(item);
  }
  return out;
}

export function sanitizeCustomSeries(raw: unknown): PromCustomSeriesSetting[] {
  if (!Array.isArray(raw)) return [];
  return (raw as Array<Record<string, unknown>>)
    .filter(
      (c) =>
        typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.promql === 'string',
    )
    .map((c) => ({
      name: c.name as string,
      promql: c.promql as string,
      ...(c.unit === 'bytes' || c.unit === 'seconds/second' || c.unit === 'count' ? { unit: c.unit } : {}),
    }));
}

/** A query as edited for one container, saved with `$selector`/`$selector_pod` so it fits every container. */
export function toTemplate(promql: string, ref: PromContainerRef): string {
  return promql
    .split(containerSelector(ref))
    .join('$selector')
    .split(containerSelector(ref, false))
    .join('$selector_pod');
}

/** "3d" or "3d ending 2026-11-20T12:00Z" → Unix seconds; undefined when not understood. */
export function parseCustomWindow(
  text: string,
  nowSeconds: number,
): { start: number; end: number } | undefined {
  const m = /^(\S+)(?:\s+ending\s+(.+))?$/.exec(text.trim());
  if (!m) return undefined;
  let length: number;
  try {
    length = parseWindow(m[1]);
  } catch {
    return undefined;
  }
  const endMs = m[2] ? Date.parse(m[2]) : nowSeconds * 1000;
  if (Number.isNaN(endMs)) return undefined;
  const end = Math.floor(endMs / 1000);
  return { start: end - length, end };
}
