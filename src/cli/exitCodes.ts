// The exit-code contract of `heapscope check` (and the other commands): CI scripts rely on it.
export const exitCodes = {
  ok: 0,
  /** `check`: a leak was found. */
  leak: 1,
  /** Bad usage or a target/input error. */
  usage: 2,
  /** `check`: not enough evidence either way. */
  inconclusive: 3,
  /** A second Ctrl-C: exited at once, without a report (the shell's 128 + SIGINT). */
  interrupted: 130,
} as const;
