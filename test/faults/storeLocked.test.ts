import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { CreateClusterCommand, DescribeClustersCommand, ECSClient } from "@aws-sdk/client-ecs";
import { afterAll, describe, expect, it } from "vitest";
import { type BerthProcess, spawnBerth } from "../support/cli.ts";

/**
 * The SQLite store locked by another writer (a `BEGIN EXCLUSIVE` held by another process's
 * connection, as a backup tool or a stray `sqlite3` shell would): a write answers ServerException
 * (HTTP 500, which the SDKs retry) once SQLite's busy timeout runs out, and leaves nothing behind;
 * reads go on (WAL); once the lock is gone, writes work again.
 */
describe("the SQLite store locked by another writer", { timeout: 60_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-fault-locked-"));
  let berth: BerthProcess;
  let other: DatabaseSync | undefined;
  afterAll(async () => {
    other?.close();
    await berth?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers a retryable ServerException to a write, writes nothing, serves reads, and recovers", async () => {
    berth = await spawnBerth(dataDir);
    const ecs = new ECSClient({ endpoint: berth.url, region: berth.region, credentials: berth, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: "before" }));

    other = new DatabaseSync(join(dataDir, "berth.sqlite"));
    other.exec("BEGIN EXCLUSIVE");
    const refused = await ecs.send(new CreateClusterCommand({ clusterName: "during" })).catch((e: Error) => e);
    expect(refused).toMatchObject({ name: "ServerException", $metadata: { httpStatusCode: 500 } });
    const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: ["before"] }));
    expect(clusters?.map((c) => c.status)).toEqual(["ACTIVE"]);
    other.exec("COMMIT");

    const { failures } = await ecs.send(new DescribeClustersCommand({ clusters: ["during"] }));
    expect(failures).toMatchObject([{ reason: "MISSING" }]);
    const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: "after" }));
    expect(cluster?.status).toBe("ACTIVE");
    ecs.destroy();
  });
});
