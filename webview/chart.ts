// The live memory chart: uPlot over a decimated view of the SampleStore. Follow mode shows everything
// up to the newest reading; drag-select zooms (and stops following), the wheel zooms around the
// cursor, shift-drag pans, double-click returns to following. Redraws are coalesced to one per
// animation frame, and each redraw decimates only the visible window to ~2 points per pixel column.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { decimateApart, lowerBound } from './downsample';
import { byteTicks, formatBytes } from './format';
import { SERIES, type SampleStore } from './store';
import { readChartColors, type ChartColors } from './theme';
import type { PrometheusSeries } from '../src/shared/protocol';

export interface ChartStats {
  /** Duration of recent redraws (decimation + uPlot draw), ms, newest last (up to 600). */
  redrawMs: number[];
  /** Points handed to uPlot in the last redraw (per series). */
  drawnPoints: number;
  redraws: number;
}

const MIN_WINDOW_MS = 5_000;

export class MemoryChart {
  private plot: uPlot | undefined;
  private colors: ChartColors;
  private follow = true;
  private windowMs: [number, number] | undefined;
  private pending = false;
  private programmatic = false;
  private hidden = new Set<number>();
  private overlay: PrometheusSeries[] = [];
  private restartKey: HTMLElement | undefined;
  readonly stats: ChartStats = { redrawMs: [], drawnPoints: 0, redraws: 0 };
  onFollowChange: (follow: boolean) => void = () => {};

  constructor(
    private readonly container: HTMLElement,
    private readonly store: SampleStore,
  ) {
    this.colors = readChartColors();
    this.create();
    new ResizeObserver(() => this.resize()).observe(container);
  }

  get following(): boolean {
    return this.follow;
  }

  setFollow(follow: boolean): void {
    if (this.follow === follow) return;
    this.follow = follow;
    if (follow) this.windowMs = undefined;
    else this.windowMs = this.currentRange();
    this.onFollowChange(follow);
    this.requestRedraw();
  }

  setOverlay(series: PrometheusSeries[]): void {
    this.overlay = series;
    this.requestRedraw();
  }

  /** Re-reads the theme's colours (theme switch): rebuilds the plot, keeping zoom and toggled series. */
  retheme(): void {
    this.colors = readChartColors();
    this.plot?.destroy();
    this.create();
    this.requestRedraw();
  }

  private size(): { width: number; height: number } {
    const rect = this.container.getBoundingClientRect();
    // The legend sits below the plot inside the container and wraps in a narrow side bar.
    const legend = this.plot?.root.querySelector<HTMLElement>('.u-legend')?.offsetHeight ?? 40;
    return {
      width: Math.max(200, Math.floor(rect.width)),
      height: Math.max(120, Math.floor(rect.height) - legend - 4),
    };
  }

  private resize(): void {
    if (!this.plot) return;
    this.plot.setSize(this.size());
    // A new width can re-wrap the legend: settle its height once more.
    const again = this.size();
    if (again.height !== this.plot.height) this.plot.setSize(again);
    this.requestRedraw();
  }

