// Prometheus history for a container: the public surface used by the CLI and the extension.
export { PromClient, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS } from './client';
export type { PromAuth, PromEndpoint, PromMatrixSeries } from './client';
export { listNamespaces, listPods, listContainers } from './discovery';
export type { PodChoice, TimeRange } from './discovery';
export { fetchHistory, parseContainerSpec, parseTime, parseWindow } from './history';
export type { HistoryOptions } from './history';
export {
  planQueries,
  workloadPattern,
  containerSelector,
  expandTemplate,
  DEFAULT_TEMPLATES,
} from './queries';
export type { SeriesQuery, QueryPlanOptions } from './queries';
export { chooseStep, splitRange, stitch, alignWindow, queryRange, MAX_POINTS_PER_SERIES } from './range';
export { judgeHistory } from './verdict';
export { formatHistoryText } from './format';
export { historyReport } from './report';
export type { PromReportV1 } from './report';
export { scanNamespace, DEFAULT_SCAN_CONCURRENCY, DEFAULT_MAX_POINTS_PER_RESPONSE } from './fleet';
export type { FleetScanOptions } from './fleet';
export { rankContainers, worstVerdict, compareContainers } from './rank';
export { parseLabelSelector } from './selector';
export { requestGate } from './limiter';
export type { RequestGate } from './limiter';
export { fleetReport, formatFleetText, growthLabel, timeToLimitLabel, minutesToLimit } from './fleetReport';
export type { FleetReportV1, FleetContainerReport } from './fleetReport';
export { historyCsv, historyJson } from './historyExport';
