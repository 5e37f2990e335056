import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ASSETS_DIR, readConsole } from "../../console/assets.ts";
import { TTL_ATTRIBUTE, tableDefinition } from "../../core/store/dynamo/table.ts";
import { PRODUCTION_STAGES } from "../../infra/stage.ts";
import { type Asset, NAME, type Output, type Recording } from "./recorder.ts";
import { ROOT, type SstConfig, synthesize } from "./synthesize.ts";

/**
 * sst.config.ts and infra/, evaluated offline against a recorder of SST's globals: what `sst
 * deploy` would be asked to create, checked against the code it deploys (handlers, the store's
 * key schema, the agent's entry point). See recorder.ts.
 */
let rec: Recording;
let config: SstConfig;
let outputs: Record<string, unknown>;

beforeAll(async () => {
  ({ rec, config, outputs } = await synthesize());
});

interface FunctionDefinition {
  handler: string;
  link: unknown[];
}

/** Every function the infra defines, by where it is defined, with its arguments. */
function functions(): Record<string, FunctionDefinition> {
  const call = (target: string, method: string, first?: string) => {
    const found = rec.called.find((c) => c.target === target && c.method === method && (!first || c.args[0] === first));
    if (!found) throw new Error(`${target}.${method}(${first ?? ""}) was never called`);
    return found.args;
  };
  return {
    api: rec.get("ApiFunction").args as unknown as FunctionDefinition,
    scheduler: call("SchedulerQueue", "subscribe")[0] as FunctionDefinition,
    sweeper: rec.get("Sweeper").args.function as FunctionDefinition,
    events: call("Table", "subscribe", "Events")[1] as FunctionDefinition,
    deploy: call("Bus", "subscribe", "DeploymentRequests")[1] as FunctionDefinition,
    "deploy (ECR)": call("sst.aws.Bus.subscribe", "call", "ImagePushes")[2] as FunctionDefinition,
    console: rec.get("ConsoleFunction").args as unknown as FunctionDefinition,
  };
}

/** The hosts' first-boot script, as the launch template carries it. */
const userData = () => Buffer.from(value(rec.get("AgentLaunchTemplate").args.userData), "base64").toString("utf8");
const names = (link: unknown[]) => link.map((r) => (r as Record<symbol, string>)[NAME]).sort();
const value = (output: unknown) => String((output as Output).value ?? output);

describe("sst.config.ts", () => {
  it("retains production stages' resources and removes the others'", () => {
    for (const stage of PRODUCTION_STAGES) expect(config.app({ stage })).toMatchObject({ removal: "retain" });
    expect(config.app({ stage: "dev" }).removal).toBe("remove");
  });

  it("outputs the API URL and the launch template id", () => {
    expect(value(outputs.api)).toBe("<Api.url>");
    expect(value(outputs.launchTemplateId)).toBe("<AgentLaunchTemplate.id>");
  });
});

describe("functions", () => {
  it("point at handler files that exist and export `handler`", async () => {
    for (const [name, fn] of Object.entries(functions())) {
      const [file, exported] = fn.handler.split(".");
      const path = join(ROOT, `${file}.ts`);
      expect(existsSync(path), `${name}: ${path}`).toBe(true);
      const module = await import(path);
      expect(typeof module[exported], `${name}: ${fn.handler}`).toBe("function");
    }
  });

  it("are linked to exactly the resources their code reads with Resource", () => {
    for (const [name, fn] of Object.entries(functions())) {
      const source = readFileSync(join(ROOT, `${fn.handler.split(".")[0]}.ts`), "utf8");
      const used = [...new Set([...source.matchAll(/Resource\.(\w+)/g)].map((m) => m[1]))].sort();
      expect(names(fn.link), name).toEqual(used);
    }
  });

  it("run on Node 24, as the project does", () => {
    for (const fn of Object.values(functions())) expect(fn).toMatchObject({ runtime: "nodejs24.x" });
  });
});

