import { randomBytes } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apis } from "../../core/actions/index.ts";
import { createAccessControl } from "../../core/auth/accessControl.ts";
import { ensureAccessKey, generateAccessKey } from "../../core/auth/accessKeys.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import { handleEcsRequest, type ProtocolDeps } from "../../core/protocol/handle.ts";
import { ecsModel } from "../../core/protocol/model.ts";
import type { Store } from "../../core/store/port.ts";
import { storeSnapshot } from "../support/access.ts";
import { openTestStore } from "../support/testStore.ts";

/**
 * Random and mutated requests for every action, through the whole protocol layer in this
 * process (signature, throttling, authorization, validation, the action, the store): never a
 * 5xx, never an exception out of the handler, and a refused request leaves the store as it was.
 * The number of runs is bounded so that the suite stays within seconds; a failure prints its seed.
 */
const PARTITION = { region: "us-east-1", accountId: "000000000000" };
const admin = generateAccessKey();
let store: Store;
let deps: ProtocolDeps;

beforeAll(async () => {
  store = await openTestStore();
  const kek = randomBytes(32);
  const keyEncryptionKey = { get: async () => kek };
  await ensureAccessKey(store, keyEncryptionKey, admin, { kind: "admin" }, "fuzz");
  const context: ActionContext = { store, partition: PARTITION, now: () => new Date(), keyEncryptionKey };
  deps = { apis, context, access: createAccessControl({ store, partition: PARTITION, keyEncryptionKey }) };
  await send("AmazonEC2ContainerServiceV20141113.CreateCluster", "{}");
  await send(
    "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition",
    JSON.stringify({ family: "app", containerDefinitions: [{ name: "c", image: "busybox", memory: 64 }] }),
  );
});
afterAll(() => store.close());

async function signed(target: string, body: string) {
  const signer = new SignatureV4({ credentials: admin, region: "us-east-1", service: "ecs", sha256: Sha256 });
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

async function send(target: string, body: string, mutate?: (r: Awaited<ReturnType<typeof signed>>) => void) {
  const request = await signed(target, body);
  mutate?.(request);
  return handleEcsRequest(request, deps, "fuzz");
}

/**
 * Runs of the first property: many on in-memory SQLite; fewer on DynamoDB Local (the `dynamodb`
 * project), where each run's two store snapshots take tens of milliseconds. The protocol's code is
 * the same on both; there, the runs check that a refusal writes nothing to DynamoDB either.
 */
const RANDOM_RUNS = process.env.BERTH_TEST_STORE === "dynamodb" ? 150 : 1500;

const TARGETS = apis.flatMap((s) => Object.keys(s.actions).map((action) => ({ prefix: s.prefix, action })));

/** The members an action's input has (ECS's from the model; Berth's a common set). */
function membersOf(action: string): string[] {
  const input = ecsModel.operations[action]?.input;
  const members = input ? Object.keys(ecsModel.shapes[input].members ?? {}) : [];
  return members.length > 0
    ? members
    : ["cluster", "containerInstance", "task", "containers", "policy", "accessKeyId", "maxResults", "nextToken"];
}

const value = fc.oneof(
  fc.constantFrom("default", "app", "app:1", "arn:aws:ecs:us-east-1:000000000000:cluster/default", "", "RUNNING"),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);

/** A body for the action: plausible members with random values, or any JSON, or not JSON at all. */
const body = (action: string) =>
  fc.oneof(
    fc
      .subarray(membersOf(action))
      .chain((names) =>
        fc
          .tuple(...names.map(() => value))
          .map((vs) => JSON.stringify(Object.fromEntries(names.map((n, i) => [n, vs[i]])))),
      ),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 40 }),
  );

describe("the protocol layer under random requests", () => {
  it("never answers 5xx and changes nothing when it refuses", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TARGETS).chain((t) => fc.tuple(fc.constant(t), body(t.action))),
        async ([{ prefix, action }, text]) => {
          const before = await storeSnapshot(store);
          const response = await send(`${prefix}.${action}`, text);
          expect(response.status, `${action} ${text} -> ${response.body}`).toBeLessThan(500);
          if (response.status !== 200) expect(await storeSnapshot(store)).toBe(before);
        },
      ),
      { numRuns: RANDOM_RUNS },
    );
  });

  it("refuses requests altered after signing, with a 4xx and no change", async () => {
    const alterations: ((r: Awaited<ReturnType<typeof signed>>) => void)[] = [
      (r) => {
        r.body = `${r.body} `;
      },
      (r) => {
        r.headers["x-amz-target"] = "AmazonEC2ContainerServiceV20141113.DeleteCluster";
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
        fc.constantFrom(...TARGETS),
        fc.constantFrom(...alterations),
        fc.jsonValue({ maxDepth: 2 }),
        async ({ prefix, action }, alter, json) => {
          const before = await storeSnapshot(store);
          const response = await send(`${prefix}.${action}`, JSON.stringify(json), alter);
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(await storeSnapshot(store)).toBe(before);
        },
      ),
      { numRuns: 100 },
    );
  });
});
