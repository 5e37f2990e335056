import { describe, expect, it } from "vitest";
import { ofDeployments } from "../../../../core/services/loadBalancing.ts";

const lb = { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/a/1" };

describe("older deployments' own load balancers", () => {
  it("are kept while the service has the deployment, and dropped with it", () => {
    const byDeployment = { d1: [lb], d2: [] };
    expect(ofDeployments(byDeployment, [{ id: "d3" }, { id: "d1" }])).toEqual({ d1: [lb] });
    expect(ofDeployments(byDeployment, [{ id: "d3" }])).toBeUndefined();
    expect(ofDeployments(undefined, [{ id: "d3" }])).toBeUndefined();
  });
});
