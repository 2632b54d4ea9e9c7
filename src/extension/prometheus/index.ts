// The Prometheus face of the extension: endpoints, the container picker built from the server's
// labels, the window, the history view (historyPanel.ts), the namespace scan and its Containers tree
// (containersView.ts), PromQL editing saved as custom series. Every failure is a message; nothing
// here can stop or break a live session.
import * as vscode from 'vscode';
import { describeError, isHeapscopeError } from '../../core/errors';
import {
  PromClient,
  fetchHistory,
  formatHistoryText,
  listContainers,
  listNamespaces,
  listPods,
  parseLabelSelector,
  parseWindow,
  scanNamespace,
  workloadPattern,
  type PodChoice,
} from '../../core/prometheus';
import type { FleetContainer } from '../../shared/fleetTypes';
import type { HistoryLiveFigures } from '../../shared/historyProtocol';
import type {
  PromContainerRef,
  PromCustomSeriesSetting,
  PromEndpointSetting,
  PromHistory,
} from '../../shared/prometheusTypes';
import { CONTAINERS_COMMANDS, ContainersTree } from './containersView';
import { HistoryPanel } from './historyPanel';
import { parseCustomWindow, sanitizeCustomSeries, toTemplate } from './model';
import { addEndpointFlow, deleteSecrets, readEndpoints, resolveEndpoint, writeEndpoints } from './endpoints';

export interface PrometheusDeps {
  /** "namespace/pod[/container]" of the current k8s session, to preselect it. */
  currentPod?(): string | undefined;
  /** Points the chart can draw (its width); default 1200. */
  chartWidthPoints?(): number;
  /** The live session on the same container, if one runs. */
  live(ref: PromContainerRef): HistoryLiveFigures | null;
  /** Fires when any live session changes. */
  onLiveChange: vscode.Event<unknown>;
}

export const PROMETHEUS_COMMANDS = {
  addEndpoint: 'heapscope.prometheus.addEndpoint',
  removeEndpoint: 'heapscope.prometheus.removeEndpoint',
  showHistory: 'heapscope.prometheus.showHistory',
  editQuery: 'heapscope.prometheus.editQuery',
} as const;

interface Selection {
  endpoint: PromEndpointSetting;
  ref: PromContainerRef;
  start: number;
  end: number;
}

const WINDOWS = [
  { label: 'Last 1 hour', value: '1h' },
  { label: 'Last 6 hours', value: '6h' },
  { label: 'Last 24 hours', value: '24h' },
  { label: 'Last 7 days', value: '7d' },
  { label: 'Last 30 days', value: '30d' },
  { label: 'Custom…', value: 'custom' },
];

function customSeries(): PromCustomSeriesSetting[] {
  return sanitizeCustomSeries(
    vscode.workspace.getConfiguration('heapscope.prometheus').get<unknown>('customSeries', []),
  );
}

/** A quick pick that opens at once with a busy bar while the server answers. */
async function pickFrom<T>(
  title: string,
  load: () => Promise<{ items: Array<vscode.QuickPickItem & { value: T }>; active?: (v: T) => boolean }>,
): Promise<T | undefined> {
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { value: T }>();
  qp.title = title;
  qp.busy = true;
  qp.ignoreFocusOut = true;
  qp.show();
  try {
    const result = new Promise<T | undefined>((resolve) => {
      qp.onDidAccept(() => resolve(qp.selectedItems[0]?.value));
      qp.onDidHide(() => resolve(undefined));
    });
    const loaded = await load();
    qp.items = loaded.items;
    const active = loaded.active ? loaded.items.find((i) => loaded.active!(i.value)) : undefined;
    if (active) qp.activeItems = [active];
    qp.busy = false;
    return await result;
  } finally {
    qp.dispose();
  }
}

async function pickWindow(): Promise<{ start: number; end: number } | undefined> {
  const pick = await vscode.window.showQuickPick(WINDOWS, {
    title: 'Prometheus history: window',
    ignoreFocusOut: true,
  });
  if (!pick) return undefined;
  const now = Math.floor(Date.now() / 1000);
  if (pick.value !== 'custom') return { start: now - parseWindow(pick.value), end: now };
  const text = await vscode.window.showInputBox({
    title: 'Custom window',
    prompt: 'A length (e.g. 3d, 12h), optionally "ending <date>" (e.g. "3d ending 2026-11-20T12:00Z")',
    ignoreFocusOut: true,
    validateInput: (v) =>
      parseCustomWindow(v, now) ? undefined : 'e.g. 3d, 12h, or 3d ending 2026-11-20T12:00Z',
  });
  return text ? parseCustomWindow(text, now) : undefined;
}

