import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { open, seal } from "../../../../core/auth/secretBox.ts";

describe("sealed secrets", () => {
  const kek = randomBytes(32);
  it("open with the same key and associated data only", () => {
    const box = seal(kek, "s3cret", "AKIA1");
    expect(box).not.toContain("s3cret");
    expect(open(kek, box, "AKIA1")).toBe("s3cret");
    expect(open(kek, box, "AKIA2")).toBeUndefined();
    expect(open(randomBytes(32), box, "AKIA1")).toBeUndefined();
    expect(open(kek, `${box.slice(0, -2)}AA`, "AKIA1")).toBeUndefined();
    expect(open(kek, "garbage", "AKIA1")).toBeUndefined();
  });
});
