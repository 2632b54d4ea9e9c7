// The Kubernetes face of the extension: the pod picker. Attaching itself is the engine's
// (src/core/k8s connectToPod, driven by the session for TargetSpec kind 'k8s').
export { pickPodTarget } from './pickPodTarget';
