// Robust trend statistics used by the verdict and the suspect ranking. Theil–Sen and Mann–Kendall are
// rank-based: one huge GC hump or one late sample cannot drag the slope the way least squares would,
// and they make no assumption about the noise distribution (heap floors are anything but Gaussian).
// Both are O(n²) in the number of points; callers bucket their series to a few hundred points first.

export interface SlopeEstimate {
  /** Median of pairwise slopes (units of y per unit of x). */
  slope: number;
  /** Sen's confidence interval for the slope (95 %, two-sided), from the Mann–Kendall variance. */
  lower: number;
  upper: number;
  /** Intercept such that y ≈ intercept + slope·x at the median point. */
  intercept: number;
}

export interface TrendTest {
  /** Mann–Kendall S statistic: concordant minus discordant pairs. */
  s: number;
  /** Normal-approximation z score (continuity-corrected). */
  z: number;
  /** One-sided p-value for "increasing" (small: strong evidence of growth). */
  pIncreasing: number;
  /** One-sided p-value for "decreasing". */
  pDecreasing: number;
  /** Variance of S under no trend, ties corrected. */
  variance: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return quantileSorted(sorted, 0.5);
}

export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/** Standard normal cumulative distribution (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export function mannKendall(ys: readonly number[]): TrendTest {
  const n = ys.length;
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = ys[j] - ys[i];
      if (d > 0) s++;
      else if (d < 0) s--;
    }
  }
  // Tie correction: bucketed floors of a flat heap repeat exact values, which would otherwise
  // overstate the variance's denominator and understate significance.
  const counts = new Map<number, number>();
  for (const y of ys) counts.set(y, (counts.get(y) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of counts.values()) if (t > 1) tieTerm += t * (t - 1) * (2 * t + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  let z = 0;
  if (variance > 0) {
    if (s > 0) z = (s - 1) / Math.sqrt(variance);
    else if (s < 0) z = (s + 1) / Math.sqrt(variance);
  }
  return { s, z, pIncreasing: 1 - normalCdf(z), pDecreasing: normalCdf(z), variance };
}

export function theilSen(xs: readonly number[], ys: readonly number[]): SlopeEstimate {
  const n = Math.min(xs.length, ys.length);
  const slopes: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = xs[j] - xs[i];
      if (dx !== 0) slopes.push((ys[j] - ys[i]) / dx);
    }
  }
  if (slopes.length === 0) return { slope: 0, lower: -Infinity, upper: Infinity, intercept: ys[0] ?? 0 };
  slopes.sort((a, b) => a - b);
  const slope = quantileSorted(slopes, 0.5);
  // Sen (1968): the CI bounds are order statistics of the pairwise slopes, offset by z·sqrt(Var S).
  const variance = (n * (n - 1) * (2 * n + 5)) / 18;
  const c = 1.96 * Math.sqrt(variance);
  const count = slopes.length;
  const lowIndex = Math.max(0, Math.floor((count - c) / 2) - 1);
  const highIndex = Math.min(count - 1, Math.ceil((count + c) / 2));
  const lower = n >= 3 ? slopes[lowIndex] : -Infinity;
  const upper = n >= 3 ? slopes[highIndex] : Infinity;
  const residualCenters: number[] = [];
  for (let i = 0; i < n; i++) residualCenters.push(ys[i] - slope * xs[i]);
  return { slope, lower, upper, intercept: median(residualCenters) };
}

/** Median absolute deviation (scaled to σ for normal data). */
export function mad(values: readonly number[]): number {
  const center = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - center)));
}
