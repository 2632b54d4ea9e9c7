// The channel to the extension host. Inside VS Code it is acquireVsCodeApi(); in a plain page (the
// chart benchmark, a browser preview) intents are collected on window.__heapscopeIntents and data is
// posted to the window like VS Code does, so the same bundle runs unchanged.
import type { WebviewIntent } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

declare global {
  interface Window {
    __heapscopeIntents?: WebviewIntent[];
  }
}

let api: VsCodeApi | undefined;

function vscodeApi(): VsCodeApi {
  if (api) return api;
  if (typeof acquireVsCodeApi === 'function') {
    api = acquireVsCodeApi();
  } else {
    api = {
      postMessage: (message) => {
        (window.__heapscopeIntents ??= []).push(message as WebviewIntent);
      },
    };
  }
  return api;
}

export function sendIntent(intent: WebviewIntent): void {
  vscodeApi().postMessage(intent);
}
