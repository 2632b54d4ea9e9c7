// A namespace scan as the engine returns it and as it crosses to the faces (CLI JSON, the Containers
// tree, the history view). Plain JSON only; times are Unix seconds.
import type { Verdict } from '../core/types';
import type { PromContainerRef, PromVerdict } from './prometheusTypes';

/** One container of the namespace: a workload's container, its pods joined across restarts. */
export interface FleetContainer {
  namespace: string;
  /** The Deployment/ReplicaSet name read from the pod names, or the pod name when it has no generated suffix. */
  workload: string;
  /** Pod names seen in the window, oldest first. */
  pods: string[];
  container: string;
  /** What to ask for this container's full history (the same join). */
  ref: PromContainerRef;
  verdict: PromVerdict;
  restarts: number;
  oomKills: number;
}

export interface FleetScan {
  /** Base URL (never credentials). */
  endpoint: string;
  namespace: string;
  /** The extra label matchers, as PromQL. */
  selector?: string;
  start: number;
  end: number;
  stepSeconds: number;
  /** Worst first: leaks (soonest at their limit first), then inconclusive, then no leak. */
  containers: FleetContainer[];
  /** The worst verdict of all containers. */
  verdict: Verdict;
  requests: number;
  warnings: string[];
}
