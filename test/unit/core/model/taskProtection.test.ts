import { describe, expect, it } from "vitest";
import type { TaskRecord } from "../../../../core/model/records.ts";
import { isProtected, protectedTask } from "../../../../core/model/taskProtection.ts";

const record = (expiresAt?: number) =>
  ({
    id: "t",
    cluster: "c",
    task: { taskArn: "arn:t" },
    protection: expiresAt === undefined ? undefined : { expirationDate: new Date(expiresAt) },
  }) as TaskRecord;

describe("task protection", () => {
  it("protects until its expiration date, then not", () => {
    expect(isProtected(record(1000), 999)).toBe(true);
    expect(isProtected(record(1000), 1000)).toBe(false);
    expect(isProtected(record(), 0)).toBe(false);
  });

  it("answers as ECS's ProtectedTask: no expiration date once it has expired", () => {
    expect(protectedTask(record(1000), 500)).toEqual({
      taskArn: "arn:t",
      protectionEnabled: true,
      expirationDate: new Date(1000),
    });
    expect(protectedTask(record(1000), 1500)).toEqual({ taskArn: "arn:t", protectionEnabled: false });
  });
});
