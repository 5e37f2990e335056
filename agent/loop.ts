import { describeError, type Logger } from "./log.ts";

/**
 * A job that runs on demand and at least every `intervalMs`, never twice at once: a trigger
 * during a run queues exactly one more run (runs are full re-syncs, so one catches up on any
 * number of triggers). A failed run is logged and retried at the next trigger or interval.
 */
export interface Loop {
  /** Resolves when a run that started after this call has finished. */
  trigger(): Promise<void>;
  close(): void;
}

/** `intervalMs` is read after each run, so it may change while the loop runs. */
export function createLoop(
  name: string,
  intervalMs: number | (() => number),
  job: () => Promise<void>,
  log: Logger,
): Loop {
  const interval = typeof intervalMs === "number" ? () => intervalMs : intervalMs;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let next: Promise<void> | undefined;

  const runOnce = async () => {
    clearTimeout(timer);
    try {
      await job();
    } catch (error) {
      log.warn(`${name} failed (${describeError(error)}); retrying within ${Math.round(interval() / 1000)} s.`);
    } finally {
      if (!closed) timer = setTimeout(() => void trigger(), interval());
    }
  };

  function trigger(): Promise<void> {
    if (closed) return Promise.resolve();
    if (!current) {
      current = runOnce().finally(() => {
        current = undefined;
      });
      return current;
    }
    // A run is under way: the queued one starts when it ends, shared by every trigger meanwhile.
    next ??= current.then(() => {
      next = undefined;
      return trigger();
    });
    return next;
  }

  return {
    trigger,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
