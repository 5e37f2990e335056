import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apis } from "../../core/actions/index.ts";
import { createAccessControl } from "../../core/auth/accessControl.ts";
import { ensureAccessKey, generateAccessKey } from "../../core/auth/accessKeys.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import { handleEcsRequest, type ProtocolDeps, type RawResponse } from "../../core/protocol/handle.ts";
import { ecsModel } from "../../core/protocol/model.ts";
import { reconcileService } from "../../core/services/reconcile.ts";
import { ECS_PREFIX, type FuzzCase, generateCase, type Targets } from "../fuzz/cases.ts";
import { invariantProblems } from "../fuzz/invariants.ts";
import { outputProblems } from "../fuzz/outputCheck.ts";
import type { Plausible } from "../fuzz/values.ts";
import { openRecordedTestStore, type RecordedStore } from "../support/storeRecords.ts";

/**
 * Model-aware fuzzing of the whole protocol layer in this process (signature, throttling,
 * authorization, validation, the action, the store), for every action of the ECS model, Berth's
 * own and bogus targets: valid requests from the botocore shapes, broken in one to three places
 * (test/fuzz/). For every case: no 5xx, no exception out of the handler, no unhandled rejection,
 * an ECS-shaped error on every 4xx, every record of the store as it was after a refusal; and after
 * an acceptance, an answer of the operation's output shape and no instance overbooked.
 *
 * The cases that ever failed (test/fuzz/replay.json) run first. The seed is printed;
 * BERTH_FUZZ_SEED replays a run, BERTH_FUZZ_CASES sizes it (the nightly run: 10000), and
 * BERTH_FUZZ_FAILURES_OUT=<file> writes a run's failures there in the replay file's form;
 * BERTH_FUZZ_LOG=1 prints every case and its answer.
 */
const PARTITION = { region: "us-east-1", accountId: "000000000000" };
const ON_DYNAMODB = process.env.BERTH_TEST_STORE === "dynamodb";
/** Fewer on DynamoDB Local, where each case's two scans of the table take tens of milliseconds. */
const CASES = Number(process.env.BERTH_FUZZ_CASES ?? (ON_DYNAMODB ? 150 : 2000));
const SEED = Number(process.env.BERTH_FUZZ_SEED ?? randomInt(2 ** 32));
const REPLAY_FILE = new URL("../fuzz/replay.json", import.meta.url);
const UNLIMITED = { burst: 1e9, rate: 1e9 };
/** The actions after whose acceptance a round of the service scheduler runs. */
const SERVICE_CHANGES = new Set(["CreateService", "UpdateService", "DeleteService"]);

const admin = generateAccessKey();
/** A key allowed every action on the cluster `default` only: its requests go through authorization by resource. */
const scoped = generateAccessKey();
const SCOPED_POLICY = {
  kind: "scoped" as const,
  actions: ["ecs:*", "berth:Describe*"],
  resources: [
    "arn:aws:ecs:*:*:cluster/default",
    "arn:aws:ecs:*:*:*/default/*",
    "arn:aws:ecs:*:*:task-definition/app:*",
  ],
};
let recorded: RecordedStore;
let deps: ProtocolDeps;
const backgroundErrors: string[] = [];
const unhandled: string[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(String((reason as Error)?.stack ?? reason));
let plausible: Plausible;
/**
 * The fixtures' references that differ from run to run (the ids Berth makes), by name: written
 * as `{{name}}` in the replay file, and put back before a replayed case is sent.
 */
let references: Record<string, string>;

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  recorded = await openRecordedTestStore();
  const store = recorded.store;
  const kek = randomBytes(32);
  const keyEncryptionKey = { get: async () => kek };
  await ensureAccessKey(store, keyEncryptionKey, admin, { kind: "admin" }, "fuzz");
  await ensureAccessKey(store, keyEncryptionKey, scoped, SCOPED_POLICY, "fuzz, scoped");
  const context: ActionContext = {
    store,
    partition: PARTITION,
    now: () => new Date(),
    keyEncryptionKey,
    onBackgroundError: (error, what) => backgroundErrors.push(`${what}: ${String(error)}`),
    onAssumption: () => {},
  };
  const throttle = { read: UNLIMITED, mutate: UNLIMITED, agent: UNLIMITED };
  const access = createAccessControl({ store, partition: PARTITION, keyEncryptionKey, throttle });
  deps = { apis, context, access };
  ({ plausible, references } = await createFixtures());
});

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await recorded?.close();
});

