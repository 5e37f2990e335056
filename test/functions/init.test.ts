import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASSETS_DIR } from "../../console/assets.ts";
import { REGION } from "../infra/graph/awsMocks.ts";
import { evaluateGraph, type Graph, ROOT } from "../infra/graph.ts";
import { lambdaEnvironment } from "../infra/lambdaEnvironment.ts";
import { unzip } from "../support/unzip.ts";

/**
 * Every artefact a deploy ships starts from where it is deployed, with nothing of the source
 * tree beside it: each function's zip, as SST's component makes it (test/infra/graph.ts),
 * unpacked into an empty directory and initialised in its own Node process as Lambda's Node
 * runtime initialises it (test/support/lambdaInit.mjs), in the environment Lambda gives it; and
 * the agent's bundle, which hosts download, run alone in an empty directory. A module that reads
 * a file from beside its source, or imports what the bundle left out, fails here with its error.
 */
const run = promisify(execFile);
let graph: Graph;

beforeAll(async () => {
  graph = await evaluateGraph("dev");
}, 240_000);

/** Empty directories, each the only thing a process is given, removed after the suite. */
const made: string[] = [];
const emptyDir = (prefix: string) => {
  made.push(mkdtempSync(join(tmpdir(), prefix)));
  return made[made.length - 1];
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** The process's outcome, whatever its exit code. */
async function start(args: string[], options: { cwd: string; env: Record<string, string> }) {
  return run(process.execPath, args, { ...options, timeout: 30_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? -1,
      stdout: error.stdout ?? "",
      stderr: error.stderr ?? "",
    }),
  );
}

describe("each function, deployed", () => {
  it.each(["api", "scheduler", "sweeper", "events", "deploy"])("%s starts as Lambda starts it", async (entry) => {
    const functions = graph.functions.filter((f) => f.entry === entry);
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      const task = emptyDir("berth-task-");
      unzip(fn.zip, task);
      expect(readdirSync(task).sort(), fn.component).toEqual(["functions", "resource.enc"]);
      const init = await start([join(ROOT, "test/support/lambdaInit.mjs")], {
        cwd: task,
        env: lambdaEnvironment(fn, task, REGION),
      });
      // The init error as Lambda would log it, when there is one.
      expect(`${init.stdout}${init.stderr}`.trim(), fn.component).toBe('{"ok":true}');
    }
  });
});

describe("the console function, deployed", () => {
  it("starts as Lambda starts it and answers GET /console/ with the page from the assets beside it", async () => {
    const fn = graph.functions.find((f) => f.entry === "console");
    if (!fn) throw new Error("no console function in the graph");
    const task = emptyDir("berth-task-");
    unzip(fn.zip, task);
    expect(readdirSync(task).sort()).toEqual([ASSETS_DIR, "functions", "resource.enc"]);
    const env = lambdaEnvironment(fn, task, REGION);
    const init = await start([join(ROOT, "test/support/lambdaInit.mjs")], { cwd: task, env });
    expect(`${init.stdout}${init.stderr}`.trim()).toBe('{"ok":true}');
    // One invocation, as API Gateway (payload 2.0) sends GET /console/.
    const invoke = `
      const { handler } = await import(${JSON.stringify(join(task, `${fn.handler.slice(0, fn.handler.lastIndexOf("."))}.mjs`))});
      const event = { version: "2.0", routeKey: "GET /console/{proxy+}", rawPath: "/console/", rawQueryString: "",
        headers: {}, requestContext: { http: { method: "GET", path: "/console/" } }, isBase64Encoded: false };
      const context = { awsRequestId: "init-test", functionName: "console", getRemainingTimeInMillis: () => 3000 };
      const answer = await handler(event, context);
      process.stdout.write(JSON.stringify({ statusCode: answer.statusCode, type: answer.headers?.["content-type"],
        html: String(answer.body).slice(0, 200) }));`;
    const page = await start(["--input-type=module", "-e", invoke], { cwd: task, env });
    const answer = JSON.parse(page.stdout || "{}");
    expect(answer, page.stderr).toMatchObject({ statusCode: 200 });
    expect(String(answer.type)).toMatch(/^text\/html/);
    expect(answer.html).toMatch(/<!doctype html>/i);
  });
});

describe("the agent's bundle, downloaded", () => {
  it("starts alone in an empty directory and stops at its missing configuration", async () => {
    const source = graph.agent.bundle;
    const home = emptyDir("berth-host-");
    copyFileSync(source, join(home, basename(source)));

    const agent = await start([basename(source)], { cwd: home, env: { PATH: "/usr/bin:/bin", HOME: home } });
    // Past module init: what stops it is the configuration it was not given, not a missing module or file.
    expect(agent.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)|ENOENT/);
    expect(agent.stderr.trim()).toMatch(/^berth agent: BERTH_ENDPOINT is not set/);
    expect(agent.code).toBe(1);
  });
});
