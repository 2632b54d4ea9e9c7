// "Attach to a Kubernetes pod…": context (current preselected) -> namespace -> pod (status, age) ->
// container, each step a quick pick that opens at once and shows a busy bar while kubectl answers.
// Errors are shown with their message (it says what to do); cancelling at any step returns undefined.
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { listContexts, listNamespaces, listPods, type PodSummary, type PodTargetSpec } from '../../core/k8s';
import { isNamespaceName } from '../../core/k8s/podRef';
import { containerItems, contextItems, podItems, type Pick } from './pickItems';

const TOTAL_STEPS = 4;

export async function pickPodTarget(
  options: { kubeconfig?: string } = {},
): Promise<PodTargetSpec | undefined> {
  const kubeconfig = options.kubeconfig;
  try {
    const context = await pickStep<string>('Kubernetes context', 1, async () => {
      const contexts = await listContexts({ kubeconfig });
      return contextItems(contexts);
    });
    if (context === undefined) return undefined;

    let restrictedNote: string | undefined;
    const namespace = await pickStep<string>(
      'Namespace',
      2,
      async () => {
        const list = await listNamespaces({ context, kubeconfig });
        restrictedNote = list.restricted;
        return {
          items: list.names.map((n) => ({ label: n, value: n })),
          active: list.defaultNamespace,
          placeholder: list.restricted
            ? "You may not list namespaces: type one, or pick the context's own"
            : 'Pick a namespace (or type one)',
        };
      },
      { allowTyped: true },
    );
    if (namespace === undefined) return undefined;
    if (restrictedNote)
      void vscode.window.setStatusBarMessage('Heapscope: namespaces could not be listed (RBAC)', 5000);

    const pod = await pickStep<PodSummary>('Pod', 3, async () => {
      const pods = await listPods({ namespace, context, kubeconfig });
      if (pods.length === 0) throw new Error(`No pods in namespace "${namespace}" (context "${context}").`);
      return { items: podItems(pods) };
    });
    if (pod === undefined) return undefined;

    let container: string | undefined;
    if (pod.containers.length > 1) {
      container = await pickStep<string>('Container', 4, async () => containerItems(pod));
      if (container === undefined) return undefined;
    } else {
      container = pod.containers[0]?.name;
    }
    return { namespace, pod: pod.name, container, context, kubeconfig };
  } catch (error) {
    void vscode.window.showErrorMessage(`Heapscope: ${describeError(error)}`);
    return undefined;
  }
}

/**
 * One step: the quick pick shows at once (busy) and fills when `load` resolves. A load error closes it
 * and is rethrown to the caller, which shows it.
 */
function pickStep<T>(
  title: string,
  step: number,
  load: () => Promise<{ items: Array<Pick<T>>; active?: string; placeholder?: string }>,
  options: { allowTyped?: boolean } = {},
): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve, reject) => {
    const quickPick = vscode.window.createQuickPick<Pick<T>>();
    quickPick.title = `Heapscope: attach to a Kubernetes pod — ${title}`;
    quickPick.step = step;
    quickPick.totalSteps = TOTAL_STEPS;
    quickPick.busy = true;
    quickPick.enabled = false;
    quickPick.placeholder = 'Asking kubectl…';
    quickPick.matchOnDescription = true;
    quickPick.ignoreFocusOut = true;
    let settled = false;
    const finish = (value: T | undefined, error?: unknown) => {
      if (settled) return;
      settled = true;
      quickPick.dispose();
      if (error !== undefined) reject(error);
      else resolve(value);
    };
    quickPick.onDidAccept(() => {
      const chosen = quickPick.selectedItems[0] ?? quickPick.activeItems[0];
      if (chosen) return finish(chosen.value);
      const typed = quickPick.value.trim();
      if (options.allowTyped && isNamespaceName(typed)) finish(typed as unknown as T);
    });
    quickPick.onDidHide(() => finish(undefined));
    quickPick.show();
    load().then(
      ({ items, active, placeholder }) => {
        if (settled) return;
        quickPick.items = items;
        const preselected = items.find((i) => i.label === active || i.value === (active as unknown));
        if (preselected) quickPick.activeItems = [preselected];
        quickPick.placeholder = placeholder ?? `Pick a ${title.toLowerCase()}`;
        quickPick.busy = false;
        quickPick.enabled = true;
      },
      (error: unknown) => finish(undefined, error),
    );
  });
}
