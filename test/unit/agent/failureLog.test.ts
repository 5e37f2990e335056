import { describe, expect, it } from "vitest";
import { createFailureLog } from "../../../agent/failureLog.ts";
import { createLogger } from "../../../agent/log.ts";

function setup() {
  const clock = { now: new Date("2030-01-01T00:00:00Z") };
  const lines: string[] = [];
  // The logger stamps lines with the real time: keep what follows the timestamp.
  const log = createLogger("debug", (line) => lines.push(line.trim().replace(/^\S+ /, "")));
  return { clock, lines, failures: createFailureLog(log, () => clock.now) };
}

const dockerDown = new Error("connect ECONNREFUSED /var/run/docker.sock");

describe("failure log", () => {
  it("logs an episode's first failure with what happens next, is silent on repeats, and logs the recovery", () => {
    const { clock, lines, failures } = setup();
    failures.failed("pulling busybox", dockerDown, "retrying every 2 s");
    clock.now = new Date("2030-01-01T00:00:02Z");
    failures.failed("pulling busybox", dockerDown, "retrying every 2 s");
    clock.now = new Date("2030-01-01T00:00:04Z");
    failures.failed("pulling busybox", dockerDown, "retrying every 2 s");
    failures.succeeded("pulling busybox");
    expect(lines).toEqual([
      "WARN  agent: pulling busybox failed (connect ECONNREFUSED /var/run/docker.sock); retrying every 2 s. Repeats are not logged until it works again.",
      "INFO  agent: pulling busybox works again, after 3 failure(s) over 4 s.",
    ]);
  });

  it("says nothing of successes outside an episode, and starts a new episode after a recovery", () => {
    const { lines, failures } = setup();
    failures.succeeded("a");
    failures.failed("a", dockerDown, "retrying");
    failures.succeeded("a");
    failures.succeeded("a");
    failures.failed("a", dockerDown, "retrying");
    expect(lines.map((l) => l.split(":")[0])).toEqual(["WARN  agent", "INFO  agent", "WARN  agent"]);
  });

  it("keeps one episode per site", () => {
    const { lines, failures } = setup();
    failures.failed("a", dockerDown, "retrying");
    failures.failed("b", dockerDown, "retrying");
    failures.succeeded("a");
    failures.failed("b", dockerDown, "retrying");
    expect(lines).toEqual([
      expect.stringContaining("WARN  agent: a failed"),
      expect.stringContaining("WARN  agent: b failed"),
      expect.stringContaining("INFO  agent: a works again, after 1 failure(s)"),
    ]);
  });

  it("attempt: resolves to the work's result, or to undefined when it failed, recording the outcome", async () => {
    const { lines, failures } = setup();
    expect(await failures.attempt("a", async () => 42, "retrying")).toBe(42);
    expect(
      await failures.attempt(
        "a",
        async () => {
          throw dockerDown;
        },
        "retrying",
      ),
    ).toBeUndefined();
    expect(await failures.attempt("a", async () => "back", "retrying")).toBe("back");
    expect(lines).toEqual([
      expect.stringContaining("WARN  agent: a failed"),
      expect.stringContaining("INFO  agent: a works again"),
    ]);
  });

  it("forgets the episodes of a subject that is gone, so a later failure of the same name is news again", () => {
    const { lines, failures } = setup();
    const task = "arn:aws:ecs:us-east-1:1:task/c/abc";
    failures.failed(`container web of task ${task}`, dockerDown, "retrying the start every 2 s");
    failures.failed("following Docker's events", dockerDown, "reconnecting");
    failures.forget(task);
    failures.failed(`container web of task ${task}`, dockerDown, "retrying the start every 2 s");
    failures.failed("following Docker's events", dockerDown, "reconnecting");
    expect(lines.filter((l) => l.includes(task))).toHaveLength(2);
    expect(lines.filter((l) => l.includes("following Docker's events"))).toHaveLength(1);
  });
});
