import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, ecsCall, storeSnapshot, type TestKey } from "../support/access.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";

/**
 * A cluster's bootstrap token registers new container instances only: a registration with it
 * that names the EC2 instance of a live container instance (a renewal by EC2 instance id) is
 * refused and writes nothing, so a copy of a host's identity document and the token are not
 * enough to rewrite that host's registration. Once the instance is deregistered, the EC2
 * instance may join again with the token.
 */
describe("the bootstrap token and an already registered EC2 instance", () => {
  let berth: TestBerth;
  let bootstrap: TestKey;
  const registration = (cpu: number) => ({
    cluster: "web",
    instanceIdentityDocument: JSON.stringify({ instanceId: "i-0123456789abcdef0", instanceType: "t4g.small" }),
    totalResources: [
      { name: "CPU", type: "INTEGER", integerValue: cpu },
      { name: "MEMORY", type: "INTEGER", integerValue: 4096 },
    ],
  });

  beforeAll(async () => {
    berth = await startBerth();
    await ecsCall(berth, "CreateCluster", { clusterName: "web" });
    bootstrap = await createKey(berth, { kind: "bootstrap", cluster: "web" });
  });
  afterAll(() => berth.stop());

  it("registers the EC2 instance once, refuses to renew it, and lets it join again once deregistered", async () => {
    const first = await ecsCall(berth, "RegisterContainerInstance", registration(2048), bootstrap);
    expect(first.status).toBe(200);
    const arn = (first.body.containerInstance as { containerInstanceArn: string }).containerInstanceArn;

    const before = await storeSnapshot(berth.store);
    const renewal = await ecsCall(berth, "RegisterContainerInstance", registration(65536), bootstrap);
    expect(renewal.body.__type).toBe("AccessDeniedException");
    expect(await storeSnapshot(berth.store)).toBe(before);

    // The admin (or the instance's own credentials) may still renew it: the same instance.
    const admin = await ecsCall(berth, "RegisterContainerInstance", registration(2048));
    expect((admin.body.containerInstance as { containerInstanceArn: string }).containerInstanceArn).toBe(arn);

    await ecsCall(berth, "DeregisterContainerInstance", { cluster: "web", containerInstance: arn, force: true });
    const again = await ecsCall(berth, "RegisterContainerInstance", registration(2048), bootstrap);
    expect(again.status).toBe(200);
    expect((again.body.containerInstance as { containerInstanceArn: string }).containerInstanceArn).not.toBe(arn);
  });
});
