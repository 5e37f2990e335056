import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateClusterCommand,
  ECSClient,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, describe, expect, it } from "vitest";
import { type BerthProcess, spawnBerth } from "../support/cli.ts";
import { clusterViolations, snapshotCluster } from "../support/clusterInvariants.ts";

/**
 * `berth local` killed with SIGKILL in the middle of a RunTask storm and started again on the same
 * data dir, while its clients retry every call that got no answer with the same clientToken (as
 * the SDKs do with theirs): every accepted call's tasks exist, a retried call got the tasks of its
 * first attempt, there is no task that no answer named (none duplicated), and every instance's
 * reservations are exactly its tasks'.
 */
const CALLS = 60;
const PER_CALL = 2;
const IN_FLIGHT = 8;
/** Calls answered before the kill: the rest are in flight or not sent yet. */
const KILL_AFTER = 15;

describe("kill -9 of the control plane during a RunTask storm", { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-fault-kill-"));
  let berth: BerthProcess;
  let ecs: ECSClient;
  const connect = (b: BerthProcess) => {
    berth = b;
    ecs?.destroy();
    // One attempt per send: the storm retries by hand, with the same token, across the restart.
    ecs = new ECSClient({ endpoint: b.url, region: b.region, credentials: b, maxAttempts: 1 });
  };
  afterAll(async () => {
    ecs?.destroy();
    await berth?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("loses no accepted task, duplicates none, leaks no reservation", async () => {
    connect(await spawnBerth(dataDir));
    await ecs.send(new CreateClusterCommand({ clusterName: "storm" }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "storm",
        containerDefinitions: [{ name: "app", image: "busybox", cpu: 64, memory: 64 }],
      }),
    );
    for (let i = 0; i < 4; i++)
      await ecs.send(
        new RegisterContainerInstanceCommand({
          cluster: "storm",
          totalResources: [
            { name: "CPU", type: "INTEGER", integerValue: 4096 },
            { name: "MEMORY", type: "INTEGER", integerValue: 8192 },
          ],
        }),
      );

    const answers = new Map<string, string[]>();
    let answered = 0;
    let retried = 0;
    let restarted: Promise<void> | undefined;
    const restart = async () => {
      expect(await berth.stop("SIGKILL")).toBe("SIGKILL");
      connect(await spawnBerth(dataDir));
    };
    const runTask = (clientToken: string) =>
      ecs.send(new RunTaskCommand({ cluster: "storm", taskDefinition: "storm", count: PER_CALL, clientToken }));
    /** One call of the storm, sent until it is answered: every failure here is the kill's. */
    async function call(clientToken: string) {
      for (;;) {
        try {
          const { tasks, failures } = await runTask(clientToken);
          expect(failures).toEqual([]);
          answers.set(
            clientToken,
            (tasks ?? []).map((t) => t.taskArn as string),
          );
          if (++answered === KILL_AFTER) restarted = restart();
          return;
        } catch (error) {
          if ((error as Error).name === "AssertionError") throw error;
          retried++;
          await (restarted ?? new Promise((resolve) => setTimeout(resolve, 50)));
        }
      }
    }
    const tokens = Array.from({ length: CALLS }, (_, i) => `storm-${i}-${Date.now()}`);
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < tokens.length) await call(tokens[next++]);
      }),
    );
    await restarted;
    expect(answers.size).toBe(CALLS);
    // The kill cut calls short: otherwise this test proves nothing.
    expect(retried).toBeGreaterThan(0);

    // Asked again after the restart, each token answers the tasks it answered first.
    for (const token of tokens) {
      const { tasks } = await runTask(token);
      expect(tasks?.map((t) => t.taskArn)).toEqual(answers.get(token));
    }
    const answeredArns = [...answers.values()].flat();
    expect(new Set(answeredArns).size).toBe(CALLS * PER_CALL);
    const listed: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster: "storm", nextToken }));
      listed.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(listed.sort()).toEqual(answeredArns.sort());
    const snapshot = await snapshotCluster(ecs, "storm");
    expect(await clusterViolations(ecs, snapshot, { settled: false })).toEqual([]);
  });
});
