// The lifecycle of a MemorySession as one value. Each phase says what the session is doing and
// what may happen next; the session changes it only through `Lifecycle.to`, which refuses a move the
// table does not allow (a late event after stop cannot revive a session). Code that awaits
// re-reads the phase afterwards: `lifecycle.live` and `lifecycle.endingOrEnded` are the checks.
import type { SessionState } from './api';

export type Phase =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'observing' }
  /** A debugger holds the program: readings wait; nothing is read as a drop. */
  | { kind: 'paused-by-debugger' }
  /** The target stopped answering memory readings (busy, frozen, or paused before we could tell). */
  | { kind: 'unresponsive'; sinceMs: number }
  /** A pod's port-forward dropped: waiting for it, then reattaching. */
  | { kind: 'reconnecting'; message: string }
  /** V8 is writing a heap snapshot: the target's JavaScript is stopped meanwhile. */
  | { kind: 'capturing'; file: string }
  /** Heap snapshots to name what holds the suspects' objects. */
  | { kind: 'naming-holders'; step: string }
  | { kind: 'stopping'; reason?: string }
  | { kind: 'ended'; how: 'stopped' | 'target-exited' | 'error'; message?: string };

export type PhaseKind = Phase['kind'];

/** Phases in which the session is attached to a running target and may act on it. */
const LIVE: ReadonlySet<PhaseKind> = new Set([
  'observing',
  'paused-by-debugger',
  'unresponsive',
  'reconnecting',
  'capturing',
  'naming-holders',
]);

/** Which phase may follow which. `stopping` and `ended` are reachable from every earlier phase. */
const NEXT: Record<PhaseKind, readonly PhaseKind[]> = {
  idle: ['connecting', 'stopping', 'ended'],
  connecting: ['observing', 'paused-by-debugger', 'stopping', 'ended'],
  observing: [
    'paused-by-debugger',
    'unresponsive',
    'reconnecting',
    'capturing',
    'naming-holders',
    'stopping',
    'ended',
  ],
  'paused-by-debugger': ['observing', 'reconnecting', 'capturing', 'stopping', 'ended'],
  unresponsive: ['observing', 'paused-by-debugger', 'reconnecting', 'stopping', 'ended'],
  reconnecting: ['observing', 'paused-by-debugger', 'stopping', 'ended'],
  capturing: ['observing', 'paused-by-debugger', 'naming-holders', 'stopping', 'ended'],
  'naming-holders': ['capturing', 'observing', 'paused-by-debugger', 'stopping', 'ended'],
  stopping: ['ended'],
  ended: [],
};

export function canMove(from: PhaseKind, to: PhaseKind): boolean {
  return NEXT[from].includes(to);
}

/** The state faces show (status bar, view, CLI progress line) for a phase. */
export function stateOf(phase: Phase): SessionState {
  switch (phase.kind) {
    case 'idle':
    case 'connecting':
      return 'connecting';
    case 'observing':
      return 'observing';
    case 'paused-by-debugger':
    case 'unresponsive':
      return 'paused';
    case 'reconnecting':
      return 'reconnecting';
    case 'capturing':
      return 'capturing';
    case 'naming-holders':
      return 'naming-holders';
    case 'stopping':
      return 'stopping';
    case 'ended':
      return phase.how;
  }
}

export class Lifecycle {
  private current: Phase = { kind: 'idle' };

  constructor(private readonly onChange: (phase: Phase, previous: Phase) => void) {}

  get phase(): Phase {
    return this.current;
  }

  get kind(): PhaseKind {
    return this.current.kind;
  }

  /** Attached to a running target, not on the way out. */
  get live(): boolean {
    return LIVE.has(this.current.kind);
  }

  get endingOrEnded(): boolean {
    return this.current.kind === 'stopping' || this.current.kind === 'ended';
  }

  get ended(): boolean {
    return this.current.kind === 'ended';
  }

  /** Moves to `next` when the table allows it; returns whether it moved. */
  to(next: Phase): boolean {
    const previous = this.current;
    if (previous.kind === next.kind && previous.kind !== 'reconnecting' && previous.kind !== 'naming-holders')
      return false;
    if (previous.kind !== next.kind && !canMove(previous.kind, next.kind)) return false;
    this.current = next;
    this.onChange(next, previous);
    return true;
  }
}
