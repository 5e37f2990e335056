import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { Observability } from "./observability.ts";
import { pendingWork } from "./pendingWork.ts";

/**
 * A function's Lambda entry: Powertools' middlewares around a handler made on first use (the
 * factories in handler.ts need clients that are built once per container, see lazy()). The
 * invocation ends once the work its handler left in flight is done (pendingWork.ts).
 */
export function lambdaEntry<E, R>(
  obs: Observability,
  handler: () => Promise<(event: E, context: Context) => Promise<R>>,
) {
  return middy(async (event: E, context: Context) => {
    try {
      return await (await handler())(event, context);
    } finally {
      await pendingWork.settled();
    }
  }).use(obs.middlewares);
}
