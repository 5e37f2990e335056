import { describe, expect, it } from "vitest";
import type { ControlPlane } from "../../../agent/controlPlane.ts";
import type { TaskStateReport } from "../../../agent/engine/types.ts";
import { createSubmitter, mergeReports, type SubmitterDeps, submitReport } from "../../../agent/submitter.ts";

const report = (taskArn: string, status: string, containers: TaskStateReport["containers"] = []): TaskStateReport => ({
  taskArn,
  status,
  containers,
});

/** A control plane that is down while `down` is set, recording what it accepted. */
function fakeSender() {
  const sent: TaskStateReport[] = [];
  const state = { down: false, refuse: new Set<string>() };
  const send = async (r: TaskStateReport) => {
    await new Promise((resolve) => setImmediate(resolve));
    if (state.down) throw Object.assign(new Error("connect ECONNREFUSED"), { name: "Error" });
    if (state.refuse.has(r.taskArn)) {
      throw Object.assign(new Error("task not found"), {
        name: "InvalidParameterException",
        $metadata: { httpStatusCode: 400 },
      });
    }
    sent.push(r);
  };
  return { sent, state, send };
}

function deps(sender: ReturnType<typeof fakeSender>, overrides: Partial<SubmitterDeps> = {}) {
  const persisted: TaskStateReport[][] = [];
  const retries: number[] = [];
  const dropped: string[] = [];
  const d: SubmitterDeps = {
    send: sender.send,
    retryable: (e) => (e as { $metadata?: unknown }).$metadata === undefined,
    persist: (p) => persisted.push(p),
    backoff: (attempt) => attempt,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    onRetry: (_r, _e, delay) => retries.push(delay),
    onDropped: (r) => dropped.push(r.taskArn),
    ...overrides,
  };
  return { d, persisted, retries, dropped };
}

