// Errors a user can cause. Each carries a code (for exit codes, tests and the UI) and a message that
// says what happened and what to do. Faces print `message`; they never show a stack for these.

import { redactText } from './redact';

export type HeapscopeErrorCode =
  | 'usage'
  | 'target-unreachable'
  | 'target-not-node'
  | 'target-exited'
  | 'target-lost'
  | 'snapshot-malformed'
  | 'snapshot-truncated'
  | 'prometheus-http'
  | 'prometheus-auth'
  | 'prometheus-not-json'
  | 'prometheus-timeout'
  | 'prometheus-unreachable'
  | 'prometheus-query'
  | 'prometheus-too-large'
  | 'prometheus-malformed'
  | 'k8s-kubectl-missing'
  | 'k8s-no-context'
  | 'k8s-unreachable'
  | 'k8s-forbidden'
  | 'k8s-pod-not-running'
  | 'k8s-no-node-process'
  | 'k8s-no-kill'
  | 'k8s-port-forward'
  | 'k8s-not-found'
  | 'k8s-kubectl-failed'
  | 'cancelled'
  /** The disk (or a quota, or a file-size limit) has no room for what is being written. */
  | 'disk-full'
  | 'internal';

export class HeapscopeError extends Error {
  override readonly name = 'HeapscopeError';
  constructor(
    readonly code: HeapscopeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isHeapscopeError(error: unknown, code?: HeapscopeErrorCode): error is HeapscopeError {
  return error instanceof HeapscopeError && (code === undefined || error.code === code);
}

/** A message fit for a person, whatever was thrown; credentials (URL user:password, tokens) removed. */
export function describeError(error: unknown): string {
  return redactText(error instanceof Error ? error.message : String(error));
}