async function pickEndpoint(context: vscode.ExtensionContext): Promise<PromEndpointSetting | undefined> {
  const list = readEndpoints();
  if (list.length === 1) return list[0];
  if (list.length === 0) {
    const add = await vscode.window.showInformationMessage(
      'No Prometheus endpoint yet.',
      'Add Prometheus endpoint…',
    );
    return add ? addEndpointFlow(context.secrets) : undefined;
  }
  const pick = await vscode.window.showQuickPick(
    list.map((e) => ({
      label: e.name,
      description: e.url,
      detail: e.auth === 'none' ? undefined : `${e.auth} auth`,
      value: e,
    })),
    { title: 'Prometheus endpoint', ignoreFocusOut: true },
  );
  return pick?.value;
}

async function pickContainer(
  client: PromClient,
  range: { start: number; end: number },
  preselect: string | undefined,
): Promise<PromContainerRef | undefined> {
  const [preNs, prePod, preContainer] = (preselect ?? '').split('/');
  const namespace = await pickFrom<string>('Prometheus history: namespace', async () => {
    const names = await listNamespaces(client, range);
    if (names.length === 0)
      throw new Error(
        'The server has no container metrics (container_memory_working_set_bytes or kube_pod_container_info) in this window.',
      );
    return { items: names.map((n) => ({ label: n, value: n })), active: (v) => v === preNs };
  });
  if (!namespace) return undefined;
  const preWorkload = prePod ? workloadPattern(prePod)?.workload : undefined;
  const pod = await pickFrom<PodChoice>('Prometheus history: pod or workload', async () => {
    const choices = await listPods(client, namespace, range);
    return {
      items: choices.map((c) => ({
        label: c.kind === 'workload' ? `$(layers) ${c.name}` : `$(vm) ${c.name}`,
        description:
          c.kind === 'workload'
            ? `workload: ${c.pods?.length} pods joined`
            : c.pattern
              ? 'pod (joined with its workload)'
              : 'pod',
        detail: c.kind === 'workload' ? c.pods?.join(', ') : undefined,
        value: c,
      })),
      // The pod of the live k8s session; its workload entry when that exists (it carries the history across restarts).
      active: (v) =>
        v.kind === 'workload'
          ? v.name === preWorkload
          : v.name === prePod && !choices.some((c) => c.kind === 'workload' && c.name === preWorkload),
    };
  });
  if (!pod) return undefined;
  const containers = await listContainers(client, namespace, { name: pod.name, pattern: pod.pattern }, range);
  let container: string | undefined = containers.length === 1 ? containers[0] : undefined;
  if (!container) {
    container = await pickFrom<string>('Prometheus history: container', async () => ({
      items: (containers.length ? containers : []).map((c) => ({ label: c, value: c })),
      active: (v) => v === preContainer,
    }));
  }
  if (!container) return undefined;
  return pod.pattern
    ? { namespace, pod: pod.name, container, podPattern: pod.pattern }
    : { namespace, pod: pod.name, container };
}

