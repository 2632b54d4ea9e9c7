// Runs V8's sampling heap profiler in the target and turns each profile it reads into a reading of
// live bytes per allocation site. V8 has one sampler per isolate: when another tool (DevTools,
// js-debug's profiler) already runs it, this reads that profile and never stops it under them.
import type { CdpClient } from '../inspector/cdp';
import { flattenProfile, type SamplingHeapProfile } from '../sampling';
import type { AllocationProfileReading } from '../types';

/** Keep this many profile readings at most; older ones are thinned (every other dropped). */
export const MAX_READINGS = 240;

export class ProfileSampler {
  readonly readings: AllocationProfileReading[] = [];
  private lastRaw: SamplingHeapProfile | undefined;
  private running = false;
  private startedByUs = false;

  constructor(
    private client: CdpClient,
    private readonly samplingIntervalBytes: number,
  ) {}

  /** Sampling is on (ours or another tool's). */
  get on(): boolean {
    return this.running;
  }

  get lastProfile(): SamplingHeapProfile | undefined {
    return this.lastRaw;
  }

  /** Starts the sampler; returns false when another tool already runs it (its profile is read). */
  async start(): Promise<boolean> {
    if (await this.alreadyRunning()) {
      this.running = true;
      this.startedByUs = false;
      return false;
    }
    await this.client.send('HeapProfiler.startSampling', { samplingInterval: this.samplingIntervalBytes });
    this.running = true;
    this.startedByUs = true;
    return true;
  }

  /**
   * After a reconnect the sampler may still run in the target (V8 keeps it when another session
   * started it) or may have stopped with our old inspector session. A restarted sampler counts from
   * zero: the earlier readings would read as every site dropping, so they go. Returns whether they did.
   */
  async resumeOn(client: CdpClient): Promise<boolean> {
    this.client = client;
    if (!this.running || (await this.alreadyRunning())) return false;
    await this.client.send('HeapProfiler.startSampling', { samplingInterval: this.samplingIntervalBytes });
    this.startedByUs = true;
    const dropped = this.readings.length > 0;
    this.readings.splice(0, this.readings.length);
    return dropped;
  }

  /** Reads the current profile as a reading (and keeps the raw profile for export). */
  async read(timeMs = Date.now()): Promise<AllocationProfileReading> {
    const reply = await this.client.send('HeapProfiler.getSamplingProfile');
    this.lastRaw = reply.profile;
    const reading = flattenProfile(reply.profile, timeMs);
    this.readings.push(reading);
    if (this.readings.length > MAX_READINGS) {
      // Thin the older half: long sessions keep their shape without unbounded memory.
      const half = Math.floor(this.readings.length / 2);
      const thinned = this.readings.slice(0, half).filter((_, i) => i % 2 === 0);
      this.readings.splice(0, half, ...thinned);
    }
    return reading;
  }

  /** Stops the sampler when we started it; another tool's keeps running. */
  async stop(): Promise<void> {
    const ours = this.startedByUs;
    this.running = false;
    this.startedByUs = false;
    if (ours) await this.client.send('HeapProfiler.stopSampling');
  }

  private alreadyRunning(): Promise<boolean> {
    return this.client.send('HeapProfiler.getSamplingProfile').then(
      () => true,
      () => false,
    );
  }
}