describe("the table", () => {
  it("has the store's keys, indexes and projections", () => {
    const schema = tableDefinition("berth");
    const { args } = rec.get("Table");
    const key = (keys: typeof schema.KeySchema, type: string) => keys?.find((k) => k.KeyType === type)?.AttributeName;
    expect(args.primaryIndex).toEqual({
      hashKey: key(schema.KeySchema, "HASH"),
      rangeKey: key(schema.KeySchema, "RANGE"),
    });
    expect(Object.keys(args.fields as object).sort()).toEqual(
      (schema.AttributeDefinitions ?? []).map((a) => a.AttributeName).sort(),
    );
    const indexes = args.globalIndexes as Record<string, { hashKey: string; rangeKey: string; projection: unknown }>;
    expect(Object.keys(indexes).sort()).toEqual((schema.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).sort());
    for (const index of schema.GlobalSecondaryIndexes ?? []) {
      const declared = indexes[index.IndexName as string];
      expect(declared.hashKey).toBe(key(index.KeySchema, "HASH"));
      expect(declared.rangeKey).toBe(key(index.KeySchema, "RANGE"));
      expect(declared.projection).toEqual(
        index.Projection?.ProjectionType === "ALL" ? "all" : index.Projection?.NonKeyAttributes,
      );
    }
  });

  it("expires items by the store's TTL attribute and streams new and old images to the events function", () => {
    const { args } = rec.get("Table");
    expect(args.ttl).toBe(TTL_ATTRIBUTE);
    expect(args.stream).toBe("new-and-old-images");
    expect(tableDefinition("berth").StreamSpecification?.StreamViewType).toBe("NEW_AND_OLD_IMAGES");
  });
});

describe("the scheduler queue", () => {
  it("is FIFO with a FIFO dead-letter queue, and its subscriber reports partial batch failures", () => {
    const queue = rec.get("SchedulerQueue").args;
    expect(queue.fifo).toBe(true);
    expect(value((queue.dlq as { queue: Output }).queue)).toBe("<SchedulerDeadLetters.arn>");
    expect(rec.get("SchedulerDeadLetters").args.fifo).toBe(true);
    const subscribe = rec.called.find((c) => c.target === "SchedulerQueue" && c.method === "subscribe");
    expect(subscribe?.args[1]).toMatchObject({ batch: { partialResponses: true } });
  });
});

describe("the API", () => {
  it("routes POST / and GET /healthz to the API function, the console's paths to the console function", () => {
    const routes = rec.called.filter((c) => c.target === "Api" && c.method === "route");
    expect(routes.map((r) => [r.args[0], value(r.args[1])])).toEqual([
      ["POST /", "<ApiFunction.arn>"],
      ["GET /healthz", "<ApiFunction.arn>"],
      ["GET /console", "<ConsoleFunction.arn>"],
      ["GET /console/{proxy+}", "<ConsoleFunction.arn>"],
    ]);
    expect(value(outputs.console)).toBe("<Api.url>/console/");
  });

  it("ships the console built at deploy time beside its function, where the function reads it", () => {
    const { copyFiles } = rec.get("ConsoleFunction").args as { copyFiles: { from: string; to: string }[] };
    expect(copyFiles).toEqual([{ from: expect.any(String), to: ASSETS_DIR }]);
    const assets = readConsole(copyFiles[0].from);
    expect([...assets.keys()].sort()).toEqual(["app.css", "app.js", "index.html"]);
    expect(Buffer.from(assets.get("index.html")?.body ?? []).toString()).toContain('src="app.js"');
  });
});

describe("schedules and events", () => {
  it("sweeps every minute with CronV2", () => {
    expect(rec.get("Sweeper")).toMatchObject({ type: "sst.aws.CronV2", args: { schedule: "rate(1 minute)" } });
  });

  it("subscribes the deploy function to deployment requests and to ECR pushes", () => {
    const requests = rec.called.find((c) => c.target === "Bus" && c.args[0] === "DeploymentRequests");
    expect(requests?.args[2]).toEqual({ pattern: { source: ["berth.deployments"] } });
    const pushes = rec.called.find((c) => c.target === "sst.aws.Bus.subscribe");
    expect(value(pushes?.args[1])).toMatch(/:event-bus\/default$/);
    expect(pushes?.args[3]).toMatchObject({ pattern: { source: ["aws.ecr"], detailType: ["ECR Image Action"] } });
  });
});

