import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { actions } from "../../../core/actions/index.ts";
import { ecsModel } from "../../../core/protocol/model.ts";

/**
 * docs/ecs-operations.md has one row per operation of the ECS model Berth ships, and each row's
 * "supported" or "refused" is what the dispatcher does: supported exactly when the ECS action
 * table (core/actions/index.ts) has the operation.
 */
const page = readFileSync(fileURLToPath(new URL("../../../docs/ecs-operations.md", import.meta.url)), "utf8");

/** The table's rows: operation, status, notes. */
const rows = [...page.matchAll(/^\| ([A-Za-z]+) +\| (\S+) +\|(.*)\|$/gm)]
  .filter(([, operation]) => operation !== "Operation")
  .map(([, operation, status, notes]) => ({ operation, status, notes: notes.trim() }));

describe("the table of every ECS operation", () => {
  const modelOperations = Object.keys(ecsModel.operations).sort();

  it("has one row for each operation of the model, and no other", () => {
    expect(rows.map((r) => r.operation).sort()).toEqual(modelOperations);
    expect(new Set(rows.map((r) => r.operation)).size).toBe(rows.length);
  });

  it("says supported of exactly the operations the dispatcher answers", () => {
    expect(rows.every((r) => r.status === "supported" || r.status === "refused")).toBe(true);
    const supported = rows.filter((r) => r.status === "supported").map((r) => r.operation);
    expect(supported.sort()).toEqual(Object.keys(actions).sort());
  });

  it("gives each refused operation the error a client gets and a reason", () => {
    for (const row of rows.filter((r) => r.status === "refused")) {
      expect(row.notes, row.operation).toMatch(/^`UnknownOperationException`: \S.{10,}/);
    }
  });
});
