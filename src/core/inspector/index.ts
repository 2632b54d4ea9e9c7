// Reaching a Node process's inspector: addresses, launching, waking by pid, discovery, CDP client.
export {
  connectTo,
  isLoopbackAddress,
  isLoopbackHost,
  listInspectorTargets,
  loopbackWarning,
  parseInspectorAddress,
  resolveInspector,
} from './address';
export type { InspectorAddress, InspectorConnection, JsonListTarget, ResolvedInspector } from './address';
export { openCdpClient } from './cdp';
export type { CdpClient } from './cdp';
export { connectTarget } from './connect';
export type { ConnectOptions, TargetConnection } from './connect';
export { DEFAULT_SCAN_PORTS, listInspectors, listNodeProcesses } from './discovery';
export type { ListeningInspector, NodeProcess } from './discovery';
export { inspectorLaunchPlan, isNodeCommand, launchWithInspector } from './launch';
export type { LaunchedProcess, LaunchOptions } from './launch';
export { wakeInspector } from './pid';
export type { WokenInspector } from './pid';
