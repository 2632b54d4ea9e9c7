// What the explorer opens on for a suspect (pure: no `vscode`): the class of the objects it keeps,
// and for a holder the retainer path of the largest of them.
import type { Suspect } from '../../core/types';

/** Where the explorer goes for a suspect: a class expanded, optionally its largest object's path. */
export interface SuspectFocus {
  className: string;
  /** Select the class's largest object, which opens its retainer path (a holder's lens). */
  path: boolean;
  /** With `path`: the holder's name, so the object selected is one the holder keeps. */
  via?: string;
}

/**
 * The class of the objects a suspect keeps: named by the holder's last path step when snapshots
 * named a holder (`Map → 1200 × LeakyRecord`), else the suspect's function (a constructor names
 * the objects it builds). Undefined for an anonymous function with no holder.
 */
export function suspectFocus(suspect: Suspect, path = false): SuspectFocus | undefined {
  const last = suspect.holder?.path.at(-1);
  const kept = last ? / → \d+ × (.+)$/.exec(last)?.[1]?.trim() : undefined;
  const fromFunction = suspect.functionName.split('.').pop()?.replace(/^new /, '').trim();
  const className = kept || (fromFunction && fromFunction !== '(anonymous)' ? fromFunction : undefined);
  if (!className) return undefined;
  const holder = path ? suspect.holder : undefined;
  if (!holder) return { className, path: false };
  // A variable or property name; `_events.data`, `[3]`, `(a variable of f)` name no single edge.
  return /^[\w$]+$/.test(holder.name)
    ? { className, path: true, via: holder.name }
    : { className, path: true };
}
