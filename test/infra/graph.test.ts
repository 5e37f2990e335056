import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { ASSETS_DIR, readConsole } from "../../console/assets.ts";
import { EVENT_KINDS } from "../../core/events/build.ts";
import { TTL_ATTRIBUTE, tableDefinition } from "../../core/store/dynamo/table.ts";
import { PRODUCTION_STAGES } from "../../infra/stage.ts";
import { ACCOUNT, REGION } from "./graph/awsMocks.ts";
import { evaluateGraph, type Graph, type GraphFunction, type GraphResource, ROOT } from "./graph.ts";

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

const all = (type: string, of = graph) => of.resources.filter((r) => r.type === type);
function one(type: string, parent: string, of = graph): GraphResource {
  const found = all(type, of).filter((r) => r.parent === parent);
  if (found.length !== 1)
    throw new Error(`${found.length} ${type} of ${parent}; there are ${all(type, of).map((r) => r.parent)}`);
  return found[0];
}
const fns = (entry: string, of = graph) => of.functions.filter((f) => f.entry === entry);
const fn = (entry: string, of = graph) => {
  const [found, ...more] = fns(entry, of);
  if (!found || more.length) throw new Error(`${fns(entry, of).length} functions run functions/${entry}`);
  return found;
};

/**
 * A function's links as its code reads them: the `sst` package's Resource (what the bundle
 * holds), opened in the function's directory and environment from its resource.enc and SST_*
 * variables, in a process of its own. App, which every function gets, is left out.
 */
const SST_RESOURCE = pathToFileURL(createRequire(import.meta.url).resolve("sst/resource")).href;
const linksAsRead = (f: GraphFunction): Record<string, Record<string, unknown>> => {
  const script = `import { Resource } from ${JSON.stringify(SST_RESOURCE)}; const { App, ...links } = Resource; console.log(JSON.stringify(links));`;
  return JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: f.dir,
      env: f.environment,
      encoding: "utf8",
    }),
  );
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

describe("the evaluation", () => {
  it("gives every resource AWS's own kind of ARN, of this account and region where AWS scopes it so", () => {
    const arns = graph.resources.filter((r) => r.custom && typeof r.outputs.arn === "string");
    expect(arns.length).toBeGreaterThan(30);
    for (const r of arns) {
      const [arn, partition, service, region, account] = String(r.outputs.arn).split(":");
      expect([arn, partition], r.name).toEqual(["arn", "aws"]);
      expect(service, r.name).toMatch(/^[a-z0-9-]+$/);
      // IAM and S3 ARNs name no region; S3's no account; API Gateway's management ARNs no account.
      if (!["iam", "s3"].includes(service)) expect(region, r.name).toBe(REGION);
      if (!["s3", "apigateway"].includes(service)) expect(account, r.name).toBe(ACCOUNT);
    }
  });
});

