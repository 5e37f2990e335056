import { describe, expect, it } from "vitest";
import { checkJsonDepth } from "../../../../core/protocol/limits.ts";

describe("JSON depth", () => {
  it("counts brackets outside strings only", () => {
    expect(() => checkJsonDepth(`{"a":"${"[".repeat(100)}"}`)).not.toThrow();
    expect(() => checkJsonDepth("[".repeat(33))).toThrow(/nested/);
  });
});
