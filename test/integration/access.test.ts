import { statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKeys } from "../../local/keysCommand.ts";
import { berthCall, createKey, ecsCall, type TestKey } from "../support/access.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";

/** Keys' lifecycle, an agent's own credentials, the audit trail. */
let berth: TestBerth;
beforeAll(async () => {
  berth = await startBerth();
});
afterAll(() => berth.stop());

const RESOURCES = [
  { name: "CPU", type: "INTEGER", integerValue: 2048 },
  { name: "MEMORY", type: "INTEGER", integerValue: 4096 },
];

describe("access keys", () => {
  it("shows the secret once, lists keys without it, and a deleted key stops working at once", async () => {
    const key = await createKey(berth, { kind: "read-only" });
    expect((await ecsCall(berth, "ListClusters", {}, key)).status).toBe(200);
    const listed = await berthCall(berth, "ListAccessKeys", {});
    expect(JSON.stringify(listed.body)).not.toContain(key.secret);
    expect(listed.body.accessKeys).toContainEqual(
      expect.objectContaining({ accessKeyId: key.keyId, policy: { kind: "read-only" } }),
    );
    expect((await berthCall(berth, "DeleteAccessKey", { accessKeyId: key.keyId })).status).toBe(200);
    const after = await ecsCall(berth, "ListClusters", {}, key);
    expect(after.body.__type).toBe("UnrecognizedClientException");
  });

  it("tells any key who it is and what its policy is, without its secret", async () => {
    const key = await createKey(berth, {
      kind: "scoped",
      actions: ["ecs:ListTasks"],
      resources: ["arn:aws:ecs:*:*:cluster/web"],
    });
    const scoped = await berthCall(berth, "GetCallerIdentity", {}, key);
    expect(scoped.body).toEqual({
      accessKeyId: key.keyId,
      policy: { kind: "scoped", actions: ["ecs:ListTasks"], resources: ["arn:aws:ecs:*:*:cluster/web"] },
    });
    const readOnly = await createKey(berth, { kind: "read-only" });
    expect((await berthCall(berth, "GetCallerIdentity", {}, readOnly)).body.policy).toEqual({ kind: "read-only" });
    const admin = await berthCall(berth, "GetCallerIdentity", {});
    expect(admin.body).toEqual({ accessKeyId: berth.credentials.accessKeyId, policy: { kind: "admin" } });
  });

  it("keeps secrets sealed in the store", async () => {
    const key = await createKey(berth, { kind: "admin" });
    const record = await berth.store.getAccessKey(key.keyId);
    expect(JSON.stringify(record)).not.toContain(key.secret);
    for (const file of ["master.key", "bootstrap-token", "credentials.json"]) {
      expect(statSync(join(berth.dataDir, file)).mode & 0o777, file).toBe(0o600);
    }
  });

  it("scopes a key to the actions and clusters it names", async () => {
    await ecsCall(berth, "CreateCluster", { clusterName: "web" });
    await ecsCall(berth, "CreateCluster", { clusterName: "db" });
    const key = await createKey(berth, {
      kind: "scoped",
      actions: ["ecs:Describe*", "ecs:List*"],
      resources: ["arn:aws:ecs:*:*:cluster/w?b"],
    });
    expect((await ecsCall(berth, "ListServices", { cluster: "web" }, key)).status).toBe(200);
    const db = await ecsCall(berth, "ListServices", { cluster: "db" }, key);
    expect(db.body).toMatchObject({
      __type: "AccessDeniedException",
      message: `User: ${key.keyId} is not authorized to perform: ecs:ListServices on resource: arn:aws:ecs:us-east-1:000000000000:cluster/db`,
    });
    expect((await ecsCall(berth, "DeleteCluster", { cluster: "web" }, key)).body.__type).toBe("AccessDeniedException");
    // ListClusters addresses no cluster: only a `*` resource allows it, as in IAM.
    expect((await ecsCall(berth, "ListClusters", {}, key)).body.__type).toBe("AccessDeniedException");
  });

  it("refuses key management to anything but an admin key", async () => {
    const key = await createKey(berth, { kind: "scoped", actions: ["*"], resources: ["*"] });
    const response = await berthCall(berth, "CreateAccessKey", { policy: { kind: "admin" } }, key);
    expect(response.body.__type).toBe("AccessDeniedException");
  });
});

