// The history chart: uPlot over days of steps. Drag-select zooms, the wheel zooms around the cursor,
// shift-drag pans, double-click shows the whole window again. Restarts, OOM kills and new pods are
// vertical markers; a live session on the same pod is a marker at its start.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { PromEvent } from '../../src/shared/prometheusTypes';
import { byteTicks, formatBytes } from '../format';
import { readChartColors, type ChartColors } from '../theme';
import type { ChartModel } from './model';

const MIN_SPAN_SECONDS = 300;

export class HistoryChart {
  private plot: uPlot | undefined;
  private colors: ChartColors;
  private model: ChartModel = { times: [], lines: [], events: [], points: 0 };
  private liveStartSeconds: number | undefined;

  constructor(private readonly container: HTMLElement) {
    this.colors = readChartColors();
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(container);
  }

  setModel(model: ChartModel): void {
    this.model = model;
    this.rebuild();
  }

  setLiveStart(seconds: number | undefined): void {
    this.liveStartSeconds = seconds;
    this.plot?.redraw(false);
  }

  retheme(): void {
    this.colors = readChartColors();
    this.rebuild();
  }

  resetZoom(): void {
    const { times } = this.model;
    if (this.plot && times.length) this.plot.setScale('x', { min: times[0]!, max: times[times.length - 1]! });
  }

  /** The x range shown (Unix seconds), for the tests. */
  get range(): [number, number] | undefined {
    const x = this.plot?.scales.x;
    return x?.min !== undefined && x.max !== undefined ? [x.min, x.max] : undefined;
  }

  private size(): { width: number; height: number } {
    const rect = this.container.getBoundingClientRect();
    const legend = this.plot?.root.querySelector<HTMLElement>('.u-legend')?.offsetHeight ?? 40;
    return {
      width: Math.max(240, Math.floor(rect.width)),
      height: Math.max(160, Math.floor(rect.height) - legend - 4),
    };
  }

  private rebuild(): void {
    const c = this.colors;
    const keep = this.range;
    this.plot?.destroy();
    const axis = (extra: Partial<uPlot.Axis> = {}): uPlot.Axis => ({
      stroke: c.foreground,
      grid: { stroke: c.grid, width: 1 },
      ticks: { stroke: c.grid, width: 1 },
      ...extra,
    });
    const opts: uPlot.Options = {
      ...this.size(),
      pxAlign: 1,
      scales: {
        x: { time: true },
        y: { auto: true, range: (_u, _min, max) => [0, Math.max(1024, max * 1.05)] },
      },
      axes: [
        axis(),
        axis({
          size: 64,
          values: (_u, splits) => splits.map((v) => formatBytes(v)),
          splits: (_u, _i, min, max) => byteTicks(min, max, 5),
        }),
      ],
      series: [
        {},
        ...this.model.lines.map((line) => ({
          label: line.label,
          stroke: line.colour < 0 ? c.gc : c.series[line.colour % c.series.length],
          width: line.colour === 0 ? 2 : 1.25,
          dash: line.dashed ? [6, 4] : undefined,
          spanGaps: false,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : formatBytes(v)),
        })),
      ],
      legend: { live: true },
      cursor: { drag: { x: true, y: false, setScale: true } },
      hooks: { draw: [(u) => this.drawMarkers(u)] },
    };
    const data: uPlot.AlignedData = [this.model.times, ...this.model.lines.map((l) => l.values)];
    this.plot = new uPlot(opts, data, this.container);
    if (keep) this.plot.setScale('x', { min: keep[0], max: keep[1] });
    this.bindPanZoom(this.plot);
  }

  private bindPanZoom(u: uPlot): void {
    u.over.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const range = this.range;
        if (!range) return;
        const [min, max] = range;
        const rect = u.over.getBoundingClientRect();
        const frac = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
        const at = min + (max - min) * frac;
        const span = Math.max(MIN_SPAN_SECONDS, (max - min) * (event.deltaY < 0 ? 0.8 : 1.25));
        u.setScale('x', { min: at - span * frac, max: at - span * frac + span });
      },
      { passive: false },
    );
    u.over.addEventListener(
      'mousedown',
      (event) => {
        if (!event.shiftKey && event.button !== 1) return;
        event.stopPropagation();
        event.preventDefault();
        const start = this.range;
        if (!start) return;
        const startX = event.clientX;
        const perPx = (start[1] - start[0]) / Math.max(1, u.over.getBoundingClientRect().width);
        const move = (e: MouseEvent): void => {
          const shift = (startX - e.clientX) * perPx;
          u.setScale('x', { min: start[0] + shift, max: start[1] + shift });
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

  private markerColour(kind: PromEvent['kind'] | 'live'): string {
    const c = this.colors;
    if (kind === 'oom-kill') return c.gc;
    if (kind === 'restart') return c.series[2] ?? c.foreground;
    if (kind === 'live') return c.series[0] ?? c.foreground;
    return c.prometheus;
  }

  private drawMarkers(u: uPlot): void {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const marks: Array<{ t: number; kind: PromEvent['kind'] | 'live'; label: string }> =
      this.model.events.map((e) => ({
        t: e.time,
        kind: e.kind,
        label: e.kind === 'oom-kill' ? 'OOM' : e.kind === 'restart' ? 'restart' : 'new pod',
      }));
    if (this.liveStartSeconds !== undefined)
      marks.push({ t: this.liveStartSeconds, kind: 'live', label: 'live' });
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.font = `${10 * devicePixelRatio}px sans-serif`;
    ctx.lineWidth = 1.5 * devicePixelRatio;
    // Labels of markers close together (an OOM kill and its restart) stack instead of overlapping.
    marks.sort((a, b) => a.t - b.t);
    let lastPx = -Infinity;
    let row = 0;
    for (const m of marks) {
      const px = u.valToPos(m.t, 'x', true);
      if (px < left || px > left + width) continue;
      row = px - lastPx < 48 * devicePixelRatio ? row + 1 : 0;
      lastPx = px;
      ctx.strokeStyle = this.markerColour(m.kind);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.setLineDash(m.kind === 'pod-change' ? [3 * devicePixelRatio, 3 * devicePixelRatio] : []);
      ctx.beginPath();
      ctx.moveTo(px, top);
      ctx.lineTo(px, top + height);
      ctx.stroke();
      ctx.fillText(m.label, px + 3 * devicePixelRatio, top + (12 + row * 12) * devicePixelRatio);
    }
    ctx.restore();
  }
}
