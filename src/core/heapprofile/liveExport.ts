// Keeps a `.heapprofile` file up to date with a live session's sampling profile: written once at
// start, then every few seconds until stopped, so that an editor showing the file (the flame graph
// follows changes on disk) shows the session's live bytes as they move. One write at a time; the
// first failure (the session ended, sampling turned off) stops it and is reported once.

export class LiveProfileExport {
  private timer: ReturnType<typeof setInterval> | undefined;
  private writing = false;
  private stopped = false;
  /** Writes so far (the bench and tests read it). */
  writes = 0;

  constructor(
    private readonly exportTo: (file: string) => Promise<unknown>,
    readonly file: string,
    private readonly intervalMs = 5_000,
    private readonly onStopped: (error: unknown) => void = () => {},
  ) {}

  /** The first write (its error is thrown), then the refreshes. */
  async start(): Promise<void> {
    await this.exportTo(this.file);
    this.writes++;
    if (this.stopped) return;
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.timer.unref?.();
  }

  private async refresh(): Promise<void> {
    if (this.writing || this.stopped) return;
    this.writing = true;
    try {
      await this.exportTo(this.file);
      this.writes++;
    } catch (error) {
      this.stop();
      this.onStopped(error);
    } finally {
      this.writing = false;
    }
  }

  get running(): boolean {
    return !this.stopped;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
