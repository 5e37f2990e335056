import { describe, expect, it } from "vitest";
import { pageRequest } from "../../../../core/actions/pagination.ts";

const token = (after: unknown) => Buffer.from(JSON.stringify({ after })).toString("base64url");

describe("nextToken", () => {
  it("carries the cursor of the page before", () => {
    expect(pageRequest({ nextToken: token("web") })).toEqual({ limit: 100, after: "web" });
  });

  it("is invalid when its cursor is none a list could end on: empty, not a string, beyond 1,024 bytes", () => {
    for (const after of ["", 5, "x".repeat(1025), "é".repeat(513)]) {
      expect(() => pageRequest({ nextToken: token(after) })).toThrow("Invalid nextToken.");
    }
    expect(() => pageRequest({ nextToken: "not a token" })).toThrow("Invalid nextToken.");
    expect(pageRequest({ nextToken: token("x".repeat(1024)) }).after).toHaveLength(1024);
  });
});