/** A cluster with an instance, a task definition, a task and a service, for the cases to find. */
async function createFixtures(): Promise<{ plausible: Plausible; references: Record<string, string> }> {
  const call = async (action: string, input: unknown) => {
    const response = await send(`${ECS_PREFIX}.${action}`, JSON.stringify(input));
    if (response.status !== 200) throw new Error(`${action}: ${response.body}`);
    return JSON.parse(response.body);
  };
  const { cluster } = await call("CreateCluster", {});
  const { taskDefinition } = await call("RegisterTaskDefinition", {
    family: "app",
    containerDefinitions: [{ name: "c", image: "busybox", memory: 64, portMappings: [{ containerPort: 80 }] }],
  });
  const { containerInstance } = await call("RegisterContainerInstance", {
    totalResources: [
      { name: "CPU", type: "INTEGER", integerValue: 4096 },
      { name: "MEMORY", type: "INTEGER", integerValue: 8192 },
    ],
  });
  const { tasks } = await call("RunTask", { taskDefinition: "app" });
  const { service } = await call("CreateService", { serviceName: "web", taskDefinition: "app", desiredCount: 1 });
  const instanceArn: string = containerInstance.containerInstanceArn;
  const taskArn: string = tasks[0].taskArn;
  const arns = [cluster.clusterArn, taskDefinition.taskDefinitionArn, instanceArn, taskArn, service.serviceArn];
  const references = {
    containerInstanceArn: instanceArn,
    containerInstanceId: instanceArn.split("/").at(-1) as string,
    taskArn,
    taskId: taskArn.split("/").at(-1) as string,
  };
  const plausible = {
    byMember: {
      cluster: ["default", cluster.clusterArn],
      taskdefinition: ["app", "app:1", taskDefinition.taskDefinitionArn],
      family: ["app"],
      containerinstance: [instanceArn, references.containerInstanceId],
      task: [taskArn, references.taskId],
      service: ["web", service.serviceArn],
      resourcearn: arns,
      arn: arns,
      name: ["app", "web", "c", "default", "containerInsights"],
      image: ["busybox"],
      startedby: ["fuzz"],
      // Tokens as Berth makes them (base64url JSON of a cursor), with cursors no list ever ends on.
      nexttoken: ["default", "", "x".repeat(1100), "\ud800", "app#0000000001"].map((after) =>
        Buffer.from(JSON.stringify({ after })).toString("base64url"),
      ),
    },
    any: ["default", "app", "app:1", "c", "web", "busybox", "RUNNING", ...arns],
  };
  return { plausible, references };
}

/** `text` with the fixtures' references as `{{name}}` (ARNs first: they contain the ids). */
const withPlaceholders = (text: string) =>
  Object.entries(references).reduce((t, [name, value]) => t.replaceAll(value, `{{${name}}}`), text);

/** `text` with the fixtures' references put back, and `{{repeat N c}}` as N times c (long values stay short in the file). */
const withReferences = (text: string) =>
  text
    .replace(/\{\{repeat (\d+) (.)\}\}/g, (_, n: string, c: string) => c.repeat(Number(n)))
    .replace(/\{\{(\w+)\}\}/g, (whole, name: string) => references[name] ?? whole);

async function signed(target: string, body: string, key: FuzzCase["key"] = "admin") {
  const credentials = key === "scoped" ? scoped : admin;
  const signer = new SignatureV4({ credentials, region: "us-east-1", service: "ecs", sha256: Sha256 });
  const request = await signer.sign(
    new HttpRequest({
      method: "POST",
      hostname: "berth",
      path: "/",
      headers: { host: "berth", "x-amz-target": target },
      body,
    }),
  );
  return { method: "POST", path: "/", query: {}, headers: { ...request.headers } as Record<string, string>, body };
}

