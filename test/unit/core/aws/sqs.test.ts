import { describe, expect, it } from "vitest";
import { instanceQueueName } from "../../../../core/aws/sqs.ts";

describe("instanceQueueName", () => {
  it("is the prefix and the instance id", () => {
    expect(instanceQueueName("berth-agent-", "3e55633a4243457caf96c753d7caa066")).toBe(
      "berth-agent-3e55633a4243457caf96c753d7caa066",
    );
  });

  it("keeps to SQS's rules: at most 80 letters, digits, hyphens and underscores", () => {
    const name = instanceQueueName("my.deploy/", "x".repeat(100));
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(name.startsWith("my-deploy-")).toBe(true);
  });
});
