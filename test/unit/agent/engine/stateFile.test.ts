import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ManagedTask } from "../../../../agent/engine/managedTask.ts";
import { type EngineState, loadState, stateWriter } from "../../../../agent/engine/stateFile.ts";

describe("engine state file", () => {
  it("has each save's changes on disk when it resolves, however many saves come during a write", async () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-state-"));
    const state: EngineState = { version: 1, tasks: {} };
    const writer = stateWriter(dir, state);
    const saved: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      state.tasks[`t${i}`] = { taskArn: `t${i}` } as ManagedTask;
      saved.push(
        writer.save().then(async () => {
          // Every task added up to this save is in the file now.
          const onDisk = await loadState(dir);
          for (let j = 0; j <= i; j++) expect(onDisk.tasks[`t${j}`]).toEqual({ taskArn: `t${j}` });
        }),
      );
      // Some saves come while a write is under way, some between writes.
      if (i % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(saved);
    state.tasks.last = { taskArn: "last" } as ManagedTask;
    await writer.save();
    expect(Object.keys((await loadState(dir)).tasks)).toHaveLength(51);
  });
});
