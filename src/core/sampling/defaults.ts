// Measured defaults (see docs/recording.md "Defaults" and bench/overhead).
/** V8's own default; see docs/cli-check.md for the accuracy/overhead measurement behind it. */
export const DEFAULT_SAMPLING_INTERVAL_BYTES = 32 * 1024;
export const DEFAULT_PROFILE_INTERVAL_MS = 5000;
export const DEFAULT_METRICS_INTERVAL_MS = 1000;
