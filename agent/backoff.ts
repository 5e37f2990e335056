/** Retry pacing shared by every loop of the agent that talks to something that may be away. */

const BASE_MS = 250;
const CAP_MS = 30_000;

/**
 * The delay before retry number `attempt` (from 1): exponential from 250 ms, capped at 30 s, with
 * full jitter (a random delay up to the bound) so many agents do not retry in step.
 */
export const jitteredBackoff = (attempt: number): number =>
  Math.random() * Math.min(CAP_MS, BASE_MS * 2 ** Math.min(attempt - 1, 20));

/** Resolves after `ms`, or at once when `signal` aborts (so close() never waits out a backoff). */
export const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
