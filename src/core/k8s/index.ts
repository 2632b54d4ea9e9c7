// Public surface of the Kubernetes module: attach to a Node process in a pod through the user's own
// kubectl (exec + SIGUSR1 + port-forward), and the listings the pickers show. See docs/k8s.md.
export {
  connectToPod,
  type ConnectOptions,
  type PodConnection,
  type PodConnectionEvent,
  type PodTargetSpec,
} from './connect';
export {
  contextNamespace,
  formatAge,
  getPod,
  listContainers,
  listContexts,
  listNamespaces,
  listPods,
  type ContainerSummary,
  type KubeContext,
  type NamespaceList,
  type PodSummary,
} from './pods';
export { type KubectlOptions, type KubectlTarget } from './kubectl';
export { parsePodRef } from './podRef';
export { parseCgroupMemory, readContainerMemory, type ContainerMemory } from './memoryLimit';
