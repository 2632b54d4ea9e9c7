// What the engine reads from the target: memory metrics, GC events, allocation sampling profiles.
export { METRICS_EXPRESSION, toMemorySample } from './metrics';
export {
  GC_BINDING_NAME,
  GC_FLUSH_EXPRESSION,
  GC_FLUSH_MS,
  GC_INSTALL_EXPRESSION,
  GC_UNINSTALL_EXPRESSION,
  gcKind,
  parseGcPayload,
} from './gc';
export { flattenProfile, frameKey } from './profile';
export type { SamplingHeapProfile, SamplingHeapProfileNode } from './profile';
export {
  DEFAULT_SAMPLING_INTERVAL_BYTES,
  DEFAULT_PROFILE_INTERVAL_MS,
  DEFAULT_METRICS_INTERVAL_MS,
} from './defaults';
