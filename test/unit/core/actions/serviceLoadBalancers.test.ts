import { describe, expect, it } from "vitest";
import { formerLoadBalancers } from "../../../../core/actions/serviceLoadBalancers.ts";

const lb = (group: string, containerPort = 80) => ({
  targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/${group}/1`,
  containerName: "web",
  containerPort,
});

describe("the load balancers older tasks keep after an UpdateService", () => {
  it("are the ones before a change, with the deployments then, adding up over changes until cleared", () => {
    expect(formerLoadBalancers(undefined, [lb("a")], [lb("a")], ["d1"])).toBeUndefined();
    expect(formerLoadBalancers(undefined, [], [], ["d1"])).toBeUndefined();
    // Added to a service that had none: its older tasks had none, and stay out of the new ones.
    expect(formerLoadBalancers(undefined, [], [lb("a")], ["d1"])).toEqual({ loadBalancers: [], deployments: ["d1"] });
    const once = formerLoadBalancers(undefined, [lb("a")], [lb("b")], ["d1"]);
    expect(once).toEqual({ loadBalancers: [lb("a")], deployments: ["d1"] });
    // Another change before the first is done: both older sets are remembered.
    expect(formerLoadBalancers(once, [lb("b")], [lb("b", 8080)], ["d2", "d1"])).toEqual({
      loadBalancers: [lb("a"), lb("b")],
      deployments: ["d1", "d2"],
    });
    // No change: what was remembered stays.
    expect(formerLoadBalancers(once, [lb("b")], [lb("b")], ["d2", "d1"])).toBe(once);
  });
});