async function send(
  target: string,
  body: string,
  mutate?: (r: Awaited<ReturnType<typeof signed>>) => void,
  key?: FuzzCase["key"],
) {
  const request = await signed(target, body, key);
  mutate?.(request);
  // A request id of its own, as API Gateway gives each: it names the call's audit event (with the
  // time in ms), and two calls in one millisecond under one id collide on it.
  return handleEcsRequest(request, deps, randomUUID());
}

interface ReplayCase {
  target: string;
  body: string;
  /** The run and case that found it. */
  found: string;
  /** What was wrong, and what fixed it. */
  defect: string;
  /** "scoped" when the scoped key signed it; the admin key did otherwise. */
  key?: FuzzCase["key"];
}

interface Problem {
  problem: string;
  response?: string;
}

interface Failure extends Problem {
  fuzzCase: FuzzCase;
  found: string;
}

/** What is wrong with the answer to one case; none when all is well. */
async function check(fuzzCase: FuzzCase, before: string): Promise<{ outcome: string; problems: Problem[] }> {
  const problems: Problem[] = [];
  let response: RawResponse;
  try {
    response = await send(fuzzCase.target, fuzzCase.body, undefined, fuzzCase.key);
  } catch (error) {
    return { outcome: "thrown", problems: [{ problem: `the handler threw: ${(error as Error)?.stack ?? error}` }] };
  }
  // One turn of the event loop, for a rejection nobody awaited to be reported.
  await new Promise((resolve) => setImmediate(resolve));
  const shown = `${response.status} ${response.body.slice(0, 300)}`;
  if (response.status >= 500) problems.push({ problem: "a 5xx", response: shown });
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    problems.push({ problem: "an answer that is not JSON", response: shown });
  }
  const operation = fuzzCase.target.startsWith(`${ECS_PREFIX}.`) ? fuzzCase.target.slice(ECS_PREFIX.length + 1) : "";
  if (response.status === 200 && operation) {
    const wrong = outputProblems(ecsModel, operation, parsed);
    if (wrong.length > 0)
      problems.push({ problem: `an answer ECS's model does not allow: ${wrong.join("; ")}`, response: shown });
  }
  if (response.status === 200) {
    if (SERVICE_CHANGES.has(operation)) {
      // What a service action accepted, the scheduler must be able to act on.
      for (const service of await recorded.store.listLiveServices()) {
        await reconcileService(deps.context, service.cluster, service.name).catch((error) =>
          problems.push({
            problem: `the service scheduler's round of ${service.name} threw: ${error}`,
            response: shown,
          }),
        );
      }
    }
    for (const broken of await invariantProblems(recorded.store)) problems.push({ problem: broken, response: shown });
  }
  if (response.status >= 400 && (typeof parsed?.__type !== "string" || typeof parsed?.message !== "string")) {
    problems.push({ problem: "an error without __type and message", response: shown });
  }
  if (response.status !== 200) {
    const after = await recorded.records();
    if (after !== before)
      problems.push({ problem: `the store changed on a refusal: ${difference(before, after)}`, response: shown });
  }
  for (const reason of unhandled.splice(0)) problems.push({ problem: `an unhandled rejection: ${reason}` });
  for (const error of backgroundErrors.splice(0)) problems.push({ problem: `a background error: ${error}` });
  const outcome = response.status === 200 ? "200" : String(parsed?.__type ?? response.status);
  if (process.env.BERTH_FUZZ_LOG)
    console.log(`${fuzzCase.target} [${fuzzCase.notes.join("; ")}] ${short(fuzzCase.body, 200)}\n  -> ${shown}`);
  return { outcome, problems };
}

/** Where two snapshots first differ, with some context. */
function difference(before: string, after: string): string {
  let i = 0;
  while (i < before.length && before[i] === after[i]) i++;
  return `before …${before.slice(Math.max(0, i - 80), i + 120)}… after …${after.slice(Math.max(0, i - 80), i + 120)}…`;
}

