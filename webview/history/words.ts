// Words for the history view's figures. Pure, so unit-tested without a browser.
import type { PromHistory } from '../../src/shared/prometheusTypes';

/** "~31 hours", "~3 days", "at its limit", or undefined when it is not heading for one. */
export function timeToLimit(days: number | undefined): string | undefined {
  if (days === undefined) return undefined;
  if (days <= 0) return 'at its limit';
  const hours = days * 24;
  if (hours < 2) return `~${Math.max(1, Math.round(hours * 60))} minutes`;
  if (days < 2) return `~${Math.round(hours)} hours`;
  return `~${Math.round(days)} days`;
}

export function verdictWords(verdict: PromHistory['verdict']['verdict']): string {
  return verdict === 'leak' ? 'leak' : verdict === 'no-leak' ? 'no leak' : 'inconclusive';
}