describe("the functions", () => {
  it("are the six entry points, one function each (the deploy function serves both its event sources)", () => {
    expect(graph.functions.map((f) => f.entry).sort()).toEqual(
      ["api", "console", "deploy", "events", "scheduler", "sweeper"].sort(),
    );
  });

  it("ship the console built at deploy time beside the console function, where it reads it", () => {
    const assets = readConsole(join(fn("console").dir, ASSETS_DIR));
    expect([...assets.keys()].sort()).toEqual(["app.css", "app.js", "index.html"]);
    expect(Buffer.from(assets.get("index.html")?.body ?? []).toString()).toContain('src="/console/app.js"');
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

  it("are given nothing else in their environment, and no secret in the clear (secrets are sealed in resource.enc)", () => {
    const shared = [
      "BERTH_ACCOUNT_ID",
      "BERTH_REGION",
      "POWERTOOLS_METRICS_NAMESPACE",
      "POWERTOOLS_SERVICE_NAME",
      "SST_KEY",
      "SST_KEY_FILE",
      "SST_RESOURCE_App",
    ];
    const api = ["BERTH_AGENT_CLUSTER", "BERTH_AGENT_ROLE_ARN", "BERTH_EC2_IDENTITY_CHECK", "BERTH_EC2_REQUIRED_TAG"];
    for (const f of graph.functions) {
      expect(Object.keys(f.environment).sort(), f.component).toEqual(
        [...shared, ...(f.entry === "api" ? api : [])].sort(),
      );
      for (const secret of Object.values(graph.secrets)) expect(JSON.stringify(f.environment)).not.toContain(secret);
    }
  });

  it("are linked to exactly the resources their code reads with Resource", () => {
    for (const f of graph.functions) {
      expect(Object.keys(linksAsRead(f)).sort(), f.component).toEqual(readsResources(f.entry));
    }
  });

  it("find the deployed resources through their links", () => {
    const table = one("aws:dynamodb/table:Table", "Table");
    const queue = one("aws:sqs/queue:Queue", "SchedulerQueue");
    const bus = one("aws:cloudwatch/eventBus:EventBus", "Bus");
    const parameter = (name: string) => all("aws:ssm/parameter:Parameter").find((p) => p.name === name)?.outputs.name;
    const links = (entry: string) => linksAsRead(fns(entry)[0]);

    expect(links("api")).toMatchObject({
      Table: { name: table.outputs.name },
      SchedulerQueue: { url: queue.outputs.url },
      AgentQueues: { prefix: "berth-dev-agent-" },
      KeyEncryptionKey: { name: parameter("KeyEncryptionKeyParameter") },
      BootstrapTokenParameter: { name: parameter("AgentBootstrapTokenParameter") },
      BerthAdminKey: { value: graph.secrets.BerthAdminKey },
    });
    expect(links("events")).toMatchObject({ Bus: { name: bus.outputs.name }, Table: { name: table.outputs.name } });
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

/** A policy document's statements, each action and resource as a list. */
interface Statement {
  Effect: string;
  Action: string[];
  Resource: string[];
  Principal?: unknown;
  Condition?: unknown;
}
const list = (x: unknown) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const statements = (policy: unknown): Statement[] =>
  (JSON.parse(String(policy)) as { Statement: Record<string, unknown>[] }).Statement.map((s) => ({
    ...(s as unknown as Statement),
    Action: list(s.Action),
    Resource: list(s.Resource),
  }));

/** What a role may do: for each resource, the actions allowed on it (sorted), from all its statements. */
function grants(policy: unknown): Record<string, string[]> {
  const byResource: Record<string, Set<string>> = {};
  for (const s of statements(policy)) {
    expect(s.Effect).toBe("Allow");
    // A conditional grant is its own entry: the resource, then the condition.
    const when = s.Condition === undefined ? "" : ` when ${JSON.stringify(s.Condition)}`;
    for (const resource of s.Resource) {
      byResource[resource + when] ??= new Set();
      for (const action of s.Action) byResource[resource + when].add(action);
    }
  }
  return Object.fromEntries(Object.entries(byResource).map(([r, actions]) => [r, [...actions].sort()]));
}

/** A function's own role's inline policy (SST's one statement list from its links and permissions). */
function functionPolicy(component: string, of = graph): unknown {
  const role = one("aws:iam/role:Role", component, of);
  const inline = role.inputs.inlinePolicies as { name: string; policy: string }[];
  expect(inline.map((p) => p.name)).toEqual(["inline"]);
  expect(role.inputs.managedPolicyArns).toEqual(["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]);
  return inline[0].policy;
}

describe("who may touch what", () => {
  const ELB_DESCRIBE_ACTIONS = [
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
  ];
  const AGENT_QUEUE_ACTIONS = [
    "sqs:CreateQueue",
    "sqs:DeleteQueue",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:SendMessage",
    "sqs:SetQueueAttributes",
  ];

  it("gives each function exactly the resources it is linked to, and the events function only its failed-batches queue", () => {
    const table = String(one("aws:dynamodb/table:Table", "Table").outputs.arn);
    const stream = String(one("aws:dynamodb/table:Table", "Table").outputs.streamArn);
    const queue = String(one("aws:sqs/queue:Queue", "SchedulerQueue").outputs.arn);
    const bus = String(one("aws:cloudwatch/eventBus:EventBus", "Bus").outputs.arn);
    const parameter = (name: string) =>
      String(all("aws:ssm/parameter:Parameter").find((p) => p.name === name)?.outputs.arn);
    const agentQueues = `arn:aws:sqs:${REGION}:${ACCOUNT}:berth-dev-agent-*`;
    const ssmKey = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/ssm`;
    const store = { [table]: ["dynamodb:*"], [`${table}/*`]: ["dynamodb:*"], [queue]: ["sqs:*"] };

    const expected: Record<string, Record<string, string[]>> = {
      api: {
        ...store,
        [agentQueues]: AGENT_QUEUE_ACTIONS,
        [parameter("KeyEncryptionKeyParameter")]: ["ssm:GetParameter"],
        [parameter("AgentBootstrapTokenParameter")]: ["ssm:GetParameter"],
        [ssmKey]: ["kms:Decrypt"],
        // The EC2 identity check (DescribeInstances), the size of a host registered without
        // totalResources (DescribeInstanceTypes) and a service's target groups: IAM scopes none
        // of them to a resource.
        "*": ["ec2:DescribeInstanceTypes", "ec2:DescribeInstances", ...ELB_DESCRIBE_ACTIONS],
      },
      scheduler: {
        ...store,
        // Its subscription's own grant: Lambda polls the queue as the function's role.
        [queue]: [
          "sqs:*",
          "sqs:ChangeMessageVisibility",
          "sqs:DeleteMessage",
          "sqs:GetQueueAttributes",
          "sqs:GetQueueUrl",
          "sqs:ReceiveMessage",
        ],
        [agentQueues]: AGENT_QUEUE_ACTIONS,
        // Its rounds register, deregister and read a load-balanced service's targets.
        "*": [
          "elasticloadbalancing:DeregisterTargets",
          ...ELB_DESCRIBE_ACTIONS,
          "elasticloadbalancing:RegisterTargets",
        ],
      },
      // Managed scaling reads capacity providers' groups, and sizes them and protects busy
      // instances only in groups tagged berth:managed=true.
      sweeper: {
        ...store,
        "*": ["autoscaling:DescribeAutoScalingGroups"],
        '* when {"StringEquals":{"autoscaling:ResourceTag/berth:managed":"true"}}': [
          "autoscaling:SetDesiredCapacity",
          "autoscaling:SetInstanceProtection",
        ],
      },
      // UpdateService checks a load-balanced service's target groups again.
      deploy: { ...store, "*": ELB_DESCRIBE_ACTIONS },
      // The table: it keeps each event there for ListEvents.
      events: {
        [table]: ["dynamodb:*"],
        [`${table}/*`]: ["dynamodb:*"],
        [stream]: [
          "dynamodb:DescribeStream",
          "dynamodb:GetRecords",
          "dynamodb:GetShardIterator",
          "dynamodb:ListStreams",
        ],
        [bus]: ["events:*"],
        // Lambda records a batch it gave up on there, as the function's role.
        [String(one("aws:sqs/queue:Queue", "EventsFailedBatches").outputs.arn)]: ["sqs:SendMessage"],
      },
      // Nothing: it answers from the files it carries.
      console: {},
    };
    for (const f of graph.functions)
      expect(grants(functionPolicy(f.component)), f.component).toEqual(expected[f.entry]);
  });

  it("lets only Lambda assume a function's role (SST alone would let the account's root too)", () => {
    for (const f of graph.functions) {
      const role = all("aws:iam/role:Role").find((r) => r.outputs.arn === f.role);
      const trust = JSON.parse(String(role?.inputs.assumeRolePolicy));
      expect(trust.Statement, f.component).toEqual([
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]);
    }
  });

  it("lets the schedule invoke the sweeper and nothing else", () => {
    const role = one("aws:iam/role:Role", "Sweeper");
    expect(JSON.stringify(role.inputs.assumeRolePolicy)).toContain('"Service":"scheduler.amazonaws.com"');
    const [inline] = role.inputs.inlinePolicies as { policy: string }[];
    expect(grants(inline.policy)).toEqual({ [fn("sweeper").arn]: ["lambda:InvokeFunction"] });
  });

  it("lets API Gateway and the bus rules invoke their own function only", () => {
    // Sorted on every field: two functions now share API Gateway's source ARN.
    const byAll = (a: unknown[], b: unknown[]) => a.join(" ").localeCompare(b.join(" "));
    const permissions = all("aws:lambda/permission:Permission").map((p) => p.inputs);
    const api = one("aws:apigatewayv2/api:Api", "Api").outputs;
    const rules = all("aws:cloudwatch/eventRule:EventRule");
    const rule = (parent: string) => String(rules.find((r) => r.parent === parent)?.outputs.arn);
    const [requests, pushes] = ["BusSubscriberDeploymentRequests", "defaultSubscriberImagePushes"];
    const target = (parent: string) => String(one("aws:cloudwatch/eventTarget:EventTarget", parent).inputs.arn);
    expect(permissions.map((p) => [p.principal, p.function, p.sourceArn, p.action]).sort(byAll)).toEqual(
      [
        ["events.amazonaws.com", target(requests), rule(requests), "lambda:InvokeFunction"],
        ["events.amazonaws.com", target(pushes), rule(pushes), "lambda:InvokeFunction"],
        ["apigateway.amazonaws.com", fn("api").arn, `${api.executionArn}/*`, "lambda:InvokeFunction"],
        ["apigateway.amazonaws.com", fn("api").arn, `${api.executionArn}/*`, "lambda:InvokeFunction"],
        ["apigateway.amazonaws.com", fn("console").arn, `${api.executionArn}/*`, "lambda:InvokeFunction"],
        ["apigateway.amazonaws.com", fn("console").arn, `${api.executionArn}/*`, "lambda:InvokeFunction"],
      ].sort(byAll),
    );
  });
});

describe("how events reach the functions", () => {
  const mappings = () => all("aws:lambda/eventSourceMapping:EventSourceMapping");
  const mappingOf = (entry: string) => {
    const found = mappings().filter((m) => m.inputs.functionName === fn(entry).arn);
    expect(found, entry).toHaveLength(1);
    return found[0].inputs;
  };

  it("are two event source mappings: the scheduler queue and the table's stream", () => {
    expect(
      mappings()
        .map((m) => m.inputs.functionName)
        .sort(),
    ).toEqual([fn("scheduler").arn, fn("events").arn].sort());
  });

  it("gives the scheduler its queue ten nudges at a time, no waiting, with partial batch responses", () => {
    expect(mappingOf("scheduler")).toEqual({
      eventSourceArn: one("aws:sqs/queue:Queue", "SchedulerQueue").outputs.arn,
      functionName: fn("scheduler").arn,
      batchSize: 10,
      maximumBatchingWindowInSeconds: 0,
      functionResponseTypes: ["ReportBatchItemFailures"],
    });
  });

  it("gives the events function the stream's new writes of event-making kinds, bisecting and retrying failures, recording what it skips", () => {
    const mapping = mappingOf("events");
    expect(mapping).toMatchObject({
      eventSourceArn: one("aws:dynamodb/table:Table", "Table").outputs.streamArn,
      startingPosition: "LATEST",
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 5,
      functionResponseTypes: ["ReportBatchItemFailures"],
      destinationConfig: {
        onFailure: { destinationArn: one("aws:sqs/queue:Queue", "EventsFailedBatches").outputs.arn },
      },
    });
    expect(one("aws:sqs/queue:Queue", "EventsFailedBatches").inputs).toMatchObject({
      messageRetentionSeconds: 14 * 24 * 3600,
    });
    const filters = (mapping.filterCriteria as { filters: { pattern: string }[] }).filters;
    expect(filters.map((f) => JSON.parse(f.pattern))).toEqual([
      { dynamodb: { NewImage: { kind: { S: [...EVENT_KINDS] } } } },
    ]);
  });

  it("sweeps every minute through EventBridge Scheduler, without retries (the next sweep is the retry)", () => {
    expect(one("aws:scheduler/schedule:Schedule", "Sweeper").inputs).toMatchObject({
      scheduleExpression: "rate(1 minute)",
      state: "ENABLED",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: fn("sweeper").arn,
        roleArn: one("aws:iam/role:Role", "Sweeper").outputs.arn,
        retryPolicy: { maximumRetryAttempts: 0 },
      },
    });
  });

  it("sends deployment requests on Berth's bus, and ECR pushes on the default bus, to the deploy function", () => {
    const bus = one("aws:cloudwatch/eventBus:EventBus", "Bus").outputs.name;
    const rule = (parent: string) => one("aws:cloudwatch/eventRule:EventRule", parent).inputs;
    const target = (parent: string) => one("aws:cloudwatch/eventTarget:EventTarget", parent).inputs;
    const deploy = fn("deploy").arn;

    expect(rule("BusSubscriberDeploymentRequests")).toMatchObject({ eventBusName: bus, state: "ENABLED" });
    expect(JSON.parse(String(rule("BusSubscriberDeploymentRequests").eventPattern))).toEqual({
      source: ["berth.deployments"],
    });
    expect(target("BusSubscriberDeploymentRequests")).toMatchObject({ eventBusName: bus });

    expect(rule("defaultSubscriberImagePushes")).toMatchObject({ eventBusName: "default", state: "ENABLED" });
    expect(JSON.parse(String(rule("defaultSubscriberImagePushes").eventPattern))).toEqual({
      source: ["aws.ecr"],
      "detail-type": ["ECR Image Action"],
      detail: { "action-type": ["PUSH"], result: ["SUCCESS"] },
    });
    expect(target("defaultSubscriberImagePushes")).toMatchObject({ eventBusName: "default" });

    expect(target("BusSubscriberDeploymentRequests").arn).toBe(deploy);
    expect(target("defaultSubscriberImagePushes").arn).toBe(deploy);
  });

  it("routes POST / and GET /healthz to the API function, the console's paths to its function, payload format 2.0", () => {
    const integrations = all("aws:apigatewayv2/integration:Integration");
    const routes = all("aws:apigatewayv2/route:Route").map((r) => {
      const integration = integrations.find((i) => r.inputs.target === `integrations/${i.id}`);
      return [
        r.inputs.routeKey,
        integration?.inputs.integrationType,
        integration?.inputs.integrationUri,
        integration?.inputs.payloadFormatVersion,
      ];
    });
    expect(routes.sort()).toEqual(
      [
        ["GET /healthz", "AWS_PROXY", fn("api").arn, "2.0"],
        ["POST /", "AWS_PROXY", fn("api").arn, "2.0"],
        ["GET /console", "AWS_PROXY", fn("console").arn, "2.0"],
        ["GET /console/{proxy+}", "AWS_PROXY", fn("console").arn, "2.0"],
      ].sort(),
    );
    expect(graph.outputs.console).toBe(`${graph.outputs.api}/console`);
    expect(one("aws:apigatewayv2/stage:Stage", "Api").inputs).toMatchObject({ name: "$default", autoDeploy: true });
    expect(graph.outputs.api).toBe(one("aws:apigatewayv2/api:Api", "Api").outputs.apiEndpoint);
  });
});

describe("the scheduler queue", () => {
  it("is FIFO, outlives a function's run (Lambda requires it), and parks a nudge after five receives in a FIFO dead-letter queue", () => {
    const queue = one("aws:sqs/queue:Queue", "SchedulerQueue").inputs;
    const deadLetters = one("aws:sqs/queue:Queue", "SchedulerDeadLetters");
    expect(queue).toMatchObject({ fifoQueue: true, contentBasedDeduplication: false });
    expect(queue.name).toMatch(/\.fifo$/);
    expect(Number(queue.visibilityTimeoutSeconds)).toBeGreaterThanOrEqual(fn("scheduler").timeout);
    expect(JSON.parse(String(queue.redrivePolicy))).toEqual({
      deadLetterTargetArn: deadLetters.outputs.arn,
      maxReceiveCount: 5,
    });
    expect(deadLetters.inputs).toMatchObject({ fifoQueue: true });
    expect(graph.outputs.schedulerQueue).toBe(one("aws:sqs/queue:Queue", "SchedulerQueue").outputs.url);
  });
});

describe("the table", () => {
  const table = () => one("aws:dynamodb/table:Table", "Table").inputs;
  const schema = tableDefinition("berth");
  const key = (keys: typeof schema.KeySchema, type: string) => keys?.find((k) => k.KeyType === type)?.AttributeName;

  it("has the store's keys, indexes and projections", () => {
    expect(table()).toMatchObject({
      hashKey: key(schema.KeySchema, "HASH"),
      rangeKey: key(schema.KeySchema, "RANGE"),
      billingMode: "PAY_PER_REQUEST",
    });
    expect(table().attributes).toEqual(
      expect.arrayContaining(
        (schema.AttributeDefinitions ?? []).map((a) => ({ name: a.AttributeName, type: a.AttributeType })),
      ),
    );
    expect((table().attributes as unknown[]).length).toBe(schema.AttributeDefinitions?.length);
    const indexes = table().globalSecondaryIndexes as Record<string, unknown>[];
    expect(indexes.map((i) => i.name).sort()).toEqual(
      (schema.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).sort(),
    );
    for (const index of schema.GlobalSecondaryIndexes ?? []) {
      expect(indexes.find((i) => i.name === index.IndexName)).toEqual({
        name: index.IndexName,
        hashKey: key(index.KeySchema, "HASH"),
        rangeKey: key(index.KeySchema, "RANGE"),
        projectionType: index.Projection?.ProjectionType,
        ...(index.Projection?.NonKeyAttributes && { nonKeyAttributes: index.Projection.NonKeyAttributes }),
      });
    }
  });

  it("expires items by the store's TTL attribute and streams new and old images", () => {
    expect(table()).toMatchObject({
      ttl: { attributeName: TTL_ATTRIBUTE, enabled: true },
      streamEnabled: true,
      streamViewType: schema.StreamSpecification?.StreamViewType,
      // A development stage: removable.
      deletionProtectionEnabled: false,
    });
    expect(graph.outputs.table).toBe(table().name);
  });
});

describe("the stage", () => {
  it("removes a development stage's resources, and retains production stages'", async () => {
    expect(graph.app).toMatchObject({ name: "berth", stage: "dev", removal: "remove", protect: false });
    Object.assign(globalThis, { $config: (config: unknown) => config });
    // A specifier tsc does not follow: sst.config.ts is type-checked against SST's types by check:infra.
    const path = "../../sst.config.ts";
    const config = (await import(path)).default as { app(input: { stage: string }): Record<string, unknown> };
    for (const stage of PRODUCTION_STAGES)
      expect(config.app({ stage })).toMatchObject({ removal: "retain", protect: true });
  });
});

describe("the hosts", () => {
  const template = () => graph.resources.find((r) => r.name === "AgentLaunchTemplate") as GraphResource;
  const userData = () => Buffer.from(String(template().inputs.userData), "base64").toString("utf8");
  const parameter = (name: string) => all("aws:ssm/parameter:Parameter").find((p) => p.name === name) as GraphResource;
  const sha256 = () => createHash("sha256").update(readFileSync(graph.agent.bundle)).digest("hex");

  it("launch from a template: Amazon Linux's latest image, the agent's instance profile, IMDSv2 with one hop and instance tags, tagged for the identity check", () => {
    expect(template().inputs).toMatchObject({
      imageId: expect.stringMatching(/^ami-[0-9a-f]{17}$/),
      instanceType: "t4g.small",
      iamInstanceProfile: { arn: graph.resources.find((r) => r.name === "AgentInstanceProfile")?.outputs.arn },
      metadataOptions: {
        httpTokens: "required",
        httpEndpoint: "enabled",
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: "enabled",
      },
      updateDefaultVersion: true,
      tagSpecifications: [{ resourceType: "instance", tags: { "berth:cluster": "default" } }],
    });
    expect(graph.outputs.launchTemplateId).toBe(template().id);
    expect(template().id).toMatch(/^lt-[0-9a-f]{17}$/);
  });

  it("boot a script bash can parse, which downloads this deploy's agent bundle and checks its hash", () => {
    expect(() => execFileSync("bash", ["-n"], { input: userData() })).not.toThrow();
    expect(graph.agent.key).toBe(`agent/${sha256()}.mjs`);
    expect(userData()).toContain(
      `aws s3 cp --region ${REGION} 's3://${graph.agent.bucket}/${graph.agent.key}' /opt/berth/bin/berth-agent.mjs\necho '${sha256()}  /opt/berth/bin/berth-agent.mjs' | sha256sum -c -`,
    );
    expect(userData()).toContain("ExecStart=/opt/node/bin/node --optimize-for-size /opt/berth/bin/berth-agent.mjs\n");
  });

  it("read their settings and bootstrap token from this stage's parameters, and join this deploy's API", () => {
    const settings = parameter("AgentSettingsParameter").inputs;
    const token = parameter("AgentBootstrapTokenParameter").inputs;
    expect(userData()).toContain(
      `--name '${settings.name}' --query Parameter.Value --output text > /etc/ecs/ecs.config`,
    );
    expect(userData()).toContain(`--name '${token.name}' --with-decryption`);
    expect(userData()).toContain(`Environment=BERTH_ENDPOINT=${graph.outputs.api}\n`);
    expect(userData()).toContain("Environment=ECS_CLUSTER=default\n");
    expect(settings).toEqual({
      name: "/berth/dev/agent/settings",
      type: "String",
      value: `ECS_CLUSTER=default\nBERTH_ENDPOINT=${graph.outputs.api}\nBERTH_REGION=${REGION}\nECS_ENABLE_IMDS=true\n`,
    });
    expect(token).toEqual({
      name: "/berth/dev/agent/bootstrap-token",
      type: "SecureString",
      value: graph.secrets.BerthBootstrapToken,
    });
    expect(parameter("KeyEncryptionKeyParameter").inputs).toEqual({
      name: "/berth/dev/key-encryption-key",
      type: "SecureString",
      value: graph.secrets.BerthKeyEncryptionKey,
    });
  });

  it("get a role that reaches only their wake-up queues, their two parameters and their agent's bundle", () => {
    const policy = graph.resources.find((r) => r.name === "AgentPolicy") as GraphResource;
    expect(policy.inputs.role).toBe(graph.resources.find((r) => r.name === "AgentRole")?.outputs.name);
    expect(grants(policy.inputs.policy)).toEqual({
      [`arn:aws:sqs:${REGION}:${ACCOUNT}:berth-dev-agent-*`]: [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueUrl",
        "sqs:ReceiveMessage",
      ],
      [String(parameter("AgentSettingsParameter").outputs.arn)]: ["ssm:GetParameter"],
      [String(parameter("AgentBootstrapTokenParameter").outputs.arn)]: ["ssm:GetParameter"],
      [`arn:aws:s3:::${graph.agent.bucket}/${graph.agent.key}`]: ["s3:GetObject"],
      [`arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/ssm`]: ["kms:Decrypt"],
    });
  });

  it("download the bundle from a private bucket, over TLS only", () => {
    const bucket = one("aws:s3/bucket:Bucket", "AgentArtifacts").outputs;
    expect(graph.agent.bucket).toBe(bucket.bucket);
    expect(graph.resources.find((r) => r.name === "AgentBundle")?.inputs).toMatchObject({
      contentType: "text/javascript",
    });
    expect(one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "AgentArtifacts").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const [deny, ...others] = statements(one("aws:s3/bucketPolicy:BucketPolicy", "AgentArtifacts").inputs.policy);
    expect(others).toEqual([]);
    expect(deny).toMatchObject({
      Effect: "Deny",
      Action: ["s3:*"],
      Resource: [bucket.arn, `${bucket.arn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });
});

describe("the hosts' Auto Scaling group and its capacity provider, when the deploy asks for them", () => {
  let grouped: Graph;
  beforeAll(async () => {
    grouped = await evaluateGraph("dev", {
      settings: { BERTH_AGENT_GROUP_MAX_SIZE: "4", BERTH_CAPACITY_PROVIDER_TARGET_CAPACITY: "90" },
    });
  }, 240_000);
  const group = () => all("aws:autoscaling/group:Group", grouped)[0] as GraphResource;

  it("are not there unless asked for (BERTH_AGENT_GROUP_MAX_SIZE)", () => {
    expect(all("aws:autoscaling/group:Group")).toEqual([]);
    expect(fn("sweeper").environment.BERTH_CAPACITY_PROVIDERS).toBeUndefined();
  });

  it("launch the hosts' template at its default version, from zero up to the maximum, in the region's zones, protected from scale-in", () => {
    const template = grouped.resources.find((r) => r.name === "AgentLaunchTemplate") as GraphResource;
    expect(group().inputs).toMatchObject({
      minSize: 0,
      maxSize: 4,
      availabilityZones: [`${REGION}a`, `${REGION}b`, `${REGION}c`],
      launchTemplate: { id: template.id, version: "$Default" },
      protectFromScaleIn: true,
    });
    // Berth sets the desired capacity (managed scaling): the deploy never does.
    expect(group().inputs.desiredCapacity).toBeUndefined();
  });

  it("tag the group as the sweeper's to resize, and its instances for the identity check", () => {
    expect(group().inputs.tags).toEqual([
      { key: "berth:managed", value: "true", propagateAtLaunch: false },
      { key: "berth:cluster", value: "default", propagateAtLaunch: true },
    ]);
    // The tag the sweeper's grant to resize and protect is conditioned on.
    expect(grants(functionPolicy(fn("sweeper", grouped).component, grouped))).toMatchObject({
      '* when {"StringEquals":{"autoscaling:ResourceTag/berth:managed":"true"}}': [
        "autoscaling:SetDesiredCapacity",
        "autoscaling:SetInstanceProtection",
      ],
    });
  });

  it("give the sweeper the capacity provider to make exist: the group's, in the agents' cluster, managed", () => {
    const declared = JSON.parse(fn("sweeper", grouped).environment.BERTH_CAPACITY_PROVIDERS);
    expect(declared).toEqual([
      {
        name: "berth-hosts",
        cluster: "default",
        autoScalingGroupProvider: {
          autoScalingGroupArn: group().outputs.arn,
          managedScaling: { status: "ENABLED", targetCapacity: 90 },
          managedTerminationProtection: "ENABLED",
        },
      },
    ]);
    expect(String(group().outputs.arn)).toMatch(
      new RegExp(
        `^arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName/${group().outputs.name}$`,
      ),
    );
    // Only the sweeper is given it.
    for (const f of grouped.functions.filter((f) => f.entry !== "sweeper"))
      expect(f.environment.BERTH_CAPACITY_PROVIDERS, f.entry).toBeUndefined();
  });
});