const short = (text: string, n = 300) => (text.length > n ? `${text.slice(0, n)}… (${text.length} chars)` : text);

describe("the protocol layer under model-aware fuzzing", () => {
  it("never answers 5xx, answers ECS-shaped errors, and changes nothing when it refuses", {
    timeout: 600_000,
  }, async () => {
    const replay: ReplayCase[] = JSON.parse(readFileSync(REPLAY_FILE, "utf8")).cases;
    console.log(
      `protocol fuzz: seed ${SEED}, ${CASES} cases after ${replay.length} replayed (BERTH_FUZZ_SEED=${SEED} BERTH_FUZZ_CASES=${CASES} to run them again)`,
    );
    const targets: Targets = {
      answered: Object.keys(apis[0].actions),
      berth: apis.slice(1).flatMap((api) => Object.keys(api.actions).map((a) => `${api.prefix}.${a}`)),
    };
    const cases = [
      ...replay.map((r) => ({
        fuzzCase: { target: r.target, body: withReferences(r.body), notes: [`replay: ${r.defect}`], key: r.key },
        found: r.found,
      })),
      ...Array.from({ length: CASES }, (_, i) => ({
        fuzzCase: generateCase(SEED, i, plausible, targets),
        found: `seed ${SEED} case ${i}`,
      })),
    ];
    const failures: Failure[] = [];
    const outcomes = new Map<string, number>();
    const started = performance.now();
    for (const { fuzzCase, found } of cases) {
      const before = await recorded.records();
      const { outcome, problems } = await check(fuzzCase, before);
      for (const p of problems) failures.push({ fuzzCase, found, ...p });
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `protocol fuzz: ${cases.length} cases in ${seconds} s, ${failures.length} failures; answers: ${[...outcomes]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(", ")}`,
    );
    if (failures.length > 0 && process.env.BERTH_FUZZ_FAILURES_OUT) {
      const entries = failures.map((f) => ({
        target: f.fuzzCase.target,
        body: withPlaceholders(f.fuzzCase.body),
        found: f.found,
        defect: f.problem,
        ...(f.fuzzCase.key === "scoped" && { key: "scoped" }),
      }));
      writeFileSync(process.env.BERTH_FUZZ_FAILURES_OUT, `${JSON.stringify(entries, null, 2)}\n`);
    }
    const report = failures
      .slice(0, 20)
      .map(
        (f) =>
          `${f.found}: ${f.problem}\n  ${f.fuzzCase.target} [${f.fuzzCase.notes.join("; ")}]\n  body: ${short(JSON.stringify(f.fuzzCase.body))}\n  answer: ${f.response ?? "-"}`,
      );
    expect(failures.length, `seed ${SEED}:\n${report.join("\n")}`).toBe(0);
  });

  it("refuses requests altered after signing, with a 4xx and no change", async () => {
    const targets = apis.flatMap((s) => Object.keys(s.actions).map((action) => `${s.prefix}.${action}`));
    const alterations: ((r: Awaited<ReturnType<typeof signed>>) => void)[] = [
      (r) => {
        r.body = `${r.body} `;
      },
      (r) => {
        r.headers["x-amz-target"] = `${ECS_PREFIX}.DeleteCluster`;
      },
      (r) => {
        delete r.headers.authorization;
      },
      (r) => {
        // A different first digit (always: "0" where it was "0" would leave the signature valid).
        r.headers.authorization = r.headers.authorization.replace(
          /Signature=(.)/,
          (_, first) => `Signature=${first === "0" ? "1" : "0"}`,
        );
      },
      (r) => {
        r.headers["x-amz-date"] = "20200101T000000Z";
      },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targets),
        fc.constantFrom(...alterations),
        fc.jsonValue({ maxDepth: 2 }),
        async (target, alter, json) => {
          const before = await recorded.records();
          const response = await send(target, JSON.stringify(json), alter);
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(await recorded.records()).toBe(before);
        },
      ),
      { numRuns: 100 },
    );
  });
});
