// The memory sessions running in this window. Several may run at once (a debug session, a launch.json
// entry and a manual attach); each gets a unique name. No `vscode` here: the registry is driven with
// real MemorySessions in integration tests.
import { EventEmitter } from 'node:events';
import type { MemorySessionApi } from '../core/session/api';

export type SessionOrigin = 'command' | 'debug' | 'launch.json' | 'recording';

export interface SessionEntry {
  /** The engine session's id. */
  id: string;
  name: string;
  origin: SessionOrigin;
  session: MemorySessionApi;
  /** The VS Code debug session this one follows or belongs to (js-debug child, or a heapscope session). */
  debugSessionId?: string;
  /** Read-only: a reopened recording, not a live target. */
  readOnly: boolean;
  startedAtMs: number;
  /** The session stopped (or its target exited): its data stays for the views, its lenses go. */
  ended: boolean;
}

export interface RegistryEvents {
  added: [SessionEntry];
  removed: [SessionEntry];
  /** Whichever session the views show changed. */
  current: [SessionEntry | undefined];
}

export class SessionRegistry extends EventEmitter<RegistryEvents> {
  private readonly entries = new Map<string, SessionEntry>();
  private currentId: string | undefined;

  get all(): SessionEntry[] {
    return [...this.entries.values()];
  }

  /** Sessions observing a target now (not ended, not recordings). */
  get live(): SessionEntry[] {
    return this.all.filter((e) => !e.readOnly && !e.ended);
  }

  get current(): SessionEntry | undefined {
    return this.currentId ? this.entries.get(this.currentId) : undefined;
  }

  get(id: string): SessionEntry | undefined {
    return this.entries.get(id);
  }

  /** The live session following (or started by) this debug session. */
  byDebugSession(debugSessionId: string): SessionEntry | undefined {
    return this.live.find((e) => e.debugSessionId === debugSessionId);
  }

  markEnded(id: string): void {
    const entry = this.entries.get(id);
    if (entry) entry.ended = true;
  }

  /** "api", then "api (2)", "api (3)": names stay unique among the sessions present. */
  uniqueName(wanted: string): string {
    const taken = new Set(this.all.filter((e) => !e.ended).map((e) => e.name));
    if (!taken.has(wanted)) return wanted;
    for (let n = 2; ; n++) if (!taken.has(`${wanted} (${n})`)) return `${wanted} (${n})`;
  }

  add(entry: Omit<SessionEntry, 'startedAtMs' | 'ended'>): SessionEntry {
    const full: SessionEntry = {
      ...entry,
      name: this.uniqueName(entry.name),
      startedAtMs: Date.now(),
      ended: false,
    };
    this.entries.set(full.id, full);
    this.emit('added', full);
    this.setCurrent(full.id);
    return full;
  }

  remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.emit('removed', entry);
    if (this.currentId === id) {
      // Prefer another live session over a recording when the shown one goes away.
      const next = this.live.at(-1) ?? this.all.at(-1);
      this.currentId = undefined;
      this.setCurrent(next?.id);
    }
  }

  setCurrent(id: string | undefined): void {
    if (id !== undefined && !this.entries.has(id)) return;
    if (this.currentId === id) return;
    this.currentId = id;
    this.emit('current', this.current);
  }
}
