import { setTimeout as sleep } from "node:timers/promises";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { Observability } from "./observability.ts";
import { pendingWork } from "./pendingWork.ts";

/**
 * How long an invocation waits for the nudges its handler left in flight: an SQS send takes
 * milliseconds, and one that hangs must not hold a committed answer until the function's
 * timeout (a client would see a 5xx for a change that landed). What is still in flight after it
 * goes out at the environment's next invocation; agents re-sync and the sweep reconciles anyway.
 */
export const PENDING_WORK_WAIT_MS = 2000;

/**
 * A function's Lambda entry: Powertools' middlewares around a handler made on first use (the
 * factories in handler.ts need clients that are built once per container, see lazy()). The
 * invocation ends once the work its handler left in flight is done (pendingWork.ts), or after
 * PENDING_WORK_WAIT_MS, never past the function's own time.
 */
export function lambdaEntry<E, R>(
  obs: Observability,
  handler: () => Promise<(event: E, context: Context) => Promise<R>>,
) {
  return middy(async (event: E, context: Context) => {
    try {
      return await (await handler())(event, context);
    } finally {
      const left = context.getRemainingTimeInMillis?.() ?? PENDING_WORK_WAIT_MS;
      const wait = new AbortController();
      await Promise.race([
        pendingWork.settled(),
        sleep(Math.max(0, Math.min(PENDING_WORK_WAIT_MS, left - 500)), undefined, { signal: wait.signal }).catch(
          () => {},
        ),
      ]);
      wait.abort();
    }
  }).use(obs.middlewares);
}
