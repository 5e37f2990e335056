import { describe, expect, it } from "vitest";
import { permissionOf } from "../../../console/src/permissions.ts";

describe("what the console offers a key", () => {
  it("offers changes to admin and scoped keys (the API decides a scoped key's), none to a read-only key", () => {
    expect(permissionOf("AKIA1", { kind: "admin" })).toEqual({ canChange: true });
    expect(permissionOf("AKIA2", { kind: "scoped", actions: ["ecs:*"], resources: ["*"] }).canChange).toBe(true);
    expect(permissionOf("AKIA3", { kind: "read-only" })).toEqual({
      canChange: false,
      reason: "The key AKIA3 is read-only: it can see everything and change nothing.",
    });
  });
});
