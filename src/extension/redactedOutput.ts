// The output channel as every part of the extension writes to it: each line passes through the
// engine's redaction first, so a token or a URL's user:password never lands in the channel (which
// users paste into bug reports).
import type * as vscode from 'vscode';
import { redactText } from '../core/redact';

const WRITERS = new Set<PropertyKey>([
  'info',
  'warn',
  'error',
  'debug',
  'trace',
  'append',
  'appendLine',
  'replace',
]);

export function redactedOutput(channel: vscode.LogOutputChannel): vscode.LogOutputChannel {
  return new Proxy(channel, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (!WRITERS.has(prop)) return (value as (...a: unknown[]) => unknown).bind(target);
      return (message: unknown, ...rest: unknown[]) =>
        (value as (...a: unknown[]) => unknown).call(
          target,
          redactText(message instanceof Error ? message.message : String(message)),
          ...rest,
        );
    },
  });
}
