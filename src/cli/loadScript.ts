// `heapscope check --load <script>`: the load a service needs to show its leak, run by heapscope
// itself so a CI job needs one command. The script is a module (CommonJS or ESM) whose default export
// (or `load` export) is an async function; it is called again and again, one call at a time, while
// the process is observed, and stopped with the observation.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeError, HeapscopeError } from '../core/errors';

export interface LoadContext {
  /** 0, 1, 2… */
  iteration: number;
  /** Aborted when the observation ends: pass it to fetch() or http.request(). */
  signal: AbortSignal;
  /** The observed process, when known. */
  pid?: number;
}

export type LoadFunction = (context: LoadContext) => unknown;

export interface LoadSummary {
  calls: number;
  failures: number;
  firstError?: string;
}

/** After a failed call, this long before the next: a service still starting is not hammered. */
const RETRY_AFTER_FAILURE_MS = 200;
/** How long the end of the observation waits for the call in flight. */
const STOP_WAIT_MS = 5_000;

export async function importLoadScript(file: string): Promise<LoadFunction> {
  const path = resolve(file);
  if (!existsSync(path)) throw new HeapscopeError('usage', `--load: no file ${path}.`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new HeapscopeError('usage', `--load: ${path} failed to load: ${describeError(error)}`);
  }
  const inner = mod.default as Record<string, unknown> | LoadFunction | undefined;
  const candidates = [mod.default, mod.load, typeof inner === 'object' && inner ? inner.default : undefined];
  const fn = candidates.find((c): c is LoadFunction => typeof c === 'function');
  if (!fn)
    throw new HeapscopeError(
      'usage',
      `--load: ${path} must export an async function (module.exports = async () => {…}, or export default).`,
    );
  return fn;
}

/** Calls the load function in a loop until stop(); failures are counted, never thrown. */
export class LoadRunner {
  private stopped = false;
  /** A signal per call: fetch() leaves a listener on the signal it is given, so one shared signal grows. */
  private current: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private readonly summary: LoadSummary = { calls: 0, failures: 0 };

  constructor(
    private readonly fn: LoadFunction,
    private readonly pid?: number,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const call = (this.current = new AbortController());
      try {
        await this.fn({ iteration: this.summary.calls, signal: call.signal, pid: this.pid });
      } catch (error) {
        if (this.stopped) break;
        this.summary.failures++;
        this.summary.firstError ??= describeError(error);
        await new Promise((r) => setTimeout(r, RETRY_AFTER_FAILURE_MS));
      } finally {
        this.summary.calls++;
      }
      // A synchronous or already-resolved load function must not starve the event loop.
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Aborts, waits (bounded) for the call in flight, and says how it went. */
  async stop(): Promise<LoadSummary> {
    this.stopped = true;
    this.current?.abort();
    if (this.loop) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.loop, new Promise((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
      clearTimeout(timer);
    }
    return { ...this.summary };
  }
}

export function loadSummaryText(summary: LoadSummary): string {
  const failed = summary.failures ? `, ${summary.failures} failed (first: ${summary.firstError})` : '';
  return `heapscope: load script: ${summary.calls} call(s)${failed}`;
}
