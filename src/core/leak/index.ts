// The leak module's public surface, called by the session (src/core/session) and the faces. The
// methods live in small modules next to this file; see docs/leak-method.md for how and why.
export { analyzeTrend, analyzeTrendDetail, DEFAULT_THRESHOLDS, formatBytes } from './trend';
export { DEFAULT_HORIZON_MINUTES, horizonRateBytesPerMinute, parseHorizonMinutes } from './horizon';
export type { TrendInput, TrendThresholds, SeriesTrend } from './trend';
export { DEFAULT_LIVE_OPTIONS, gateVerdict, LiveVerdict } from './liveVerdict';
export { combineIsolateVerdicts, ProcessVerdictHistory } from './processVerdict';
export type { IsolateVerdict } from './processVerdict';
export { combineTreeVerdicts } from './treeVerdict';
export type { TreeMemberVerdict } from './treeVerdict';
export type { GatedVerdict, LiveVerdictOptions } from './liveVerdict';
export { rankSuspects } from './suspects';
export { attributeOffHeap } from './offHeapAttribution';
export type { OffHeapFloor } from './offHeapAttribution';
export type { SuspectOptions } from './suspects';
export { LocationResolver } from './locations';
export type { ScriptSourceProvider } from './locations';
export { attributeHolders, carryHolders, mergeHolders, wantsHolders } from './holders';
export type { HolderContext } from './holders';
export { foldStack, frameOrigin } from './frames';
