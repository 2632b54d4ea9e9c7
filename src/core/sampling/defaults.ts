// Measured defaults (see docs/recording.md "Defaults" and bench/overhead).
/**
 * Twice V8's own default (32 KiB). Measured (docs/cli-check.md "Overhead"): at 32 KiB the sampler cost
 * an allocation-heavy server 2.4-3.1 % of its throughput, at 64 KiB 1.4 %, and the accuracy corpus
 * (bench/accuracy) still scores 12/12 with every culprit at #1 at 64 KiB.
 */
export const DEFAULT_SAMPLING_INTERVAL_BYTES = 64 * 1024;
export const DEFAULT_PROFILE_INTERVAL_MS = 5000;
export const DEFAULT_METRICS_INTERVAL_MS = 1000;
