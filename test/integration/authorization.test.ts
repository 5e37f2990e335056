import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { berthActions } from "../../core/actions/berth/index.ts";
import { actions } from "../../core/actions/index.ts";
import { isReadOnly } from "../../core/auth/policy.ts";
import { berthCall, createKey, ecsCall, storeSnapshot, type TestKey } from "../support/access.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";

/**
 * Every action, ECS's and Berth's, called by each kind of principal, with a body aimed at
 * cluster `web`, container instance B and a task placed on B: allowed (anything but
 * AccessDeniedException) or refused, and a refused call writes nothing.
 */
let berth: TestBerth;
const keys: Record<string, TestKey> = {};
let instanceB: string;
let taskOnB: string;

const RESOURCES = [
  { name: "CPU", type: "INTEGER", integerValue: 2048 },
  { name: "MEMORY", type: "INTEGER", integerValue: 4096 },
];

async function ok(response: Promise<{ status: number; body: Record<string, unknown> }>) {
  const r = await response;
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  return r.body;
}

beforeAll(async () => {
  berth = await startBerth();
  await ok(ecsCall(berth, "CreateCluster", { clusterName: "web" }));
  await ok(
    ecsCall(berth, "RegisterTaskDefinition", {
      family: "app",
      containerDefinitions: [{ name: "c", image: "busybox", memory: 64 }],
    }),
  );
  const b = await ok(ecsCall(berth, "RegisterContainerInstance", { cluster: "web", totalResources: RESOURCES }));
  instanceB = (b.containerInstance as { containerInstanceArn: string }).containerInstanceArn;
  const run = await ok(ecsCall(berth, "RunTask", { cluster: "web", taskDefinition: "app" }));
  taskOnB = (run.tasks as { taskArn: string }[])[0].taskArn;

  // Instance A joins as an agent does: the bootstrap key registers it, then fetches its credentials.
  const bootstrap = await createKey(berth, { kind: "bootstrap", cluster: "web" });
  const a = await ok(
    ecsCall(berth, "RegisterContainerInstance", { cluster: "web", totalResources: RESOURCES }, bootstrap),
  );
  const arnA = (a.containerInstance as { containerInstanceArn: string }).containerInstanceArn;
  const creds = await ok(
    berthCall(berth, "GetAgentCredentials", { cluster: "web", containerInstance: arnA }, bootstrap),
  );
  keys.agentA = { keyId: creds.accessKeyId as string, secret: creds.secretAccessKey as string };

  keys.readOnly = await createKey(berth, { kind: "read-only" });
  keys.otherCluster = await createKey(berth, {
    kind: "scoped",
    actions: ["ecs:*", "berth:*"],
    resources: ["arn:aws:ecs:*:*:cluster/other"],
  });
  keys.revoked = await createKey(berth, { kind: "admin" });
  await ok(berthCall(berth, "DeleteAccessKey", { accessKeyId: keys.revoked.keyId }));
});
afterAll(() => berth.stop());

/** One body for every action: each reads the members it knows. */
const body = () => ({
  cluster: "web",
  clusterName: "web",
  clusters: ["web"],
  containerInstance: instanceB,
  containerInstanceArn: instanceB,
  containerInstances: [instanceB],
  task: taskOnB,
  tasks: [taskOnB],
  taskDefinition: "app:1",
  family: "app",
  service: "svc",
  services: ["svc"],
  serviceName: "svc",
  resourceArn: "arn:aws:ecs:us-east-1:000000000000:cluster/web",
  accessKeyId: "AKIANOSUCHKEY0000000",
  status: "RUNNING",
});

const CALLS = [
  ...Object.keys(actions).map((action) => ({ target: "ecs" as const, action })),
  ...Object.keys(berthActions).map((action) => ({ target: "berth" as const, action })),
];

const call = (target: "ecs" | "berth", action: string, key?: TestKey) =>
  (target === "ecs" ? ecsCall : berthCall)(berth, action, body(), key);

const ADMIN_ONLY_BERTH = [
  "CreateAccessKey",
  "ListAccessKeys",
  "DeleteAccessKey",
  "ListAuditEvents",
  "GetAgentCredentials",
];

/** Who may call what, by principal. */
const EXPECTED: Record<string, (target: string, action: string) => "allowed" | string> = {
  revoked: () => "UnrecognizedClientException",
  // A scoped key may still ask who it is (GetCallerIdentity, as any AWS identity may).
  otherCluster: (target, action) =>
    target === "berth" && action === "GetCallerIdentity" ? "allowed" : "AccessDeniedException",
  // Instance A's credentials aimed at instance B and B's task: only reading a task definition passes.
  agentA: (_, action) => (action === "DescribeTaskDefinition" ? "allowed" : "AccessDeniedException"),
  readOnly: (target, action) =>
    isReadOnly(action) && !(target === "berth" && ADMIN_ONLY_BERTH.includes(action))
      ? "allowed"
      : "AccessDeniedException",
};

describe("authorization of every action", () => {
  // Refusals first, on an unchanged store; the admin's calls (which change it) last.
  for (const principal of Object.keys(EXPECTED)) {
    it(`${principal}: refused calls are refused and write nothing`, async () => {
      for (const { target, action } of CALLS) {
        const expected = EXPECTED[principal](target, action);
        const before = await storeSnapshot(berth.store);
        const response = await call(target, action, keys[principal]);
        const outcome = response.status === 200 ? "allowed" : (response.body.__type as string);
        if (expected === "allowed") {
          expect(outcome, `${principal} ${target}:${action}`).not.toBe("AccessDeniedException");
        } else {
          expect(outcome, `${principal} ${target}:${action}`).toBe(expected);
          expect(response.status).toBe(400);
          expect(await storeSnapshot(berth.store), `${principal} ${target}:${action} wrote`).toBe(before);
        }
        if (expected === "AccessDeniedException") {
          expect(response.body.message).toMatch(
            new RegExp(
              `^User: ${keys[principal].keyId} is not authorized to perform: ${target}:${action} on resource: `,
            ),
          );
        }
      }
    });
  }

  it("admin: no call is refused", async () => {
    for (const { target, action } of CALLS) {
      const response = await call(target, action);
      expect(response.body.__type, `admin ${target}:${action}`).not.toBe("AccessDeniedException");
      expect(response.status, `admin ${target}:${action}`).toBeLessThan(500);
    }
  });
});
