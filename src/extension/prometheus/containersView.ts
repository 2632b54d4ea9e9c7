// "Heapscope: Containers": a namespace scan as a tree, worst first, with verdict icons and growth per
// day. Selecting a container opens its history view; "Attach" starts a Kubernetes session on its
// newest pod through the existing start command.
import * as vscode from 'vscode';
import { growthLabel, timeToLimitLabel } from '../../core/prometheus';
import type { FleetContainer, FleetScan } from '../../shared/fleetTypes';

export const CONTAINERS_VIEW_ID = 'heapscope.containers';

export const CONTAINERS_COMMANDS = {
  scan: 'heapscope.containers.scan',
  refresh: 'heapscope.containers.refresh',
  openHistory: 'heapscope.containers.openHistory',
  attach: 'heapscope.containers.attach',
} as const;

/** The tree's one line for a container (also what the e2e test reads). */
export function containerDescription(c: FleetContainer): string {
  const v = c.verdict;
  const parts = [
    v.verdict === 'leak' ? growthLabel(v) : v.verdict === 'no-leak' ? 'no leak' : 'inconclusive',
  ];
  if (v.verdict === 'leak' && v.daysToLimit !== undefined) parts.push(`limit ${timeToLimitLabel(v)}`);
  if (c.oomKills) parts.push(`${c.oomKills} OOM`);
  else if (c.restarts) parts.push(`${c.restarts} restart${c.restarts > 1 ? 's' : ''}`);
  return parts.join(' · ');
}

function icon(c: FleetContainer): vscode.ThemeIcon {
  switch (c.verdict.verdict) {
    case 'leak':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('charts.red'));
    case 'no-leak':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('charts.green'));
    default:
      return new vscode.ThemeIcon('question', new vscode.ThemeColor('charts.yellow'));
  }
}

export class ContainersTree implements vscode.TreeDataProvider<FleetContainer>, vscode.Disposable {
  private scan: FleetScan | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<FleetContainer>;

  constructor() {
    this.view = vscode.window.createTreeView(CONTAINERS_VIEW_ID, {
      treeDataProvider: this,
      showCollapseAll: false,
    });
  }

  get current(): FleetScan | undefined {
    return this.scan;
  }

  set(scan: FleetScan): void {
    this.scan = scan;
    const leaks = scan.containers.filter((c) => c.verdict.verdict === 'leak').length;
    const days = Math.round(((scan.end - scan.start) / 86400) * 10) / 10;
    this.view.description = `${scan.namespace}${scan.selector ? ` {${scan.selector}}` : ''}, ${days} days`;
    this.view.message = `${leaks} of ${scan.containers.length} containers in ${scan.namespace} leak${scan.warnings.length ? ` (notes: ${scan.warnings.join('; ')})` : ''}.`;
    void vscode.commands.executeCommand('setContext', 'heapscope.hasContainerScan', true);
    this.changed.fire();
  }

  getChildren(element?: FleetContainer): FleetContainer[] {
    return element ? [] : (this.scan?.containers ?? []);
  }

  getTreeItem(c: FleetContainer): vscode.TreeItem {
    const item = new vscode.TreeItem(`${c.workload}/${c.container}`, vscode.TreeItemCollapsibleState.None);
    item.id = `${c.namespace}/${c.workload}/${c.container}`;
    item.description = containerDescription(c);
    item.iconPath = icon(c);
    item.contextValue = 'heapscopeContainer';
    const tooltip = new vscode.MarkdownString(undefined, false);
    tooltip.appendText(
      `${c.verdict.verdict.toUpperCase()}: ${c.verdict.summary}\n\n${c.verdict.reason}\n\npods: ${c.pods.join(', ')}`,
    );
    item.tooltip = tooltip;
    item.command = { command: CONTAINERS_COMMANDS.openHistory, title: 'Show history', arguments: [c] };
    return item;
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }
}