export function registerPrometheus(context: vscode.ExtensionContext, deps: PrometheusDeps): void {
  const output = vscode.window.createOutputChannel('Heapscope: Prometheus');
  context.subscriptions.push(output);
  let last: { selection: Selection; history: PromHistory } | undefined;

  const showError = (error: unknown) => {
    const prefix = isHeapscopeError(error, 'cancelled') ? undefined : 'Heapscope (Prometheus): ';
    if (prefix) void vscode.window.showErrorMessage(prefix + describeError(error));
  };

  const fetchFor = async (
    endpointSetting: PromEndpointSetting,
    request: { ref: PromContainerRef; start: number; end: number },
    signal: AbortSignal,
  ): Promise<PromHistory> => {
    const endpoint = await resolveEndpoint(context.secrets, endpointSetting);
    if (endpoint.verifyTls === false)
      void vscode.window.showWarningMessage(
        `Heapscope: TLS verification is off for ${endpointSetting.name}.`,
      );
    const client = new PromClient(endpoint);
    return vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Prometheus history of ${request.ref.namespace}/${request.ref.pod}/${request.ref.container}`,
        cancellable: true,
      },
      async (_progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        signal.addEventListener('abort', () => abort.abort(), { once: true });
        return fetchHistory(client, request.ref, {
          start: request.start,
          end: request.end,
          widthPoints: deps.chartWidthPoints?.() ?? 1200,
          custom: customSeries(),
          signal: abort.signal,
        });
      },
    );
  };

  // Which endpoint the panel's request belongs to (the panel knows containers, not endpoints).
  let panelEndpoint: PromEndpointSetting | undefined;
  const panel = new HistoryPanel(context, {
    load: (request, signal) => fetchFor(panelEndpoint!, request, signal),
    live: (ref) => deps.live(ref),
    onLiveChange: deps.onLiveChange,
    pickAnother: () => void vscode.commands.executeCommand(PROMETHEUS_COMMANDS.showHistory),
    attach: (ref, pod) =>
      void vscode.commands.executeCommand('heapscope.startSession', {
        kind: 'k8s',
        namespace: ref.namespace,
        pod,
        container: ref.container,
      }),
  });
  const tree = new ContainersTree();
  let scanEndpoint: PromEndpointSetting | undefined;
  context.subscriptions.push(panel, tree);

  const load = async (selection: Selection, pods?: string[]): Promise<void> => {
    panelEndpoint = selection.endpoint;
    const history = await panel.open({
      ref: selection.ref,
      start: selection.start,
      end: selection.end,
      pods,
    });
    if (!history) return;
    last = { selection, history };
    output.appendLine(formatHistoryText(history));
    output.appendLine('');
  };

  const pickNamespace = async (client: PromClient, range: { start: number; end: number }) =>
    pickFrom<string>('Heapscope: namespace to scan', async () => {
      const names = await listNamespaces(client, range);
      if (names.length === 0)
        throw new Error(
          'The server has no container metrics (container_memory_working_set_bytes) in this window.',
        );
      const pre = deps.currentPod?.()?.split('/')[0];
      return { items: names.map((n) => ({ label: n, value: n })), active: (v) => v === pre };
    });

  const runScan = async (
    endpointSetting: PromEndpointSetting,
    namespace: string,
    range: { start: number; end: number },
    selector: string | undefined,
  ) => {
    const client = new PromClient(await resolveEndpoint(context.secrets, endpointSetting));
    const scan = await vscode.window.withProgress(
      {
        location: { viewId: 'heapscope.containers' },
        title: `Scanning ${namespace}`,
        cancellable: true,
      },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let reported = 0;
        return scanNamespace(client, {
          namespace,
          selector,
          start: range.start,
          end: range.end,
          signal: abort.signal,
          onProgress: ({ done, total }) => {
            const percent = total ? Math.floor((done / total) * 100) : 0;
            progress.report({ increment: percent - reported, message: `${done}/${total} queries` });
            reported = percent;
          },
        });
      },
    );
    scanEndpoint = endpointSetting;
    tree.set(scan);
    output.appendLine(
      `scan of ${namespace}: ${scan.containers.length} containers, ${scan.containers.filter((c) => c.verdict.verdict === 'leak').length} leaking, ${scan.requests} requests`,
    );
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('heapscope.prometheus.addEndpoint', async () => {
      try {
        const added = await addEndpointFlow(context.secrets);
        if (added)
          void vscode.window.showInformationMessage(`Heapscope: Prometheus endpoint "${added.name}" added.`);
      } catch (error) {
        showError(error);
      }
    }),
    vscode.commands.registerCommand('heapscope.prometheus.removeEndpoint', async () => {
      const list = readEndpoints();
      const pick = await vscode.window.showQuickPick(
        list.map((e) => ({ label: e.name, description: e.url, value: e })),
        { title: 'Remove Prometheus endpoint' },
      );
      if (!pick) return;
      await deleteSecrets(context.secrets, pick.value);
      await writeEndpoints(list.filter((e) => e.name !== pick.value.name));
    }),
    vscode.commands.registerCommand('heapscope.prometheus.showHistory', async (arg?: { pod?: string }) => {
      try {
        const endpointSetting = await pickEndpoint(context);
        if (!endpointSetting) return;
        const range = await pickWindow();
        if (!range) return;
        const client = new PromClient(await resolveEndpoint(context.secrets, endpointSetting));
        const ref = await pickContainer(client, range, arg?.pod ?? deps.currentPod?.());
        if (!ref) return;
        await load({ endpoint: endpointSetting, ref, ...range });
      } catch (error) {
        showError(error);
      }
    }),
    vscode.commands.registerCommand('heapscope.containers.scan', async () => {
      try {
        const endpointSetting = await pickEndpoint(context);
        if (!endpointSetting) return;
        const range = await pickWindow();
        if (!range) return;
        const client = new PromClient(await resolveEndpoint(context.secrets, endpointSetting));
        const namespace = await pickNamespace(client, range);
        if (!namespace) return;
        await vscode.commands.executeCommand('heapscope.containers.focus');
        const selector = await vscode.window.showInputBox({
          title: `Scan ${namespace}: label matchers (optional)`,
          prompt:
            'Only containers matching these, e.g. container="app", pod=~"api-.*". Empty: every container.',
          ignoreFocusOut: true,
          validateInput: (v) => {
            try {
              parseLabelSelector(v);
              return undefined;
            } catch (error) {
              return describeError(error);
            }
          },
        });
        if (selector === undefined) return;
        await runScan(endpointSetting, namespace, range, selector.trim() || undefined);
      } catch (error) {
        showError(error);
      }
    }),
    vscode.commands.registerCommand('heapscope.containers.refresh', async () => {
      const scan = tree.current;
      if (!scan || !scanEndpoint) return vscode.commands.executeCommand(CONTAINERS_COMMANDS.scan);
      try {
        const now = Math.floor(Date.now() / 1000);
        await runScan(
          scanEndpoint,
          scan.namespace,
          { start: now - (scan.end - scan.start), end: now },
          scan.selector,
        );
      } catch (error) {
        showError(error);
      }
    }),
    vscode.commands.registerCommand('heapscope.containers.openHistory', async (c?: FleetContainer) => {
      const scan = tree.current;
      if (!c || !scan || !scanEndpoint) return;
      try {
        await load({ endpoint: scanEndpoint, ref: c.ref, start: scan.start, end: scan.end }, c.pods);
      } catch (error) {
        showError(error);
      }
    }),
    vscode.commands.registerCommand('heapscope.containers.attach', async (c?: FleetContainer) => {
      const pod = c?.pods[c.pods.length - 1];
      if (!c || !pod) return;
      await vscode.commands.executeCommand('heapscope.startSession', {
        kind: 'k8s',
        namespace: c.namespace,
        pod,
        container: c.container,
      });
    }),
    vscode.commands.registerCommand('heapscope.prometheus.editQuery', async () => {
      try {
        if (!last) {
          void vscode.window.showInformationMessage(
            'Heapscope: show a Prometheus history first; its queries can then be edited.',
          );
          return;
        }
        const pick = await vscode.window.showQuickPick(
          last.history.series.map((s) => ({ label: s.name, detail: s.promql, value: s })),
          { title: 'Edit a Prometheus query (saved as a custom series)', matchOnDetail: true },
        );
        if (!pick) return;
        const promql = await vscode.window.showInputBox({
          title: `PromQL for ${pick.value.name}`,
          prompt:
            '$selector expands to the container matchers, $selector_pod to namespace and pod, $rate to a rate window',
          value: pick.value.promql,
          ignoreFocusOut: true,
        });
        if (!promql) return;
        const name = await vscode.window.showInputBox({
          title: 'Save as custom series: name',
          value: pick.value.name.startsWith('custom:')
            ? pick.value.name.slice(7)
            : `${pick.value.name}-custom`,
          ignoreFocusOut: true,
          validateInput: (v) => (/^[\w.-]+$/.test(v) ? undefined : 'Letters, digits, . _ -'),
        });
        if (!name) return;
        // Saved as a template so the series applies to every container, not only this one.
        const template = toTemplate(promql, last.selection.ref);
        // From the user's own value only: a workspace's series are never copied into user settings.
        const saved = sanitizeCustomSeries(
          vscode.workspace.getConfiguration('heapscope.prometheus').inspect<unknown>('customSeries')
            ?.globalValue ?? [],
        ).filter((c) => c.name !== name);
        saved.push({ name, promql: template, unit: pick.value.unit });
        await vscode.workspace
          .getConfiguration('heapscope.prometheus')
          .update('customSeries', saved, vscode.ConfigurationTarget.Global);
        await load(last.selection);
      } catch (error) {
        showError(error);
      }
    }),
  );
}
