import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, REGION } from "./graph/awsMocks.ts";
import { openResourceFile } from "./graph/resourceFile.ts";
import { evaluateGraph, type Graph, type GraphResource, ROOT } from "./graph.ts";

/**
 * What `sst deploy` would create, read from SST's own components evaluated under Pulumi's mock
 * runtime (graph.ts): the Lambda functions as Lambda would be given them, who may touch what,
 * how events reach each function, the queues, the schedule, the rules, and the hosts' launch
 * template with the agent it downloads.
 */
let graph: Graph;

beforeAll(async () => {
  graph = await evaluateGraph("dev");
}, 240_000);

const all = (type: string) => graph.resources.filter((r) => r.type === type);
function one(type: string, parent: string): GraphResource {
  const found = all(type).filter((r) => r.parent === parent);
  if (found.length !== 1)
    throw new Error(`${found.length} ${type} of ${parent}; there are ${all(type).map((r) => r.parent)}`);
  return found[0];
}
const fns = (entry: string) => graph.functions.filter((f) => f.entry === entry);
const fn = (entry: string) => {
  const [found, ...more] = fns(entry);
  if (!found || more.length) throw new Error(`${fns(entry).length} functions run functions/${entry}`);
  return found;
};

/** The Resource.<Name> values a function's code reads (its index.ts, where links are read). */
const readsResources = (entry: string) =>
  [
    ...new Set(
      [...readFileSync(join(ROOT, `functions/${entry}/index.ts`), "utf8").matchAll(/Resource\.(\w+)/g)].map(
        (m) => m[1],
      ),
    ),
  ].sort();

describe("the functions", () => {
  it("are the five entry points, the deploy function once per event source", () => {
    expect(graph.functions.map((f) => f.entry).sort()).toEqual(
      ["api", "deploy", "deploy", "events", "scheduler", "sweeper"].sort(),
    );
  });

  it("run their entry point's handler on Node 24, Graviton, 512 MB, 30 seconds", () => {
    for (const f of graph.functions) {
      expect(f, f.component).toMatchObject({
        handler: `functions/${f.entry}/index.handler`,
        runtime: "nodejs24.x",
        architecture: "arm64",
        memory: 512,
        timeout: 30,
      });
      expect(f.arn).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:${f.name}`);
    }
  });

  it("ship their handler's bundle and sealed links, and nothing else", () => {
    for (const f of graph.functions) {
      const zip = graph.resources.find((r) => r.name === `${f.component}Code`);
      expect(zip?.type).toBe("aws:s3/bucketObjectv2:BucketObjectv2");
      expect(zip?.inputs.key).toMatch(new RegExp(`^assets/${f.component}-code-[0-9a-f]{64}\\.zip$`));
      const lambda = one("aws:lambda/function:Function", f.component);
      expect(lambda.inputs).toMatchObject({ packageType: "Zip", s3Bucket: zip?.inputs.bucket, s3Key: zip?.inputs.key });
    }
  });

  it("are given the account, the region, Powertools' settings and SST's key to their links", () => {
    for (const f of graph.functions) {
      expect(f.environment, f.component).toMatchObject({
        BERTH_ACCOUNT_ID: ACCOUNT,
        BERTH_REGION: REGION,
        POWERTOOLS_SERVICE_NAME: `berth-${f.entry}`,
        POWERTOOLS_METRICS_NAMESPACE: "Berth",
        SST_KEY_FILE: "resource.enc",
        SST_RESOURCE_App: JSON.stringify({ name: "berth", stage: "dev" }),
      });
      expect(Buffer.from(f.environment.SST_KEY, "base64")).toHaveLength(32);
    }
  });

  it("are linked to exactly the resources their code reads with Resource", () => {
    for (const f of graph.functions) {
      const links = openResourceFile(f.dir, f.environment.SST_KEY);
      expect(Object.keys(links).sort(), f.component).toEqual(readsResources(f.entry));
    }
  });

  it("find the deployed resources through their links", () => {
    const table = one("aws:dynamodb/table:Table", "Table");
    const queue = one("aws:sqs/queue:Queue", "SchedulerQueue");
    const bus = one("aws:cloudwatch/eventBus:EventBus", "Bus");
    const parameter = (name: string) => all("aws:ssm/parameter:Parameter").find((p) => p.name === name)?.outputs.name;
    const links = (entry: string) => openResourceFile(fns(entry)[0].dir, fns(entry)[0].environment.SST_KEY);

    expect(links("api")).toMatchObject({
      Table: { name: table.outputs.name },
      SchedulerQueue: { url: queue.outputs.url },
      AgentQueues: { prefix: "berth-dev-agent-" },
      KeyEncryptionKey: { name: parameter("KeyEncryptionKeyParameter") },
      BootstrapTokenParameter: { name: parameter("AgentBootstrapTokenParameter") },
      BerthAdminKey: { value: graph.secrets.BerthAdminKey },
    });
    expect(links("events")).toMatchObject({ Bus: { name: bus.outputs.name } });
    for (const entry of ["scheduler", "sweeper", "deploy"]) {
      expect(links(entry), entry).toMatchObject({
        Table: { name: table.outputs.name },
        SchedulerQueue: { url: queue.outputs.url },
      });
    }
  });

  it("give the API what registration on EC2 needs: the hosts' role and the identity check", () => {
    const role = graph.resources.find((r) => r.name === "AgentRole");
    expect(fn("api").environment).toMatchObject({
      BERTH_AGENT_CLUSTER: "default",
      BERTH_AGENT_ROLE_ARN: role?.outputs.arn,
      BERTH_EC2_IDENTITY_CHECK: "1",
      BERTH_EC2_REQUIRED_TAG: "berth:cluster=default",
    });
    expect(role?.outputs.arn).toMatch(new RegExp(`^arn:aws:iam::${ACCOUNT}:role/AgentRole-[0-9a-f]{7}$`));
  });
});