  private create(): void {
    const c = this.colors;
    const axis = (values: uPlot.Axis['values'], extra: Partial<uPlot.Axis> = {}): uPlot.Axis => ({
      stroke: c.foreground,
      grid: { stroke: c.grid, width: 1 },
      ticks: { stroke: c.grid, width: 1 },
      values,
      ...extra,
    });
    const opts: uPlot.Options = {
      ...this.size(),
      ms: 1,
      pxAlign: 1,
      scales: {
        x: { time: true, auto: false },
        y: {
          auto: true,
          range: (_u, min, max) => [0, Math.max(1024, max * 1.05, min)],
        },
      },
      axes: [
        axis(undefined),
        axis((_u, splits) => splits.map((v) => formatBytes(v)), {
          size: 64,
          splits: (_u, _axisIdx, min, max) => byteTicks(min, max, 5),
        }),
      ],
      series: [
        {},
        ...SERIES.map((s, i) => ({
          label: s.label,
          stroke: c.series[i],
          width: i === 0 ? 2 : 1.25,
          show: !this.hidden.has(i + 1),
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : formatBytes(v)),
        })),
      ],
      legend: { live: true },
      cursor: {
        drag: { x: true, y: false, setScale: true },
        bind: {
          // Double-click goes back to following instead of uPlot's "reset to data" (the data is the
          // decimated window, so its reset would be a no-op).
          dblclick: () => () => {
            this.setFollow(true);
            return null;
          },
        },
      },
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== 'x' || this.programmatic) return;
            // A drag-select by the user.
            const min = u.scales.x!.min;
            const max = u.scales.x!.max;
            if (min === undefined || max === undefined) return;
            this.windowMs = [min, Math.max(max, min + MIN_WINDOW_MS)];
            if (this.follow) {
              this.follow = false;
              this.onFollowChange(false);
            }
            this.requestRedraw();
          },
        ],
        setSeries: [
          (_u, idx, opts) => {
            if (idx === null || idx === undefined || opts.show === undefined) return;
            if (opts.show) this.hidden.delete(idx);
            else this.hidden.add(idx);
          },
        ],
        draw: [(u) => this.drawMarkers(u)],
      },
    };
    this.plot = new uPlot(opts, [[], ...SERIES.map(() => [])], this.container);
    this.addRestartKey(this.plot);
    this.bindPanZoom(this.plot);
  }

  /** The restart marker's legend entry, beside the series' (shown once the chart has a restart). */
  private addRestartKey(u: uPlot): void {
    const legend = u.root.querySelector('.u-legend');
    if (!legend) return;
    const row = document.createElement('tr');
    row.className = 'u-series restart-key';
    const th = document.createElement('th');
    const marker = document.createElement('div');
    marker.className = 'u-marker restart-marker';
    marker.style.borderColor = this.colors.restart;
    const label = document.createElement('div');
    label.className = 'u-label';
    label.textContent = 'process restarted / changed';
    th.append(marker, label);
    row.append(th);
    row.title =
      'A dashed line: from there on the chart shows another process (pid before → pid after); ' +
      'the two series are not joined.';
    row.hidden = this.store.breaks.length === 0;
    (legend.querySelector('tbody') ?? legend).append(row);
    this.restartKey = row;
  }

  private bindPanZoom(u: uPlot): void {
    u.over.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const range = this.currentRange();
        if (!range) return;
        const [min, max] = range;
        const rect = u.over.getBoundingClientRect();
        const frac = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
        const at = min + (max - min) * frac;
        const factor = event.deltaY < 0 ? 0.8 : 1.25;
        const span = Math.max(MIN_WINDOW_MS, (max - min) * factor);
        this.zoomTo([at - span * frac, at - span * frac + span]);
      },
      { passive: false },
    );
    // Shift-drag (or middle-button drag) pans; captured before uPlot's own drag-select sees it.
    u.over.addEventListener(
      'mousedown',
      (event) => {
        if (!event.shiftKey && event.button !== 1) return;
        event.stopPropagation();
        event.preventDefault();
        const start = this.currentRange();
        if (!start) return;
        const startX = event.clientX;
        const msPerPx = (start[1] - start[0]) / Math.max(1, u.over.getBoundingClientRect().width);
        const move = (e: MouseEvent): void => {
          const shift = (startX - e.clientX) * msPerPx;
          this.zoomTo([start[0] + shift, start[1] + shift]);
        };
        const up = (): void => {
          window.removeEventListener('mousemove', move);
          window.removeEventListener('mouseup', up);
        };
        window.addEventListener('mousemove', move);
        window.addEventListener('mouseup', up);
      },
      true,
    );
  }

  private zoomTo(range: [number, number]): void {
    this.windowMs = range;
    if (this.follow) {
      this.follow = false;
      this.onFollowChange(false);
    }
    this.requestRedraw();
  }

  private currentRange(): [number, number] | undefined {
    if (!this.follow && this.windowMs) return this.windowMs;
    const first = this.store.firstTimeMs;
    const last = this.store.lastTimeMs;
    if (first === undefined || last === undefined) return undefined;
    return [first, Math.max(last, first + MIN_WINDOW_MS)];
  }

  /** New data arrived. While zoomed on the past, only a window that reaches "now" needs a redraw. */
  dataChanged(): void {
    if (!this.follow && this.windowMs) {
      const last = this.store.lastTimeMs ?? 0;
      const prev = this.store.length > 1 ? this.store.x[this.store.length - 2]! : last;
      if (prev > this.windowMs[1]) return;
    }
    this.requestRedraw();
  }

  requestRedraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.redraw();
    });
  }

  /** Synchronous redraw (the benchmark calls it to time one frame's work). */
  redraw(): void {
    const u = this.plot;
    if (!u) return;
    const range = this.currentRange();
    const t0 = performance.now();
    if (!range) {
      this.programmatic = true;
      u.setData([[], ...SERIES.map(() => [])], false);
      this.programmatic = false;
      return;
    }
    const buckets = Math.max(50, Math.floor(u.bbox.width / (devicePixelRatio || 1)) || 600);
    const breaks = this.store.breaks.map((b) => b.timeMs);
    const d = decimateApart(this.store, breaks, range[0], range[1], buckets);
    this.programmatic = true;
    u.batch(() => {
      u.setData([d.x, ...d.ys] as uPlot.AlignedData, false);
      u.setScale('x', { min: range[0], max: range[1] });
    });
    this.programmatic = false;
    const ms = performance.now() - t0;
    this.stats.drawnPoints = d.x.length;
    this.stats.redraws++;
    this.stats.redrawMs.push(ms);
    if (this.stats.redrawMs.length > 600) this.stats.redrawMs.splice(0, this.stats.redrawMs.length - 600);
  }

  /** Major GCs as small triangles at the heap-after level, and the Prometheus overlay as dashed lines. */
  private drawMarkers(u: uPlot): void {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const min = u.scales.x!.min ?? 0;
    const max = u.scales.x!.max ?? 0;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    if (this.overlay.length > 0) {
      ctx.strokeStyle = this.colors.prometheus;
      ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
      ctx.lineWidth = devicePixelRatio;
      for (const series of this.overlay) {
        ctx.beginPath();
        let started = false;
        for (const [t, v] of series.points) {
          if (t < min || t > max) continue;
          const px = u.valToPos(t, 'x', true);
          const py = u.valToPos(v, 'y', true);
          if (started) ctx.lineTo(px, py);
          else ctx.moveTo(px, py);
          started = true;
        }
        ctx.stroke();
      }
      ctx.setLineDash([]);
    }
    this.drawRestarts(u, min, max);
    if (!this.hidden.has(1)) {
      const times = this.store.gcTimesMs;
      const from = lowerBound(times, times.length, min);
      const to = lowerBound(times, times.length, max + 1);
      // Many GCs in one pixel column: one marker per column is enough.
      const size = 4 * devicePixelRatio;
      ctx.fillStyle = this.colors.gc;
      let lastPx = -Infinity;
      for (let i = from; i < to; i++) {
        const px = u.valToPos(times[i]!, 'x', true);
        if (px - lastPx < size) continue;
        lastPx = px;
        const py = u.valToPos(this.store.gcHeapAfterBytes[i]!, 'y', true);
        ctx.beginPath();
        ctx.moveTo(px, py - size);
        ctx.lineTo(px - size, py - size * 2.5);
        ctx.lineTo(px + size, py - size * 2.5);
        ctx.closePath();
        ctx.fill();
      }
    }
    ctx.restore();
  }

  /**
   * Changes of process as dashed vertical lines across the plot, with `pid A → pid B` at the top (↻
   * for a restart): unlike a GC's triangle on the heap line, they mark where the series stops being
   * the same process.
   */
  private drawRestarts(u: uPlot, min: number, max: number): void {
    const breaks = this.store.breaks;
    if (this.restartKey) this.restartKey.hidden = breaks.length === 0;
    if (!breaks.length) return;
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    const dpr = devicePixelRatio || 1;
    ctx.save();
    ctx.strokeStyle = this.colors.restart;
    ctx.fillStyle = this.colors.restart;
    ctx.lineWidth = 1.5 * dpr;
    ctx.setLineDash([6 * dpr, 4 * dpr]);
    ctx.font = `${11 * dpr}px sans-serif`;
    ctx.textBaseline = 'top';
    for (const change of breaks) {
      if (change.timeMs < min || change.timeMs > max) continue;
      const px = Math.round(u.valToPos(change.timeMs, 'x', true)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(px, top);
      ctx.lineTo(px, top + height);
      ctx.stroke();
      ctx.fillText(
        `${change.restart ? '↻ ' : ''}pid ${change.fromPid} → ${change.toPid}`,
        px + 4 * dpr,
        top + 2 * dpr,
      );
    }
    ctx.restore();
  }
}
