// A bound on requests in flight. Every query of a history or a namespace scan goes through one gate,
// so a scan of hundreds of containers never opens more connections than the server's
// --query.max-concurrency (default 20) can serve without queueing the user's dashboards behind us.

export type RequestGate = <T>(fn: () => Promise<T>) => Promise<T>;

/** Runs at most `max` of the given calls at once; the others wait in arrival order. */
export function requestGate(max: number): RequestGate {
  if (!(max >= 1)) throw new RangeError(`requestGate: max must be at least 1 (got ${max}).`);
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    // A released slot passes straight to the next waiter, so a newcomer can never slip in between.
    if (active >= max) await new Promise<void>((r) => waiting.push(r));
    else active++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
