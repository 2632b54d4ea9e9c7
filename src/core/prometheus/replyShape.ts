// The `data` of a `status: "success"` reply, checked before anyone reads it: a proxy, an old
// server or a broken exporter can answer success with a body of another shape, which would
// otherwise surface as a TypeError deep in the history code. Each API path has its shape.

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isLabels = (v: unknown): boolean => isObject(v) && Object.values(v).every((x) => typeof x === 'string');
/** [unix seconds, "value"]: Prometheus sends sample values as strings. */
const isSample = (v: unknown): boolean =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string';

function matrixOrVector(data: unknown): string | undefined {
  if (!isObject(data) || typeof data.resultType !== 'string') return 'no resultType';
  const result = data.result;
  switch (data.resultType) {
    case 'matrix':
      if (!Array.isArray(result)) return 'a matrix without a result list';
      for (const series of result) {
        if (!isObject(series) || !isLabels(series.metric)) return 'a series without its labels';
        if (!Array.isArray(series.values) || !series.values.every(isSample))
          return 'a series whose values are not [time, "value"] pairs';
      }
      return undefined;
    case 'vector':
      if (!Array.isArray(result)) return 'a vector without a result list';
      for (const series of result) {
        if (!isObject(series) || !isLabels(series.metric)) return 'a sample without its labels';
        if (!isSample(series.value)) return 'a sample whose value is not a [time, "value"] pair';
      }
      return undefined;
    case 'scalar':
    case 'string':
      return isSample(result) ? undefined : `a ${data.resultType} that is not a [time, "value"] pair`;
    default:
      return `an unknown resultType "${String(data.resultType).slice(0, 40)}"`;
  }
}

/** What is wrong with the `data` of a successful reply to `path`, or undefined when it is well formed. */
export function replyShapeProblem(path: string, data: unknown): string | undefined {
  if (data === undefined || data === null) return 'no data';
  if (/\/label\/[^/]+\/values$/.test(path) || /\/labels$/.test(path))
    return Array.isArray(data) && data.every((v) => typeof v === 'string')
      ? undefined
      : 'not a list of names';
  if (/\/series$/.test(path))
    return Array.isArray(data) && data.every(isLabels) ? undefined : 'not a list of label sets';
  if (/\/query(_range)?$/.test(path)) return matrixOrVector(data);
  return undefined;
}
