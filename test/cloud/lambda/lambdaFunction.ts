import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { FunctionError, type RuntimeApiServer, startRuntimeApi } from "./runtimeApi.ts";

/**
 * One Lambda function as Lambda runs it: its deployed directory (the unzipped code, nothing else
 * beside it) loaded by the official Runtime Interface Client for Node (`aws-lambda-ric`, the one
 * AWS's own Node base images run) in a process of its own, with the environment Lambda gives it
 * (nothing of the test's), talking to our Runtime API server. The process starts at the first
 * invocation (a cold start) and again after it died (an init error, a crash, a timeout), as
 * Lambda replaces an execution environment. Between invocations the process is stopped
 * (SIGSTOP), as Lambda freezes an environment once its runtime asks for the next event: what a
 * handler leaves running after it returns (an un-awaited send, a timer) waits for the next
 * invocation, as on AWS. Everything the runtime prints goes to the test's
 * output, prefixed with the function's name, and every error is kept in `errors`, so that a
 * failure in a function never goes unseen, even where an event source retries it.
 */
export interface LambdaFunctionConfig {
  name: string;
  /** The unzipped deployment package: LAMBDA_TASK_ROOT. */
  dir: string;
  /**
   * The whole environment of the runtime's process: Lambda's own variables and the function's
   * (test/infra/lambdaEnvironment.ts), plus what this machine's stand-ins need.
   */
  environment: Record<string, string>;
  timeoutSeconds: number;
  region: string;
  accountId: string;
}

export interface LambdaFunction {
  name: string;
  arn: string;
  invoke(event: unknown): Promise<unknown>;
  /** Every init, invocation and sandbox error so far, in order. */
  errors: FunctionError[];
  stop(): Promise<void>;
}

/**
 * The RIC's entry point, from its own install in test/cloud/ric (scripts/lambda-ric.sh, which
 * `npm run test:cloud` runs first): its native client (rapid-client.node) is built at install.
 */
const RIC = createRequire(new URL("../ric/package.json", import.meta.url)).resolve("aws-lambda-ric");

export async function startLambdaFunction(config: LambdaFunctionConfig): Promise<LambdaFunction> {
  const arn = `arn:aws:lambda:${config.region}:${config.accountId}:function:${config.name}`;
  const api: RuntimeApiServer = await startRuntimeApi(config.name, arn);
  const errors: FunctionError[] = [];
  let runtime: ChildProcess | undefined;
  let stopping = false;

  let frozen = false;
  api.onIdle = () => {
    if (!runtime || frozen) return;
    frozen = true;
    runtime.kill("SIGSTOP");
  };
  const thaw = () => {
    if (!frozen) return;
    frozen = false;
    runtime?.kill("SIGCONT");
  };

  api.onInitError = (body) => {
    console.error(`[${config.name}] INIT ERROR ${body.errorType}: ${body.errorMessage}`);
    // That environment is done for: the next invocation starts another, as Lambda does.
    runtime = undefined;
  };

  const env = { ...config.environment, AWS_LAMBDA_RUNTIME_API: api.address };

  const start = () => {
    frozen = false;
    const child = spawn(process.execPath, [RIC], { cwd: config.dir, env, stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => console.log(`[${config.name}] ${line}`));
    }
    child.on("exit", (code, signal) => {
      // An environment already given up (an init error) takes nothing down with it.
      if (runtime !== child || stopping) return;
      runtime = undefined;
      // Lambda's answer to an invocation whose runtime exited under it.
      api.failAll(
        new FunctionError(config.name, "sandbox", {
          errorType: "Runtime.ExitError",
          errorMessage: `RequestId: - Error: Runtime exited with ${signal ? `signal: ${signal}` : `error: exit status ${code}`}`,
        }),
      );
    });
    return child;
  };

  return {
    name: config.name,
    arn,
    errors,
    async invoke(event) {
      thaw();
      runtime ??= start();
      const child = runtime;
      const timeoutMs = config.timeoutSeconds * 1000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // Lambda ends the environment of an invocation past its timeout.
          child.kill("SIGKILL");
          reject(
            new FunctionError(config.name, "sandbox", {
              errorType: "Sandbox.Timedout",
              errorMessage: `Task timed out after ${config.timeoutSeconds.toFixed(2)} seconds`,
            }),
          );
        }, timeoutMs);
      });
      try {
        return await Promise.race([api.invoke(event, timeoutMs), timedOut]);
      } catch (error) {
        if (error instanceof FunctionError) {
          errors.push(error);
          console.error(
            `[${config.name}] ${error.message}${error.body.stackTrace ? `\n  ${error.body.stackTrace.join("\n  ")}` : ""}`,
          );
        }
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    async stop() {
      stopping = true;
      const child = runtime;
      if (child && child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        });
      }
      await api.close();
    },
  };
}
