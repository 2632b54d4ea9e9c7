// What each step of the pod picker lists, as plain quick-pick items (no `vscode` at run time, so the
// wording is unit-tested): contexts with the current one marked, pods with status and age, containers.
import type { QuickPickItem } from 'vscode';
import type { KubeContext, PodSummary } from '../../core/k8s';

export type Pick<T> = QuickPickItem & { value: T };

export function contextItems(contexts: KubeContext[]): { items: Array<Pick<string>>; active?: string } {
  return {
    items: contexts.map((c) => ({
      label: c.name,
      description: c.current ? 'current' : undefined,
      value: c.name,
    })),
    active: contexts.find((c) => c.current)?.name,
  };
}

export function podItems(pods: PodSummary[]): Array<Pick<PodSummary>> {
  return pods.map((p) => ({
    label: `${p.phase === 'Running' && p.status === 'Running' ? '$(vm-running)' : '$(warning)'} ${p.name}`,
    description: `${p.status} · ${p.age}`,
    detail: `ready ${p.ready} · restarts ${p.restarts} · containers: ${p.containers.map((c) => c.name).join(', ')}`,
    value: p,
  }));
}

export function containerItems(pod: PodSummary): { items: Array<Pick<string>>; active?: string } {
  return {
    items: pod.containers.map((c) => ({
      label: c.name,
      description: c.running ? c.image : `${c.reason ?? 'not running'} · ${c.image}`,
      value: c.name,
    })),
    active: pod.defaultContainer,
  };
}
