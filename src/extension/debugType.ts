// Registers the `heapscope` debug type: the inline adapter, the initial launch.json entry, and the
// resolution of an F5 with no launch.json (watch the active script).
import * as vscode from 'vscode';
import type { SessionController } from './controller';
import { HeapscopeDebugAdapter, type MemorySessionHost } from './debugAdapter';
import { INITIAL_CONFIGURATION } from './debugConfig';

export function registerHeapscopeDebugType(
  context: vscode.ExtensionContext,
  controller: SessionController,
): void {
  const host: MemorySessionHost = {
    startForDebugSession: async ({ target, name, debugSessionId, config }) => {
      const entry = await controller.start({
        target,
        name,
        origin: 'launch.json',
        debugSessionId,
        progress: false,
        overrides: {
          ...(typeof config.metricsIntervalMs === 'number'
            ? { metricsIntervalMs: config.metricsIntervalMs }
            : {}),
          ...(typeof config.samplingIntervalBytes === 'number'
            ? { samplingIntervalBytes: config.samplingIntervalBytes }
            : {}),
        },
      });
      void vscode.commands.executeCommand('heapscope.debugView.focus', { preserveFocus: true });
      return entry.session;
    },
    stop: (sessionId, reason) => controller.stop(sessionId, reason),
  };

  const factory: vscode.DebugAdapterDescriptorFactory = {
    createDebugAdapterDescriptor: (session) =>
      new vscode.DebugAdapterInlineImplementation(
        new HeapscopeDebugAdapter(host, session.id, session.workspaceFolder?.uri.fsPath),
      ),
  };

  const provider: vscode.DebugConfigurationProvider = {
    provideDebugConfigurations: () => [{ ...INITIAL_CONFIGURATION } as vscode.DebugConfiguration],
    resolveDebugConfiguration: (_folder, config) => {
      // F5 with no launch.json: watch the memory of the active JavaScript file.
      if (!config.type && !config.request && !config.name) {
        const doc = vscode.window.activeTextEditor?.document;
        if (doc?.uri.scheme === 'file' && /\.[cm]?js$/.test(doc.fileName)) {
          return {
            type: 'heapscope',
            request: 'launch',
            name: `Memory: ${doc.fileName.split(/[\\/]/).pop()}`,
            program: doc.fileName,
          };
        }
        void vscode.window.showInformationMessage(
          'Heapscope: open a JavaScript file, or add a "heapscope" entry to launch.json.',
        );
        return undefined;
      }
      return config;
    },
  };

  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory('heapscope', factory),
    vscode.debug.registerDebugConfigurationProvider('heapscope', provider),
  );
}
