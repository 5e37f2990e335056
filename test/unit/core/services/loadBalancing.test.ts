import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { ServiceRecord, ServiceSchedulerState, TaskRecord } from "../../../../core/model/records.ts";
import type { ActionContext } from "../../../../core/operations/context.ts";
import { balancingOf, deploymentsLoadBalancers, stopsAfterDrains } from "../../../../core/services/loadBalancing.ts";
import { storeClaims } from "../../../../core/services/storedClaims.ts";

const lb = (group: string) => ({
  targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/${group}/1`,
  containerName: "web",
  containerPort: 80,
});
const record = (byDeployment: Record<string, ReturnType<typeof lb>[]>) =>
  ({ scheduler: { deploymentLoadBalancers: byDeployment } }) as unknown as ServiceRecord;
const service = (loadBalancers: ReturnType<typeof lb>[], ...ids: string[]): Service => ({
  loadBalancers,
  deployments: ids.map((id) => ({ id })),
});

describe("a service's load balancers and its older deployments' own", () => {
  it("are kept while the service has the deployment, and dropped with it", () => {
    const r = record({ d1: [lb("a")], d2: [] });
    expect(deploymentsLoadBalancers(r, service([lb("c")], "d3", "d1"), false, [])).toEqual({
      loadBalancers: [lb("c")],
      byDeployment: { d1: [lb("a")] },
    });
    expect(deploymentsLoadBalancers(r, service([lb("c")], "d3"), false, [])).toEqual({
      loadBalancers: [lb("c")],
      byDeployment: undefined,
    });
  });

  it("are kept, the deployment gone, while a live task it started remains (draining)", () => {
    const r = record({ d1: [lb("a")] });
    const draining = { task: { taskArn: "t1", startedBy: "d1" } } as unknown as TaskRecord;
    expect(deploymentsLoadBalancers(r, service([], "d2"), false, [draining])).toEqual({
      loadBalancers: [],
      byDeployment: { d1: [lb("a")] },
    });
  });

  it("go back, on a rollback, to those of the deployment rolled back to", () => {
    // d2 (load balancers b) failed; d1 (a) is PRIMARY again: the service has a, d2 keeps b.
    const r = record({ d1: [lb("a")] });
    expect(deploymentsLoadBalancers(r, service([lb("b")], "d1", "d2"), true, [])).toEqual({
      loadBalancers: [lb("a")],
      byDeployment: { d2: [lb("b")] },
    });
    // Rolled back to a deployment with the service's load balancers: nothing moves.
    expect(deploymentsLoadBalancers(record({}), service([lb("b")], "d1", "d2"), true, [])).toEqual({
      loadBalancers: [lb("b")],
      byDeployment: undefined,
    });
  });
});

describe("the scheduler's stops with no balancing left", () => {
  const task = (arn: string) => ({ task: { taskArn: arn } }) as unknown as TaskRecord;
  it("wait out the drains recorded: a draining task stops once due, not before; the others now", () => {
    const [due, early, other] = [task("due"), task("early"), task("other")];
    const draining = { due: 1000, early: 3000 };
    expect(stopsAfterDrains([early, other], [due, early, other], draining, 2000)).toEqual([due, other]);
  });
});

describe("a service's balancing", () => {
  const arn = "arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef";
  const claims = { [arn]: [{ targetGroupArn: lb("a").targetGroupArn, id: "i-0abc", port: 32768 }] };
  const ctx = { targetGroups: {} } as unknown as ActionContext;
  const instances = { records: [], states: new Map(), heartbeats: new Map() };
  const withTargets = (targets: ServiceSchedulerState["targets"]) =>
    ({ name: "web", service: { loadBalancers: [lb("a")] }, scheduler: { targets } }) as unknown as ServiceRecord;

  it("has the targets taken on, stored compactly or written out by a record written before", () => {
    expect(balancingOf(ctx, withTargets(storeClaims(claims)), instances)?.claims).toEqual(claims);
    expect(balancingOf(ctx, withTargets(claims), instances)?.claims).toEqual(claims);
    expect(balancingOf(ctx, withTargets(undefined), instances)?.claims).toEqual({});
  });
});
