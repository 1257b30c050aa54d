/** The medians and quartiles the bench reports. */

/** The `q` quantile of `values` (0.5: the median), interpolated between the two nearest. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const above = Math.ceil(at);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (at - below);
}

/** A ratio measured over several runs: the median and the middle half of the runs (their interquartile range). */
export interface Spread {
  median: number;
  q1: number;
  q3: number;
  /** Every run's value, in the order they ran. */
  runs: number[];
}

export function spreadOf(runs: number[]): Spread {
  return { median: quantile(runs, 0.5), q1: quantile(runs, 0.25), q3: quantile(runs, 0.75), runs };
}