describe("the agent's hosts", () => {
  /** Where the user-data downloads the agent from and to, and the hash it checks. */
  const download = () => {
    const found =
      /aws s3 cp --region \S+ 's3:\/\/([^/']+)\/([^']+)' (\S+)\necho '(\w+) {2}(\S+)' \| sha256sum -c -/.exec(
        userData(),
      );
    if (!found) throw new Error("the user-data downloads no agent");
    const [, bucket, key, target, sha256, checked] = found;
    return { bucket, key, target, sha256, checked };
  };

  it("is a shell script bash can parse", () => {
    expect(() => execFileSync("bash", ["-n"], { input: userData() })).not.toThrow();
  });

  it("download the agent bundle this deploy uploads, and check it is that bundle", () => {
    const object = rec.get("AgentBundle");
    expect(object.type).toBe("aws.s3.BucketObjectv2");
    expect(rec.get("AgentArtifacts").type).toBe("sst.aws.Bucket");
    const source = (object.args.source as Asset).path;
    expect(existsSync(source), source).toBe(true);
    const sha256 = createHash("sha256").update(readFileSync(source)).digest("hex");
    const got = download();
    expect(got.bucket).toBe(value(object.args.bucket));
    expect(got.bucket).toBe("<AgentArtifacts.name>");
    expect(got.key).toBe(object.args.key);
    expect(got.key).toBe(`agent/${sha256}.mjs`);
    expect(got.sha256).toBe(sha256);
    expect(got.checked).toBe(got.target);
  });

  it("start the downloaded bundle, laid out as the user-data lays it out, as a systemd service", () => {
    const script = userData();
    const { target } = download();
    expect(/ExecStart=\S+\/node (\S+)\n/.exec(script)?.[1]).toBe(target);
    expect(script).toContain("Environment=ECS_CLUSTER=default");
    expect(script).toContain("Environment=BERTH_ENDPOINT=<Api.url>");
    expect(script).toContain("systemctl enable --now berth-agent");

    // The bundle runs on its own: nothing beside it, no node_modules, no package.json.
    const home = mkdtempSync(join(tmpdir(), "berth-host-"));
    const at = (path: string) => join(home, path);
    mkdirSync(dirname(at(target)), { recursive: true });
    copyFileSync((rec.get("AgentBundle").args.source as Asset).path, at(target));
    const help = execFileSync(process.execPath, [at(target), "--help"], { cwd: home, encoding: "utf8" });
    expect(help).toContain("[--config FILE]");
  });

  it("get a role that reaches only their queues and parameters", () => {
    const policy = JSON.parse(value(rec.get("AgentPolicy").args.policy));
    const actions = policy.Statement.flatMap((s: { Action: string[] }) => s.Action);
    expect(actions.sort()).toEqual(
      [
        "kms:Decrypt",
        "s3:GetObject",
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueUrl",
        "sqs:ReceiveMessage",
        "ssm:GetParameter",
      ].sort(),
    );
    for (const s of policy.Statement) expect(JSON.stringify(s.Resource)).not.toContain('"*"');
    expect(JSON.stringify(policy)).toContain("berth-dev-agent-*");
    const read = policy.Statement.find((s: { Action: string[] }) => s.Action.includes("s3:GetObject"));
    expect(read.Resource).toEqual([`<AgentArtifacts.arn>/${download().key}`]);
    expect(rec.get("AgentBootstrapTokenParameter").args.type).toBe("SecureString");
  });
});

describe("registration on AWS", () => {
  const api = () => rec.get("ApiFunction").args as { environment: Record<string, unknown>; permissions: unknown };

  it("checks a host's EC2 identity, with the tag the launch template puts on every instance", () => {
    const environment = api().environment;
    expect(environment.BERTH_EC2_IDENTITY_CHECK).toBe("1");
    expect(environment.BERTH_EC2_REQUIRED_TAG).toBe("berth:cluster=default");
    expect(api().permissions).toEqual([{ actions: ["ec2:DescribeInstances"], resources: ["*"] }]);
    expect(rec.get("AgentLaunchTemplate").args.tagSpecifications).toEqual([
      { resourceType: "instance", tags: { "berth:cluster": "default" } },
    ]);
  });

  it("locks each wake-up queue to the hosts' role, which the API may set on the queue", () => {
    expect(value(api().environment.BERTH_AGENT_ROLE_ARN)).toBe("<AgentRole.arn>");
    expect(value(rec.get("AgentInstanceProfile").args.role)).toBe("<AgentRole.name>");
    const include = JSON.stringify(rec.get("AgentQueues").args.include);
    expect(include).toContain("sqs:SetQueueAttributes");
  });

  it("reads the bootstrap token from the parameter the hosts read, not from the function's settings", () => {
    const linkable = rec.get("BootstrapTokenParameter").args as { properties: { name: unknown } };
    const parameter = value(rec.get("AgentBootstrapTokenParameter").args.name);
    expect(value(linkable.properties.name)).toBe(parameter);
    expect(userData()).toContain(`--name '${parameter}' --with-decryption`);
    const linked = names((rec.get("ApiFunction").args as unknown as FunctionDefinition).link);
    expect(linked).toContain("BootstrapTokenParameter");
    expect(linked).not.toContain("BerthBootstrapToken");
  });
});
