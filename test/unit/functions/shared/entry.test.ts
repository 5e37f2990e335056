import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { inBackground } from "../../../../core/operations/background.ts";
import type { ActionContext } from "../../../../core/operations/context.ts";
import { lambdaEntry } from "../../../../functions/shared/entry.ts";
import { observability } from "../../../../functions/shared/observability.ts";
import { pendingWork } from "../../../../functions/shared/pendingWork.ts";

const lambda = {
  functionName: "berth-test",
  awsRequestId: "req-1",
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

/** A send that completes when the test says so, recording that it did. */
function deferredSend(log: string[], name: string) {
  let release = () => {};
  const sent = new Promise<void>((resolve) => {
    release = () => {
      log.push(name);
      resolve();
    };
  });
  return { sent, release };
}

/**
 * Lambda freezes an environment once its handler returns: a nudge an action left in flight
 * would wait for the next invocation. The entry ends the invocation only when it is sent.
 */
describe("a function's entry", () => {
  it("answers only once the nudges its action left in flight are sent, ones they started included", async () => {
    const log: string[] = [];
    const ctx = { background: pendingWork, onBackgroundError: () => log.push("reported") } as unknown as ActionContext;
    const first = deferredSend(log, "nudge sent");
    const second = deferredSend(log, "follow-up sent");
    const handler = lambdaEntry(observability("test"), async () => async () => {
      inBackground(
        ctx,
        first.sent.then(() => inBackground(ctx, second.sent, "follow-up")),
        "nudge",
      );
      inBackground(ctx, Promise.reject(new Error("queue down")), "lost nudge");
      return "ok";
    });
    const answered = handler({}, lambda).then((result) => log.push(`answered ${result}`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).toEqual(["reported"]);
    first.release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).toEqual(["reported", "nudge sent"]);
    second.release();
    await answered;
    expect(log).toEqual(["reported", "nudge sent", "follow-up sent", "answered ok"]);
  });

  it("answers a committed call after a bounded wait when a nudge hangs (it goes out at the next invocation)", async () => {
    const ctx = { background: pendingWork } as unknown as ActionContext;
    const hung = deferredSend([], "hung");
    const handler = lambdaEntry(observability("test"), async () => async () => {
      inBackground(ctx, hung.sent, "a send that hangs");
      return "ok";
    });
    expect(await handler({}, lambda)).toBe("ok");
    hung.release();
    await pendingWork.settled();
  });
});
