/**
 * Where a registration without totalResources finds its instance type's size: EC2's
 * DescribeInstanceTypes on AWS (core/aws/ec2.ts, through @aws-sdk/client-ec2 against a test EC2
 * server), the table shipped with Berth in local mode.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ec2InstanceTypeSizes } from "../../core/aws/ec2.ts";
import { shippedInstanceTypeSizes } from "../../core/model/instanceTypes.ts";
import { startEc2Server, type TestEc2Server } from "../support/ec2Server.ts";

let ec2: TestEc2Server;
let client: EC2Client;
beforeAll(async () => {
  ec2 = await startEc2Server();
  client = new EC2Client({
    endpoint: ec2.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await ec2.close();
});

describe("instance type sizes", () => {
  it("asks EC2 on AWS, and knows no type EC2 does not", async () => {
    ec2.instanceTypes.set("m7g.large", { vcpus: 2, memoryMiB: 8192 });
    const sizes = ec2InstanceTypeSizes(client);
    expect(await sizes("m7g.large")).toEqual({ vcpus: 2, memoryMiB: 8192 });
    expect(await sizes("x9.imaginary")).toBeUndefined();
  });

  it("reads the shipped table in local mode, which agrees with EC2's published sizes", async () => {
    expect(await shippedInstanceTypeSizes("t3.medium")).toEqual({ vcpus: 2, memoryMiB: 4096 });
    expect(await shippedInstanceTypeSizes("c5.xlarge")).toEqual({ vcpus: 4, memoryMiB: 8192 });
    expect(await shippedInstanceTypeSizes("toString")).toBeUndefined();
  });
});
