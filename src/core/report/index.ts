// The versioned JSON report of a session (schema 1, docs/report-schema.md).
export { buildReport } from './build';
export type { ReportInput } from './build';
export { isReportV1, validateReport } from './validate';
