/**
 * Work an action starts after its commit and does not wait for: the nudges to agents' and the
 * scheduler's queues. It never fails the request it happens in (the commit is the truth; agents
 * re-sync and the sweep reconciles services), but where the process may be frozen once the
 * response is out, as Lambda freezes an environment between invocations, the function awaits
 * it before answering (functions/shared/entry.ts): a nudge left in flight there would wait for the
 * environment's next invocation, and the task or service it was for with it.
 */
export interface BackgroundWork {
  add(work: Promise<unknown>): void;
  /** Resolves once nothing is left in flight, work added meanwhile included. */
  settled(): Promise<void>;
}

export function backgroundWork(): BackgroundWork {
  const pending = new Set<Promise<unknown>>();
  return {
    add(work) {
      const tracked: Promise<unknown> = work.finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
