// VS Code entry point. Everything here is a face over src/core; no analysis lives in this folder.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('heapscope.startSession', () => {
      void vscode.window.showInformationMessage('Heapscope: memory sessions arrive with the VS Code face.');
    }),
  );
}

export function deactivate(): void {}
