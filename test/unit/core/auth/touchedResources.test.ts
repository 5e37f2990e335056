import { describe, expect, it } from "vitest";
import { resourcesOf } from "../../../../core/auth/touchedResources.ts";

const P = { region: "us-east-1", accountId: "000000000000" };
const cluster = (name: string) => `arn:aws:ecs:us-east-1:000000000000:cluster/${name}`;

describe("the resources a call touches", () => {
  it.each([
    ["ecs:RunTask", { cluster: "web" }, [cluster("web")]],
    ["ecs:RunTask", {}, [cluster("default")]],
    ["ecs:RunTask", { cluster: cluster("web") }, [cluster("web")]],
    ["ecs:RunTask", { cluster: 5 }, [cluster("default")]],
    ["ecs:CreateCluster", { clusterName: "new" }, [cluster("new")]],
    ["ecs:DescribeClusters", { clusters: ["a", "b"] }, [cluster("a"), cluster("b")]],
    ["ecs:ListClusters", {}, ["*"]],
    ["ecs:RegisterTaskDefinition", { family: "x" }, ["*"]],
    ["ecs:TagResource", { resourceArn: "arn:aws:ecs:us-east-1:000000000000:service/web/svc" }, [cluster("web")]],
    [
      "ecs:TagResource",
      { resourceArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/app:1" },
      ["arn:aws:ecs:us-east-1:000000000000:task-definition/app:1"],
    ],
    ["berth:Heartbeat", { cluster: "web" }, [cluster("web")]],
    ["application-autoscaling:RegisterScalableTarget", { ResourceId: "service/web/api" }, [cluster("web")]],
    [
      "application-autoscaling:DescribeScalableTargets",
      { ResourceIds: ["service/web/a", "service/web/b", "service/jobs/c"] },
      [cluster("web"), cluster("jobs")],
    ],
    ["application-autoscaling:DescribeScalableTargets", {}, ["*"]],
    ["application-autoscaling:PutScalingPolicy", { ResourceId: "table/orders" }, ["*"]],
  ])("%s %j touches %j", (action, input, expected) => {
    expect(resourcesOf(P, action, input)).toEqual(expected);
  });
});
