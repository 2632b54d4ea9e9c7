// The current process's own inspector, opened in-process through node:inspector (no port, no
// --inspect): it forces full garbage collections when --expose-gc is not set, and runs V8's sampling
// heap profiler to say where the memory that stays was allocated.
import { Session } from 'node:inspector';
import type { HeapProfiler } from 'node:inspector';

export class InProcessInspector {
  private readonly session = new Session();
  private connected = false;

  private post<T>(method: string, params?: object): Promise<T> {
    if (!this.connected) {
      this.session.connect();
      this.connected = true;
    }
    return new Promise<T>((resolve, reject) =>
      this.session.post(method, params ?? {}, (error: Error | null, result?: object) =>
        error ? reject(error) : resolve(result as T),
      ),
    );
  }

  /**
   * A full, compacting collection, twice, with a turn of the event loop before each: what waits
   * for a macrotask to let go (async hooks' destroy queue, FinalizationRegistry callbacks, a test
   * runner's bookkeeping) lets go first, so the reading after it is the program's live memory.
   */
  async collectGarbage(): Promise<void> {
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let pass = 0; pass < 2; pass++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (typeof gc === 'function') gc();
      else await this.post('HeapProfiler.collectGarbage');
    }
  }

  async startSampling(samplingIntervalBytes: number): Promise<void> {
    await this.post('HeapProfiler.enable');
    await this.post('HeapProfiler.startSampling', { samplingInterval: samplingIntervalBytes });
  }

  /** The live samples: objects allocated since sampling started and alive now. */
  async samplingProfile(): Promise<HeapProfiler.SamplingHeapProfile> {
    const { profile } = await this.post<{ profile: HeapProfiler.SamplingHeapProfile }>(
      'HeapProfiler.getSamplingProfile',
    );
    return profile;
  }

  async stopSampling(): Promise<void> {
    await this.post('HeapProfiler.stopSampling');
  }

  close(): void {
    if (this.connected) this.session.disconnect();
    this.connected = false;
  }
}