describe("an agent's own credentials", () => {
  let bootstrap: TestKey;
  let instance: string;
  let agent: TestKey;
  const getCredentials = () =>
    berthCall(berth, "GetAgentCredentials", { cluster: "fleet", containerInstance: instance }, bootstrap);

  beforeAll(async () => {
    await ecsCall(berth, "CreateCluster", { clusterName: "fleet" });
    bootstrap = await createKey(berth, { kind: "bootstrap", cluster: "fleet" });
    const registered = await ecsCall(
      berth,
      "RegisterContainerInstance",
      { cluster: "fleet", totalResources: RESOURCES },
      bootstrap,
    );
    instance = (registered.body.containerInstance as { containerInstanceArn: string }).containerInstanceArn;
    const creds = await getCredentials();
    agent = { keyId: creds.body.accessKeyId as string, secret: creds.body.secretAccessKey as string };
  });

  it("lets the bootstrap key only join its cluster", async () => {
    expect((await ecsCall(berth, "ListClusters", {}, bootstrap)).body.__type).toBe("AccessDeniedException");
    const elsewhere = await ecsCall(
      berth,
      "RegisterContainerInstance",
      { cluster: "web", totalResources: RESOURCES },
      bootstrap,
    );
    expect(elsewhere.body.__type).toBe("AccessDeniedException");
    const renew = await ecsCall(
      berth,
      "RegisterContainerInstance",
      { cluster: "fleet", containerInstanceArn: instance, totalResources: RESOURCES },
      bootstrap,
    );
    expect(renew.body.__type).toBe("AccessDeniedException");
  });

  it("issues an instance's credentials once", async () => {
    const again = await getCredentials();
    expect(again.body.__type).toBe("ClientException");
  });

  it("does its own instance's agent work and nothing else", async () => {
    const own = { cluster: "fleet", containerInstance: instance };
    expect((await berthCall(berth, "Heartbeat", own, agent)).status).toBe(200);
    expect((await ecsCall(berth, "DiscoverPollEndpoint", own, agent)).status).toBe(200);
    expect((await ecsCall(berth, "ListTasks", own, agent)).status).toBe(200);
    expect((await ecsCall(berth, "ListTasks", { cluster: "fleet" }, agent)).body.__type).toBe("AccessDeniedException");
    expect((await ecsCall(berth, "RunTask", { cluster: "fleet", taskDefinition: "x" }, agent)).body.__type).toBe(
      "AccessDeniedException",
    );
    expect((await ecsCall(berth, "DeleteCluster", { cluster: "fleet" }, agent)).body.__type).toBe(
      "AccessDeniedException",
    );
  });

  it("is revoked when its container instance is deregistered", async () => {
    await ecsCall(berth, "DeregisterContainerInstance", { cluster: "fleet", containerInstance: instance, force: true });
    const beat = await berthCall(berth, "Heartbeat", { cluster: "fleet", containerInstance: instance }, agent);
    // Its key record is gone too: the signature no longer finds a key.
    expect(beat.body.__type).toBe("UnrecognizedClientException");
    const keys = (await berthCall(berth, "ListAccessKeys", { maxResults: 100 })).body.accessKeys as {
      accessKeyId: string;
    }[];
    expect(keys.map((k) => k.accessKeyId)).not.toContain(agent.keyId);
    expect(await berth.store.getAccessKey(agent.keyId)).toBeUndefined();
  });
});

describe("the audit trail", () => {
  it("records mutating calls, allowed or refused, newest first, and not reads", async () => {
    const reader = await createKey(berth, { kind: "read-only" });
    await ecsCall(berth, "CreateCluster", { clusterName: "audited" });
    await ecsCall(berth, "DeleteCluster", { cluster: "audited" }, reader);
    await ecsCall(berth, "ListClusters", {}, reader);
    const response = await berthCall(berth, "ListAuditEvents", { maxResults: 3 });
    const events = response.body.auditEvents as Record<string, unknown>[];
    expect(events[0]).toMatchObject({
      accessKeyId: reader.keyId,
      principal: "read-only",
      action: "ecs:DeleteCluster",
      resources: ["arn:aws:ecs:us-east-1:000000000000:cluster/audited"],
      outcome: "AccessDeniedException",
    });
    expect(events[1]).toMatchObject({
      accessKeyId: berth.credentials.accessKeyId,
      principal: "admin",
      action: "ecs:CreateCluster",
      outcome: "Success",
    });
    expect(response.body.nextToken).toBeTruthy();
    const next = await berthCall(berth, "ListAuditEvents", { maxResults: 3, nextToken: response.body.nextToken });
    expect((next.body.auditEvents as unknown[]).length).toBeGreaterThan(0);
  });
});

describe("berth keys", () => {
  it("creates, lists and deletes keys on the running control plane with the admin key", async () => {
    const out: string[] = [];
    const log = console.log;
    console.log = (line: string) => out.push(line);
    const env = {
      BERTH_ENDPOINT: berth.url,
      BERTH_ACCESS_KEY_ID: berth.credentials.accessKeyId,
      BERTH_SECRET_ACCESS_KEY: berth.credentials.secretAccessKey,
    };
    try {
      await runKeys(["create", "--bootstrap", "web", "--description", "hosts of web"], env);
      const id = /AWS_ACCESS_KEY_ID=(\S+)/.exec(out.join("\n"))?.[1] as string;
      expect(out.join("\n")).toMatch(/AWS_SECRET_ACCESS_KEY=\S{40}/);
      out.length = 0;
      await runKeys(["list"], env);
      expect(out.join("\n")).toContain(`${id}`);
      expect(out.join("\n")).toContain("bootstrap: cluster web");
      await runKeys(["delete", id], env);
      expect(await berth.store.getAccessKey(id)).toBeUndefined();
    } finally {
      console.log = log;
    }
  });
});
