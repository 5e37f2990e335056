import { describe, expect, it } from "vitest";
import { diffLines } from "../../../console/src/diff.ts";

describe("line diff", () => {
  it("keeps common lines and marks what was removed and added, in order", () => {
    expect(diffLines("a\nb\nc\nd", "a\nc\nx\nd\ne")).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "same", text: "c" },
      { kind: "added", text: "x" },
      { kind: "same", text: "d" },
      { kind: "added", text: "e" },
    ]);
  });

  it("finds nothing between equal texts", () => {
    expect(diffLines("x\ny", "x\ny").every((l) => l.kind === "same")).toBe(true);
  });
});