describe("the submission queue", () => {
  it("sends reports in order", async () => {
    const sender = fakeSender();
    const { d, persisted } = deps(sender);
    const s = createSubmitter([], d);
    s.submit(report("a", "PENDING"));
    s.submit(report("b", "RUNNING"));
    await s.drained();
    expect(sender.sent.map((r) => `${r.taskArn}:${r.status}`)).toEqual(["a:PENDING", "b:RUNNING"]);
    expect(persisted.at(-1)).toEqual([]);
  });

  it("retries with growing backoff while the control plane is down, then delivers in order", async () => {
    const sender = fakeSender();
    const { d, retries } = deps(sender);
    sender.state.down = true;
    const s = createSubmitter([], d);
    s.submit(report("a", "PENDING"));
    s.submit(report("b", "PENDING"));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(retries.length).toBeGreaterThan(2);
    expect(retries.slice(0, 3)).toEqual([1, 2, 3]);
    sender.state.down = false;
    await s.drained();
    expect(sender.sent.map((r) => r.taskArn)).toEqual(["a", "b"]);
  });

  it("sends the head at once when told the control plane is back, not after its backoff", async () => {
    const sender = fakeSender();
    // A backoff as long as an outage makes it (the cap is 30 s); the real, abortable sleep.
    const { d, retries } = deps(sender, { backoff: () => 60_000, sleep: undefined });
    sender.state.down = true;
    const s = createSubmitter([], d);
    s.submit(report("a", "RUNNING"));
    s.submit(report("b", "RUNNING"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(retries).toEqual([60_000]);
    sender.state.down = false;
    const t0 = Date.now();
    s.retryNow();
    await s.drained();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(sender.sent.map((r) => r.taskArn)).toEqual(["a", "b"]);
    s.retryNow(); // nothing waiting: nothing happens
    s.close();
  });

  it("coalesces a task's waiting reports into one, keeping each container's latest state", async () => {
    const sender = fakeSender();
    const { d } = deps(sender);
    sender.state.down = true;
    const s = createSubmitter([], d);
    s.submit(report("a", "PENDING", [{ containerName: "web", status: "PENDING" }]));
    await new Promise((resolve) => setTimeout(resolve, 5));
    // "a:PENDING" is in flight now; the next two wait behind it and merge with each other.
    s.submit(
      report("a", "RUNNING", [
        { containerName: "web", status: "RUNNING", networkBindings: [{ hostPort: 32768, containerPort: 80 }] },
      ]),
    );
    s.submit({ ...report("a", "STOPPED", [{ containerName: "web", status: "STOPPED", exitCode: 3 }]), reason: "done" });
    s.submit(report("b", "RUNNING"));
    expect(s.pending().map((r) => `${r.taskArn}:${r.status}`)).toEqual(["a:PENDING", "a:STOPPED", "b:RUNNING"]);
    sender.state.down = false;
    await s.drained();
    expect(sender.sent.map((r) => `${r.taskArn}:${r.status}`)).toEqual(["a:PENDING", "a:STOPPED", "b:RUNNING"]);
    expect(sender.sent[1]).toMatchObject({
      reason: "done",
      containers: [
        {
          containerName: "web",
          status: "STOPPED",
          exitCode: 3,
          networkBindings: [{ hostPort: 32768, containerPort: 80 }],
        },
      ],
    });
  });

  it("drops a report the control plane refuses (4xx) and goes on", async () => {
    const sender = fakeSender();
    const { d, dropped } = deps(sender);
    sender.state.refuse.add("gone");
    const s = createSubmitter([], d);
    s.submit(report("gone", "RUNNING"));
    s.submit(report("b", "RUNNING"));
    await s.drained();
    expect(dropped).toEqual(["gone"]);
    expect(sender.sent.map((r) => r.taskArn)).toEqual(["b"]);
  });

  it("starts with the reports a previous run left, and close() stops retrying", async () => {
    const sender = fakeSender();
    sender.state.down = true;
    const { d } = deps(sender);
    const s = createSubmitter([report("left", "STOPPED")], d);
    await new Promise((resolve) => setTimeout(resolve, 10));
    s.close();
    await s.drained();
    expect(s.pending().map((r) => r.taskArn)).toEqual(["left"]);
    sender.state.down = false;
    const again = createSubmitter(s.pending(), deps(sender).d);
    await again.drained();
    expect(sender.sent.map((r) => r.taskArn)).toEqual(["left"]);
  });

  it("after close(), neither drops nor persists the report in flight, which the next start sends again", async () => {
    let release = () => {};
    const { d, persisted } = deps(fakeSender(), {
      send: () => new Promise<void>((resolve) => (release = resolve)),
    });
    const s = createSubmitter([], d);
    s.submit(report("a", "STOPPED"));
    s.close();
    const writes = persisted.length;
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(persisted.length).toBe(writes);
    expect(s.pending().map((r) => r.taskArn)).toEqual(["a"]);
  });

  it("mergeReports keeps the first pull start and a container only the older report named", () => {
    const t0 = new Date(0);
    const t1 = new Date(1000);
    const merged = mergeReports(
      { ...report("a", "PENDING", [{ containerName: "x", status: "RUNNING" }]), pullStartedAt: t0 },
      { ...report("a", "RUNNING", [{ containerName: "y", status: "RUNNING" }]), pullStartedAt: t1, pullStoppedAt: t1 },
    );
    expect(merged).toMatchObject({ status: "RUNNING", pullStartedAt: t0, pullStoppedAt: t1 });
    expect(merged.containers.map((c) => c.containerName)).toEqual(["x", "y"]);
  });
});

describe("submitReport", () => {
  /** A control plane that records the calls it gets, ECS's by command name, Berth's by action. */
  function recordingControlPlane() {
    const calls: [string, unknown][] = [];
    const cp = {
      ecs: {
        send: async (command: object) => calls.push([command.constructor.name, (command as { input: unknown }).input]),
      },
      berth: async (action: string, input: unknown) => calls.push([action, input]),
    } as unknown as ControlPlane;
    return { cp, calls };
  }

  it("sends the containers' health through Berth's action, after the state change", async () => {
    const { cp, calls } = recordingControlPlane();
    await submitReport(
      cp,
      "c",
      report("t", "RUNNING", [
        { containerName: "web", status: "RUNNING", healthStatus: "HEALTHY" },
        { containerName: "log", status: "RUNNING" },
      ]),
    );
    expect(calls.map(([name]) => name)).toEqual(["SubmitTaskStateChangeCommand", "SubmitTaskHealthChange"]);
    expect(calls[1][1]).toEqual({
      cluster: "c",
      task: "t",
      containers: [{ containerName: "web", healthStatus: "HEALTHY" }],
    });
  });

  it("makes no health call for a task without health checks", async () => {
    const { cp, calls } = recordingControlPlane();
    await submitReport(cp, "c", report("t", "RUNNING", [{ containerName: "web", status: "RUNNING" }]));
    expect(calls.map(([name]) => name)).toEqual(["SubmitTaskStateChangeCommand"]);
  });
});
