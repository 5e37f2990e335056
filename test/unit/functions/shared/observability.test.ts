import { MetricUnit } from "@aws-lambda-powertools/metrics";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { observability } from "../../../../functions/shared/observability.ts";

const context = {
  functionName: "berth-test",
  awsRequestId: "req-1",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:berth-test",
  memoryLimitInMB: "128",
  functionVersion: "$LATEST",
  getRemainingTimeInMillis: () => 1000,
} as unknown as Context;

/** What the function wrote to stdout and stderr while `run` ran (where Lambda's log goes). */
async function output(run: () => Promise<unknown>): Promise<string> {
  const written: string[] = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
  try {
    await run();
  } finally {
    vi.restoreAllMocks();
  }
  return written.join("");
}

afterEach(() => vi.restoreAllMocks());

describe("a function's observability", () => {
  it("logs nothing for an invocation that recorded no metric, and the metrics of one that did", async () => {
    const obs = observability("test");
    const handler = middy(async (record: boolean) => {
      if (record) obs.metrics.addMetric("TasksLaunched", MetricUnit.Count, 2);
      return "ok";
    }).use(obs.middlewares);
    expect(await output(() => handler(false, context))).toBe("");
    const logged = await output(() => handler(true, context));
    expect(JSON.parse(logged)).toMatchObject({
      TasksLaunched: 2,
      _aws: { CloudWatchMetrics: [{ Namespace: "Berth" }] },
    });
  });

  it("publishes what a failing invocation recorded before it threw", async () => {
    const obs = observability("test");
    const handler = middy(async () => {
      obs.metrics.addMetric("Failures", MetricUnit.Count, 1);
      throw new Error("boom");
    }).use(obs.middlewares);
    const logged = await output(() => handler(undefined, context).catch(() => undefined));
    expect(logged).toContain('"Failures":1');
  });
});
