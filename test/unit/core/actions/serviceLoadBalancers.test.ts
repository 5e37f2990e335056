import { describe, expect, it } from "vitest";
import { deploymentLoadBalancers } from "../../../../core/actions/serviceLoadBalancers.ts";

const lb = (group: string, containerPort = 80) => ({
  targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/${group}/1`,
  containerName: "web",
  containerPort,
});

describe("each older deployment's load balancers after an UpdateService", () => {
  it("are the ones it had when they changed, for each deployment on its own", () => {
    expect(deploymentLoadBalancers(undefined, [lb("a")], [lb("a")], ["d1"])).toBeUndefined();
    expect(deploymentLoadBalancers(undefined, [], [], ["d1"])).toBeUndefined();
    // Added to a service that had none: its older tasks had none, and stay out of the new ones.
    expect(deploymentLoadBalancers(undefined, [], [lb("a")], ["d1"])).toEqual({ d1: [] });
    const once = deploymentLoadBalancers(undefined, [lb("a")], [lb("b")], ["d1"]);
    expect(once).toEqual({ d1: [lb("a")] });
    // Another change before the first is done: d1 keeps a, d2 (which had b) keeps b.
    expect(deploymentLoadBalancers(once, [lb("b")], [lb("b", 8080)], ["d2", "d1"])).toEqual({
      d1: [lb("a")],
      d2: [lb("b")],
    });
    // No change: what was remembered stays.
    expect(deploymentLoadBalancers(once, [lb("b")], [lb("b")], ["d2", "d1"])).toBe(once);
  });
});
