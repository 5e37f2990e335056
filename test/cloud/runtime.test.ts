import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { lambdaEnvironment } from "../infra/lambdaEnvironment.ts";
import { type LambdaFunction, startLambdaFunction } from "./lambda/lambdaFunction.ts";
import { FunctionError } from "./lambda/runtimeApi.ts";

/**
 * The Lambda harness itself, on small functions of known behaviour: each one alone in an empty
 * directory, run by the official Runtime Interface Client against our Runtime API server. What
 * it must show is what Lambda shows: the response, the handler's error, the init error, a timeout.
 */
const started: LambdaFunction[] = [];
const dirs: string[] = [];

async function deploy(
  fixture: string,
  options: { timeoutSeconds?: number; environment?: Record<string, string> } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), "berth-lambda-"));
  dirs.push(dir);
  copyFileSync(join(import.meta.dirname, "fixtures", `${fixture}.mjs`), join(dir, "index.mjs"));
  const fixtureFn = {
    component: fixture,
    entry: fixture,
    name: `fixture-${fixture}`,
    arn: `arn:aws:lambda:us-east-1:123456789012:function:fixture-${fixture}`,
    handler: "index.handler",
    runtime: "nodejs24.x",
    architecture: "arm64",
    memory: 128,
    timeout: options.timeoutSeconds ?? 10,
    role: "",
    environment: options.environment ?? {},
    zip: "",
    dir,
  };
  const fn = await startLambdaFunction({
    name: fixtureFn.name,
    dir,
    environment: lambdaEnvironment(fixtureFn, dir, "us-east-1"),
    timeoutSeconds: fixtureFn.timeout,
    region: "us-east-1",
    accountId: "123456789012",
  });
  started.push(fn);
  return fn;
}

afterEach(async () => {
  for (const fn of started.splice(0)) await fn.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the Lambda harness (aws-lambda-ric against our Runtime API)", () => {
  it("answers invocations one after another from one warm runtime, with Lambda's context", async () => {
    const fn = await deploy("echo", { environment: { GREETING: "hello" } });
    const first = (await fn.invoke({ n: 1 })) as Record<string, unknown>;
    const second = (await fn.invoke({ n: 2 })) as Record<string, unknown>;
    expect(first).toMatchObject({ event: { n: 1 }, functionName: "fixture-echo", env: "hello" });
    expect(second).toMatchObject({ event: { n: 2 } });
    expect(first.requestId).not.toEqual(second.requestId);
    expect(first.remainingMs).toBeGreaterThan(5_000);
    expect(fn.errors).toEqual([]);
  });

  it("surfaces a handler's error as Lambda reports it, and the runtime stays up", async () => {
    const fn = await deploy("throws");
    const failure = (await fn.invoke({}).catch((e) => e)) as FunctionError;
    expect(failure).toBeInstanceOf(FunctionError);
    expect(failure.phase).toBe("invoke");
    expect(failure.body).toMatchObject({ errorType: "HandlerFailed", errorMessage: "the handler failed" });
    await expect(fn.invoke({})).rejects.toThrow(/the handler failed/);
    expect(fn.errors).toHaveLength(2);
  });

  it("surfaces an init error (a file read from beside the bundle) and fails the invocation", async () => {
    const fn = await deploy("initError");
    const failure = (await fn.invoke({}).catch((e) => e)) as FunctionError;
    expect(failure).toBeInstanceOf(FunctionError);
    expect(failure.phase).toBe("init");
    expect(failure.body.errorMessage).toMatch(/ENOENT.*ecs-model\.json/);
    // The next invocation starts a new environment, which fails again.
    await expect(fn.invoke({})).rejects.toThrow(/init error/);
  });

  it("freezes the environment between invocations: work left after a return waits for the next one", async () => {
    const fn = await deploy("lateWork");
    expect(await fn.invoke({})).toEqual({ firedAt: null });
    // Frozen: the 250 ms timer cannot fire while no invocation runs. (It can fire before the
    // freeze if the runtime takes that long to ask for the next event: a loaded machine.)
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const thawedAt = Date.now();
    const { firedAt } = (await fn.invoke({})) as { firedAt: number | null };
    // Thawed, the overdue timer fires before or after the handler looks, never during the wait.
    if (firedAt !== null) expect(firedAt).toBeGreaterThanOrEqual(thawedAt);
  });

  it("ends an invocation past the function's timeout", async () => {
    const fn = await deploy("slow", { timeoutSeconds: 1 });
    await expect(fn.invoke({})).rejects.toThrow(/Task timed out after 1.00 seconds/);
  });
});
