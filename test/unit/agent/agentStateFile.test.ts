import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AgentStateFile } from "../../../agent/agentStateFile.ts";
import type { TaskStateReport } from "../../../agent/engine/types.ts";

const stopped: TaskStateReport = { taskArn: "a", status: "STOPPED", containers: [] };

describe("the agent's state file", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-agent-state-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("survives a restart: instance ARN and pending reports (with their dates), mode 0600", () => {
    const first = new AgentStateFile(dir);
    expect(first.get()).toEqual({ pending: [] });
    const when = new Date("2026-11-24T10:00:00.000Z");
    first.update({ cluster: "default", containerInstanceArn: "arn:x" });
    first.update({ pending: [{ ...stopped, executionStoppedAt: when }] });
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    const second = new AgentStateFile(dir);
    expect(second.get()).toEqual({
      cluster: "default",
      containerInstanceArn: "arn:x",
      pending: [{ ...stopped, executionStoppedAt: when }],
    });
  });
});
